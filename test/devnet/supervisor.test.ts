// The supervisor against real OS processes (the fake node): start, registry, self-healing after SIGKILL,
// patience with a SIGSTOPped node, remove/add, and a shutdown that leaves no process behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSupervisor, type Supervisor, type SupervisorEvent } from '../../tools/devnet/supervisor.ts'
import { readRegistry } from '../../tools/devnet/registry.ts'
import { queryInfo } from '../../tools/devnet/probe.ts'
import { fakeNodeCommand, pidAlive, waitFor } from './fake.ts'

describe('devnet supervisor with fake nodes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'agora-devnet-'))
  const events: SupervisorEvent[] = []
  const hookCalls: string[] = []
  let refuseNextAdd = false
  const seenPids = new Set<number>()
  let sup: Supervisor

  const node = (id: string) => sup.nodes().find((n) => n.id === id)!

  beforeAll(async () => {
    sup = createSupervisor({
      dir, nodeCommand: fakeNodeCommand(), pollMs: 200, probeTimeoutMs: 1_000,
      unresponsiveMs: 6_000, backoff: { baseMs: 100, maxMs: 1_000 }, stopGraceMs: 3_000,
      onEvent: (e) => { events.push(e); if (e.type === 'spawned') seenPids.add(e.pid) },
      hooks: {
        beforeAdd: async (n) => {
          hookCalls.push(`add ${n.id} ${n.index} ${n.dataDir === join(dir, 'nodes', n.id)}`)
          if (refuseNextAdd) throw new Error('no REP left to stake')
        },
        afterAdd: async (n) => { hookCalls.push(`up ${n.id} ${n.status} ${pidAlive(n.pid!)}`) },
        beforeRemove: async (n) => { hookCalls.push(`remove ${n.id} ${n.status} ${pidAlive(n.pid!)}`) },
      },
    })
    await sup.start()
  })
  afterAll(async () => { await sup?.stop() })

  it('starts 3 nodes, each answering and listed in nodes.json; later nodes bootstrap to earlier ones', async () => {
    const progress: string[] = []
    const started = await sup.addNodes(3, (n, done, total) => progress.push(`${n.id} ${done}/${total}`))
    expect(started.map((n) => n.id).sort()).toEqual(['node-1', 'node-2', 'node-3'])
    expect(progress).toHaveLength(3)
    expect(progress[0]).toBe('node-1 1/3')
    const reg = readRegistry(dir)!
    expect(reg.supervisor?.pid).toBe(process.pid)
    expect(reg.nodes.map((n) => n.status)).toEqual(['running', 'running', 'running'])
    expect(new Set(reg.nodes.flatMap((n) => [n.p2pPort, n.apiPort])).size).toBe(6)
    for (const n of reg.nodes) {
      expect(n.pid && pidAlive(n.pid)).toBe(true)
      expect(n.peerId).toMatch(/^12D3KooWFake/)
      const info = await queryInfo(n.apiPort, 2_000)
      expect(info?.peerId).toBe(n.peerId)
    }
    // node-2 and node-3 were started with node-1 as their bootstrap peer
    const info2 = await queryInfo(node('node-2').apiPort, 2_000)
    expect(info2?.peers).toContain(node('node-1').peerId)
  })

  it('restarts a node killed with SIGKILL and counts the restart', async () => {
    const before = node('node-2')
    process.kill(before.pid!, 'SIGKILL')
    const after = await waitFor('node-2 restarted', () => {
      const n = node('node-2')
      return n.status === 'running' && n.pid !== before.pid ? n : null
    })
    expect(after.restarts).toBe(before.restarts + 1)
    expect(after.lastExit).toBe('signal SIGKILL')
    expect(after.apiPort).toBe(before.apiPort) // same ports, so bootstraps stay valid
    expect(readRegistry(dir)!.nodes.find((n) => n.id === 'node-2')!.restarts).toBe(before.restarts + 1)
  })

  it('leaves a briefly SIGSTOPped node alone (below the threshold) and shows it paused', async () => {
    const before = node('node-3')
    process.kill(before.pid!, 'SIGSTOP')
    try {
      await waitFor('node-3 paused', () => node('node-3').status === 'paused')
      await new Promise((r) => setTimeout(r, 1_500)) // well under unresponsiveMs (6 s)
    } finally {
      process.kill(before.pid!, 'SIGCONT')
    }
    await waitFor('node-3 running again', () => node('node-3').status === 'running')
    expect(node('node-3').pid).toBe(before.pid)
    expect(node('node-3').restarts).toBe(before.restarts)
    expect(events.some((e) => e.type === 'killed-unresponsive' && e.id === 'node-3')).toBe(false)
  })

  it('kills and restarts a node silent for longer than the threshold', async () => {
    const before = node('node-3')
    process.kill(before.pid!, 'SIGSTOP')
    const after = await waitFor('node-3 replaced', () => {
      const n = node('node-3')
      return n.status === 'running' && n.pid !== before.pid ? n : null
    }, 20_000)
    expect(pidAlive(before.pid!)).toBe(false)
    expect(after.restarts).toBe(before.restarts + 1)
    expect(events.some((e) => e.type === 'killed-unresponsive' && e.id === 'node-3' && e.paused)).toBe(true)
  })

  it('remove stops a node for good; add starts a new one that bootstraps to the running ones', async () => {
    const victim = node('node-1')
    const removed = await sup.removeNode('1')
    expect(removed.status).toBe('removed')
    expect(pidAlive(victim.pid!)).toBe(false)
    await new Promise((r) => setTimeout(r, 600)) // lint-ok: a few polls pass, and it must NOT come back
    expect(node('node-1').status).toBe('removed')
    expect(node('node-1').pid).toBeNull()
    await expect(sup.removeNode('node-1')).rejects.toThrow(/already removed/)

    refuseNextAdd = true
    await expect(sup.addNodes(1)).rejects.toThrow('no REP left to stake')
    refuseNextAdd = false
    expect(sup.nodes()).toHaveLength(3) // a refused add starts nothing

    const [added] = await sup.addNodes(1)
    expect(added!.id).toBe('node-4')
    expect(added!.status).toBe('running')
    // beforeAdd ran before the process work, afterAdd once it ran (the devnet stakes there); the removed
    // node was still running when asked; a refused add never reached afterAdd
    expect(hookCalls).toEqual(['add node-1 1 true', 'add node-2 2 true', 'add node-3 3 true', 'up node-1 running true', 'up node-2 running true', 'up node-3 running true',
      'remove node-1 running true', 'add node-4 4 true', 'add node-4 4 true', 'up node-4 running true'])
    const info = await queryInfo(added!.apiPort, 2_000)
    expect(info?.peers.sort()).toEqual([node('node-2').peerId, node('node-3').peerId].sort())
  })

  it('stop leaves no process behind and marks every node stopped', async () => {
    const pids = [...seenPids]
    expect(pids.length).toBeGreaterThanOrEqual(6)
    await sup.stop()
    for (const pid of pids) expect(pidAlive(pid), `pid ${pid}`).toBe(false)
    const reg = readRegistry(dir)!
    expect(reg.supervisor).toBeNull()
    expect(reg.nodes.map((n) => `${n.id}:${n.status}`)).toEqual(['node-1:removed', 'node-2:stopped', 'node-3:stopped', 'node-4:stopped'])
  })
})
