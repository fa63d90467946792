// Run the `agora` CLI as a user would: `runCli` spawns bin/agora.js (proves the entry point, exit codes and
// real streams); `agoraInProcess` runs the same commander program in this process (no 1.3 s start-up per command).
import { spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const AGORA_BIN = fileURLToPath(new URL('../../bin/agora.js', import.meta.url))

export type CliResult = { status: number | null; stdout: string; stderr: string }

export function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): CliResult {
  const r = spawnSync(process.execPath, [AGORA_BIN, ...args], {
    encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, NO_COLOR: '1', ...env },
  })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** `runCli` without blocking the event loop: an e2e file's observers and pollers keep running meanwhile. */
export function runCliAsync(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [AGORA_BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, timeout: timeoutMs })
    let stdout = '', stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d })
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
    child.on('close', (status) => resolve({ status, stdout, stderr }))
  })
}

/** Thrown by the intercepted process.exit so a command's exit unwinds to the runner instead of ending vitest. */
class ExitCalled extends Error {
  constructor(readonly code: number) { super(`process.exit(${code})`) }
}

// Runs share process.stdout/stderr, process.exit, process.exitCode and process.env: one at a time.
let queue: Promise<unknown> = Promise.resolve()

/**
 * `agora <args>` in this process, mapped to a status exactly as main() does (tools/cli/main.ts): a CommanderError
 * exits with its exitCode, any other error prints `error: <message>` and exits 1, success exits process.exitCode ?? 0.
 * `env` is set for the run only (unset keys with ''); stdout and stderr writes are captured, never echoed.
 */
export function agoraInProcess(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  const run = queue.then(() => runOnce(args, { NO_COLOR: '1', ...env }))
  queue = run.catch(() => {})
  return run
}

async function runOnce(args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  // Loaded on first use: files that only spawn the CLI do not pay for (or depend on) the whole program.
  const [{ CommanderError }, { buildProgram }, { errorMessage }] = await Promise.all([
    import('commander'), import('../../tools/cli/main.ts'), import('../../core/errors.ts'),
  ])
  let stdout = ''
  let stderr = ''
  const saved = { out: process.stdout.write, err: process.stderr.write, exit: process.exit, exitCode: process.exitCode }
  const savedEnv = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]))
  const capture = (append: (s: string) => void) => ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
    const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined
    cb?.()
    return true
  }) as typeof process.stdout.write
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
  }
  process.stdout.write = capture((s) => { stdout += s })
  process.stderr.write = capture((s) => { stderr += s })
  process.exit = ((code?: number) => { throw new ExitCalled(code ?? 0) }) as typeof process.exit
  process.exitCode = undefined
  let status: number
  try {
    await buildProgram().parseAsync(['node', 'agora', ...args])
    status = Number(process.exitCode ?? 0)
  } catch (e) {
    if (e instanceof ExitCalled) status = e.code
    else if (e instanceof CommanderError) status = e.exitCode
    else {
      process.stderr.write(`error: ${errorMessage(e)}\n`)
      status = 1
    }
  } finally {
    process.stdout.write = saved.out
    process.stderr.write = saved.err
    process.exit = saved.exit
    process.exitCode = saved.exitCode
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
  return { status, stdout, stderr }
}
