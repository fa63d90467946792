// Process-level safety for a process that runs a supervisor (`agora devnet`): Ctrl-C, SIGTERM and uncaught
// errors all end with every node stopped, so nothing is left running.
import type { Supervisor } from './supervisor.ts'

/**
 * SIGINT/SIGTERM/uncaught errors stop the supervisor (and so every node), then run `cleanup` (stop the
 * status view, the chain, ...) and exit (130 on SIGINT, 143 on SIGTERM, 1 on an error). A second
 * SIGINT/SIGTERM exits at once; the supervisor's exit hook then SIGKILLs whatever still runs.
 * Returns a function that uninstalls the handlers.
 */
export function installShutdownHandlers(sup: Supervisor, opts: { onSignal?: (why: string) => void; cleanup?: () => Promise<void> } = {}): () => void {
  let shuttingDown = false
  const shutdown = (why: string, code: number) => {
    if (shuttingDown) {
      if (why !== 'error') process.exit(code)
      return
    }
    shuttingDown = true
    opts.onSignal?.(why)
    void sup.stop()
      .then(() => opts.cleanup?.())
      .catch((e: unknown) => { process.stderr.write(`error during shutdown: ${(e as Error)?.message ?? String(e)}\n`) })
      .finally(() => process.exit(code))
  }
  const onSigint = () => shutdown('SIGINT', 130)
  const onSigterm = () => shutdown('SIGTERM', 143)
  const onError = (e: unknown) => {
    process.stderr.write(`error: ${(e as Error)?.stack ?? String(e)}\n`)
    shutdown('error', 1)
  }
  process.on('SIGINT', onSigint)
  process.on('SIGTERM', onSigterm)
  process.on('uncaughtException', onError)
  process.on('unhandledRejection', onError)
  return () => {
    process.removeListener('SIGINT', onSigint)
    process.removeListener('SIGTERM', onSigterm)
    process.removeListener('uncaughtException', onError)
    process.removeListener('unhandledRejection', onError)
  }
}
