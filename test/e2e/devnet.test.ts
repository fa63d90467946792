// The README's main command, run as a user would: `agora devnet --validators 4 --epochs 3` as a child
// process (every node agrees, each epoch's weights on the chain, a checkpoint per epoch, nothing left
// running). The run is the one the dashboard test watched when both are in the e2e lane
// (test/helpers/readme-devnet.ts). The faulty-validator network is in governance.test.ts.
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { type DevnetSummary as Summary } from '../helpers/e2e.ts'
import { readmeDevnet } from '../helpers/readme-devnet.ts'
import { isAlive } from '../../tools/devnet/processes.ts'

describe('agora devnet', () => {
  it('runs 4 validators for 3 epochs: all agree, weights on chain, checkpoints, nothing left running', async () => {
    const { dir, done } = readmeDevnet()
    const r = await done
    const last = r.stdout.trim().split('\n').at(-1)!
    expect(r.code, r.stdout.slice(-3000)).toBe(0)
    const s = JSON.parse(last) as Summary
    expect(s.agree).toBe(true)
    expect(s.nodes).toHaveLength(4)
    expect(new Set(s.nodes.map((n) => n.stateRoot)).size).toBe(1)
    expect(s.epochs).toHaveLength(3)
    // Counted from the first scored epoch after the first block's (the first is often empty: stale work at
    // start, see tools/devnet/network.ts waitForEpochs); the warm-up is bounded (12 stored runs: 1 or 2).
    expect(s.warmupEpochs, 'epochs from the first block to the first scored one').toBeLessThanOrEqual(3)
    // Every submission gets a final score (none left open past its deadline).
    expect(s.submissions.final).toBeGreaterThan(0)
    expect(s.submissions.overdue).toBe(0)
    for (const e of s.epochs) {
      expect(e.checkpointCid, `epoch ${e.epoch}`).toMatch(/^bafk/)
      expect(e.uids.length, `epoch ${e.epoch} has scored miners`).toBeGreaterThan(0)
      expect(e.onChain, `epoch ${e.epoch} on chain, equal to what the nodes computed`).toBe(true)
    }
    // Honest validators did their duties: evidence pools minted REP for them.
    for (const n of s.nodes) expect(Number(n.rep)).toBeGreaterThan(1000)
    const registry = JSON.parse(readFileSync(join(dir, 'nodes.json'), 'utf8')) as { nodes: { pid: number | null }[] }
    const pids = registry.nodes.map((n) => n.pid).filter((p): p is number => !!p)
    for (const end = Date.now() + 10_000; pids.some(isAlive) && Date.now() < end;) await new Promise((res) => setTimeout(res, 100))
    for (const p of pids) expect(isAlive(p), `pid ${p}`).toBe(false)
  }, 480_000)
})
