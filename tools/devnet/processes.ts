// OS process handling for supervised nodes: spawn detached (its own process group, so signals reach the
// node and anything it forks), stdout/stderr appended to a log file, graceful stop with a SIGKILL fallback.
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs'
import { dirname } from 'node:path'

/** What to run for one node: the command line comes from the caller (the real node, or a fake in tests). */
export interface LaunchCommand {
  readonly command: string
  readonly args: readonly string[]
  readonly cwd?: string
  readonly env?: Readonly<Record<string, string>>
}

export function spawnLogged(cmd: LaunchCommand, logFile: string): ChildProcess {
  mkdirSync(dirname(logFile), { recursive: true })
  const fd = openSync(logFile, 'a')
  try {
    // detached: a new process group; Ctrl-C in the terminal reaches only the supervisor, which then
    // stops the nodes in order instead of every process racing on the same SIGINT.
    return spawn(cmd.command, [...cmd.args], {
      cwd: cmd.cwd, env: { ...process.env, ...cmd.env }, stdio: ['ignore', fd, fd], detached: true,
    })
  } finally {
    closeSync(fd) // the child holds its own copy
  }
}

/** The pid exists and is not a zombie (an orphan's zombie lingers until init reaps it, which can be never). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  return processState(pid) !== 'Z'
}

/** Signal the whole process group of a detached child (falls back to the pid alone). */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    try { process.kill(pid, signal) } catch { /* already gone */ }
  }
}

/** Linux process state letter from /proc (R, S, T = stopped by a signal, Z, ...); null when unknown. */
export function processState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) || null
  } catch {
    return null
  }
}

/** The command line of a pid (to check a pid from an old registry still is our node before killing it). */
export function processCommandLine(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')
  } catch {
    return null
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Resolves when the pid is gone (polling: works for processes we did not spawn too). */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false
    await sleep(50)
  }
  return true
}

/**
 * SIGTERM (plus SIGCONT so a SIGSTOPped node can act on it), then SIGKILL after `graceMs`.
 * Returns how it ended.
 */
export async function stopProcess(pid: number, graceMs: number): Promise<'exited' | 'killed' | 'gone'> {
  if (!isAlive(pid)) return 'gone'
  signalGroup(pid, 'SIGTERM')
  signalGroup(pid, 'SIGCONT')
  if (await waitForExit(pid, graceMs)) return 'exited'
  signalGroup(pid, 'SIGKILL')
  await waitForExit(pid, 5_000)
  return 'killed'
}
