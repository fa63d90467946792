// `agora nodes list|status|add|remove|logs` against a supervisor running here: in process (the same commander
// program as bin/agora.js), plus `logs --follow` and one error line through the real bin/agora.js.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appendFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSupervisor, type Supervisor } from '../../tools/devnet/supervisor.ts'
import { fakeNodeCommand, pidAlive, waitFor } from './fake.ts'
import { runNodesCli as runNodesCliSpawned, spawnNodesCli } from './cli.ts'
import { agoraInProcess } from '../helpers/cli.ts'

const runNodesCli = (args: string[]) => agoraInProcess(['nodes', ...args])

describe('agora nodes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'agora-nodes-'))
  let sup: Supervisor

  beforeAll(async () => {
    sup = createSupervisor({ dir, nodeCommand: fakeNodeCommand(), pollMs: 300, stopGraceMs: 3_000 })
    await sup.start()
    await sup.addNodes(2)
  })
  afterAll(async () => { await sup?.stop() })

  it('list shows the running nodes and the supervisor', async () => {
    const r = await runNodesCli(['list', '--dir', dir, '--json'])
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out.supervisor).toEqual({ pid: process.pid, running: true })
    expect(out.nodes.map((n: { id: string; status: string; alive: boolean }) => [n.id, n.status, n.alive])).toEqual([['node-1', 'running', true], ['node-2', 'running', true]])
    const plain = await runNodesCli(['list', '--dir', dir])
    expect(plain.stdout).toContain(`supervisor running (pid ${process.pid})`)
    expect(plain.stdout).toMatch(/node-2\s+running/)
  })

  it('status asks every node for liveness, readiness and height', async () => {
    const r = await runNodesCli(['status', '--dir', dir, '--json'])
    expect(r.status).toBe(0)
    const rows = JSON.parse(r.stdout).nodes
    expect(rows).toHaveLength(2)
    for (const row of rows) {
      expect(row).toMatchObject({ live: true, ready: true, synced: true, status: 'running' })
      expect(row.height).toBeGreaterThan(0)
    }
  })

  it('add starts a new node through the supervisor; remove stops one and drops it from the list', async () => {
    const added = await runNodesCli(['add', '--dir', dir, '--count', '1', '--json'])
    expect(added.stderr).toBe('')
    const node3 = JSON.parse(added.stdout).nodes[0]
    expect(node3).toMatchObject({ id: 'node-3', status: 'running' })
    expect(pidAlive(node3.pid)).toBe(true)

    const victim = sup.nodes().find((n) => n.id === 'node-1')!
    const removed = await runNodesCli(['remove', '1', '--dir', dir])
    expect(removed.stdout.trim()).toBe('node-1 removed')
    expect(pidAlive(victim.pid!)).toBe(false)
    const list = JSON.parse((await runNodesCli(['list', '--dir', dir, '--json'])).stdout)
    expect(list.nodes.map((n: { id: string }) => n.id)).toEqual(['node-2', 'node-3'])
    const all = JSON.parse((await runNodesCli(['list', '--dir', dir, '--json', '--all'])).stdout)
    expect(all.nodes.find((n: { id: string }) => n.id === 'node-1').status).toBe('removed')
  })

  it('logs prints the tail of a node log and --follow streams new lines', async () => {
    const r = await runNodesCli(['logs', 'node-2', '--dir', dir, '--lines', '1'])
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^fake node 12D3KooWFake\w+ listening/)
    expect(r.stdout.trim().split('\n')).toHaveLength(1)

    const follower = spawnNodesCli(['logs', '2', '--dir', dir, '--follow'])
    const code = new Promise((res) => follower.on('close', res))
    let out = ''
    follower.stdout!.on('data', (c) => { out += c })
    try {
      await waitFor('initial log', () => out.includes('listening'))
      appendFileSync(join(sup.nodes().find((n) => n.id === 'node-2')!.dataDir, 'node.log'), 'a line written later\n')
      await waitFor('followed line', () => out.includes('a line written later'))
      follower.kill('SIGINT')
      expect(await code).toBe(0)
    } finally {
      // A failed wait must not leave the follower running after the suite (it never exits by itself).
      if (follower.exitCode === null && follower.signalCode === null) follower.kill('SIGKILL')
    }
  })

  it('errors are one clear line and exit 1', async () => {
    const unknown = await runNodesCliSpawned(['remove', '99', '--dir', dir])
    expect(unknown.status).toBe(1)
    expect(unknown.stderr).toMatch(/^error: no node 99 in .* \(have: node-1, node-2, node-3\)\n$/)
    const empty = mkdtempSync(join(tmpdir(), 'agora-nodes-empty-'))
    const none = await runNodesCli(['list', '--dir', empty])
    expect(none.status).toBe(1)
    expect(none.stderr).toMatch(/^error: no nodes\.json in /)
    const badCount = await runNodesCli(['add', '--dir', dir, '--count', '0'])
    expect(badCount.stderr).toBe('error: --count must be a positive integer, got 0\n')
  })

  it('add and remove need a running supervisor', async () => {
    await sup.stop()
    const r = await runNodesCli(['add', '--dir', dir])
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/^error: no supervisor is running on /)
    const list = JSON.parse((await runNodesCli(['list', '--dir', dir, '--json'])).stdout)
    expect(list.supervisor).toBeNull()
    expect(list.nodes.every((n: { status: string; alive: boolean }) => n.status === 'stopped' && !n.alive)).toBe(true)
  })
})
