// Structured logs (pino): few lines at info, read by people; JSON to stdout so a supervisor can keep them.
import { pino, type Logger as PinoLogger } from 'pino'

export type Logger = Pick<PinoLogger, 'info' | 'warn' | 'error' | 'debug' | 'child'>

export function createLogger(opts: { name: string; level?: string }): Logger {
  return pino({ name: opts.name, level: opts.level ?? process.env.AGORA_LOG_LEVEL ?? 'info', base: undefined })
}

export const silentLogger: Logger = pino({ level: 'silent' })
