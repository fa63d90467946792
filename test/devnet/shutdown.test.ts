// The supervisor as its own process: SIGTERM or an uncaught error stops every node; a supervisor killed
// with SIGKILL leaves nodes behind, and the next supervisor on the same dir stops them before starting.
import { afterAll, describe, it } from 'vitest'
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { REPO_ROOT } from '../../tools/devnet/launch.ts'
import { createSupervisor } from '../../tools/devnet/supervisor.ts'
import { readRegistry } from '../../tools/devnet/registry.ts'
import { isAlive, signalGroup } from '../../tools/devnet/processes.ts'
import { fakeNodeCommand, pidAlive, waitFor } from './fake.ts'

const HOST = fileURLToPath(new URL('./supervisor-host.ts', import.meta.url))

// Every host and dir this file made: a test that fails or times out before its own cleanup must not leave
// its supervisor or its detached nodes running after the suite (they did, under load).
const hosts: { kill(signal: NodeJS.Signals): boolean }[] = []
const dirs: string[] = []
const newDir = () => { const d = mkdtempSync(join(tmpdir(), 'agora-host-')); dirs.push(d); return d }
afterAll(() => {
  for (const h of hosts) h.kill('SIGKILL')
  for (const d of dirs) for (const n of readRegistry(d)?.nodes ?? []) if (n.pid !== null && isAlive(n.pid)) signalGroup(n.pid, 'SIGKILL')
})

function startHost(dir: string, mode: 'wait' | 'throw') {
  const child = spawn(process.execPath, ['--import', 'tsx', HOST, dir, mode], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  hosts.push(child)
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (c) => { stdout += c })
  child.stderr!.on('data', (c) => { stderr += c })
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })))
  const pids = waitFor('host up', () => (stdout.includes('\n') ? (JSON.parse(stdout.split('\n')[0]!).pids as number[]) : null), 40_000)
  return { child, pids, exited, stderr: () => stderr }
}

// Each test has its own dir, processes and ephemeral ports, so they run concurrently (most of their time is
// waiting for processes to start); each uses its own context's expect.
describe.concurrent('supervisor process shutdown', () => {
  it('SIGTERM to the supervisor stops every node and it exits', async ({ expect }) => {
    const dir = newDir()
    const host = startHost(dir, 'wait')
    const pids = await host.pids
    expect(pids.every((p) => pidAlive(p))).toBe(true)
    host.child.kill('SIGTERM')
    expect(await host.exited).toEqual({ code: 143, signal: null })
    for (const pid of pids) expect(pidAlive(pid), `pid ${pid}`).toBe(false)
    expect(readRegistry(dir)!.nodes.map((n) => n.status)).toEqual(['stopped', 'stopped'])
  })

  it('an uncaught error in the supervisor stops every node and exits 1', async ({ expect }) => {
    const dir = newDir()
    const host = startHost(dir, 'throw')
    const pids = await host.pids
    expect((await host.exited).code).toBe(1)
    expect(host.stderr()).toContain('boom: an uncaught error')
    for (const pid of pids) expect(pidAlive(pid), `pid ${pid}`).toBe(false)
  })

  it('after a SIGKILLed supervisor, the next one on the dir stops the orphans first', async ({ expect }) => {
    const dir = newDir()
    const host = startHost(dir, 'wait')
    const pids = await host.pids
    host.child.kill('SIGKILL')
    await host.exited
    // Detached nodes outlive a SIGKILLed parent: exactly the case the next start must clean up.
    expect(pids.every((p) => isAlive(p))).toBe(true)
    const next = createSupervisor({ dir, nodeCommand: fakeNodeCommand(), stopGraceMs: 3_000 })
    try {
      await next.start()
      for (const pid of pids) expect(pidAlive(pid), `pid ${pid}`).toBe(false)
      expect(next.nodes().map((n) => `${n.id}:${n.status}`)).toEqual(['node-1:stopped', 'node-2:stopped'])
      // ... and can bring them back with the same ids and data dirs
      const resumed = await next.resumeNodes()
      expect(resumed.map((n) => n.id)).toEqual(['node-1', 'node-2'])
      expect(resumed.every((n) => n.pid !== null && pidAlive(n.pid) && !pids.includes(n.pid))).toBe(true)
    } finally {
      await next.stop()
    }
    for (const n of readRegistry(dir)!.nodes) expect(n.pid).toBeNull()
  })

  it('refuses to start a second supervisor on a dir whose supervisor is alive', async ({ expect }) => {
    const dir = newDir()
    const host = startHost(dir, 'wait')
    await host.pids
    try {
      await expect(createSupervisor({ dir, nodeCommand: fakeNodeCommand() }).start()).rejects.toThrow(/already running/)
    } finally {
      host.child.kill('SIGTERM')
      await host.exited
    }
  })
})
