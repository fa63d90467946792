// Run the real `agora` CLI as a child process, as a user would.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const AGORA_BIN = fileURLToPath(new URL('../../bin/agora.js', import.meta.url))

export function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000) {
  const r = spawnSync(process.execPath, [AGORA_BIN, ...args], {
    encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, NO_COLOR: '1', ...env },
  })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}
