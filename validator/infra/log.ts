// Structured logs (pino): few lines at info, read by people. JSON lines to stdout when it is a file or a
// pipe (a supervisor keeps them); readable lines (pino-pretty, synchronous) on a terminal, or with
// AGORA_LOG_FORMAT=pretty|json to choose.
import { pino, type Logger as PinoLogger } from 'pino'
import pretty from 'pino-pretty'

export type Logger = Pick<PinoLogger, 'info' | 'warn' | 'error' | 'debug' | 'child'>

export type LogFormat = 'json' | 'pretty'

export function logFormat(env: NodeJS.ProcessEnv = process.env, isTTY = !!process.stdout.isTTY): LogFormat {
  if (env.AGORA_LOG_FORMAT === 'json' || env.AGORA_LOG_FORMAT === 'pretty') return env.AGORA_LOG_FORMAT
  return isTTY ? 'pretty' : 'json'
}

export function createLogger(opts: { name: string; level?: string; format?: LogFormat }): Logger {
  const options = { name: opts.name, level: opts.level ?? process.env.AGORA_LOG_LEVEL ?? 'info', base: undefined }
  if ((opts.format ?? logFormat()) === 'json') return pino(options)
  // sync: a line is on the terminal before the process exits (no worker thread, no lost last lines).
  return pino(options, pretty({ sync: true, colorize: !process.env.NO_COLOR, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }))
}

export const silentLogger: Logger = pino({ level: 'silent' })
