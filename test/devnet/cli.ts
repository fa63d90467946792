// Run `agora nodes ...` as a child process without blocking the event loop (the supervisor under test runs
// in this process and must keep answering). Uses the real CLI once main.ts registers the nodes commands.
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { AGORA_BIN, REPO_ROOT } from '../../tools/devnet/launch.ts'

const ENTRY = fileURLToPath(new URL('./cli-entry.ts', import.meta.url))
const MAIN = fileURLToPath(new URL('../../tools/cli/main.ts', import.meta.url))
export const usesRealCli = readFileSync(MAIN, 'utf8').includes('registerNodesCommands(program)')

export function spawnNodesCli(args: string[]): ChildProcess {
  const argv = usesRealCli ? [AGORA_BIN, 'nodes', ...args] : ['--import', 'tsx', ENTRY, 'nodes', ...args]
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
