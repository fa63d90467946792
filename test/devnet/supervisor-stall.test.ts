// The supervisor treats a stalled node as unhealthy: a fake node whose height stops (FAKE_STALL_AT) while
// the other's keeps rising is killed and restarted after `stalledMs`, and then runs normally again.
import { afterAll, describe, expect, it } from 'vitest'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSupervisor, type SupervisorEvent } from '../../tools/devnet/supervisor.ts'
import { queryInfo } from '../../tools/devnet/probe.ts'
import type { NodeCommandFn } from '../../tools/devnet/launch.ts'
import { fakeNodeCommand, waitFor } from './fake.ts'

describe('supervisor and a stalled node', () => {
  const events: SupervisorEvent[] = []
  const fake = fakeNodeCommand()
  // node-2 stops at height 5 (0.5 s in); node-1 keeps going.
  const command: NodeCommandFn = (spec) => ({ ...fake(spec), env: spec.index === 2 ? { FAKE_STALL_AT: '5' } : ({} as Record<string, string>) })
  const sup = createSupervisor({ dir: mkdtempSync(join(tmpdir(), 'agora-stall-')), nodeCommand: command, pollMs: 200, stalledMs: 1_500, stopGraceMs: 3_000, control: false, onEvent: (e) => events.push(e) })
  afterAll(() => sup.stop())

  it('kills and restarts the stalled node, not the healthy one', async () => {
    await sup.start()
    await sup.addNodes(2)
    const stalled = await waitFor('a killed-stalled event', () => events.find((e) => e.type === 'killed-stalled'), 20_000)
    expect(stalled).toMatchObject({ id: 'node-2', height: 5 })
    expect(events.some((e) => e.type === 'killed-stalled' && e.id === 'node-1')).toBe(false)
    // Restarted, and this time its height moves past where it stopped.
    const n2 = () => sup.nodes().find((n) => n.id === 'node-2')!
    await waitFor('node-2 restarted and running', () => n2().restarts >= 1 && n2().status === 'running', 20_000)
    await waitFor('node-2 past height 5', async () => ((await queryInfo(n2().apiPort, 1_000))?.height ?? 0) > 5, 20_000)
  }, 60_000)
})
