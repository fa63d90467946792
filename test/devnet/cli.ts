// Run `agora nodes ...` as a child process without blocking the event loop (the supervisor under test runs
// in this process and must keep answering). Always the real CLI (bin/agora.js): a missing `nodes` command fails.
import { spawn, type ChildProcess } from 'node:child_process'
import { AGORA_BIN, REPO_ROOT } from '../../tools/devnet/launch.ts'

export function spawnNodesCli(args: string[]): ChildProcess {
  const argv = [AGORA_BIN, 'nodes', ...args]
  return spawn(process.execPath, argv, { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] })
}

export function runNodesCli(args: string[], timeoutMs = 60_000): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawnNodesCli(args)
    let stdout = ''
    let stderr = ''
    child.stdout!.on('data', (c) => { stdout += c })
    child.stderr!.on('data', (c) => { stderr += c })
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`agora nodes ${args.join(' ')} timed out`)) }, timeoutMs)
    child.on('close', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }) })
  })
}
