// A slow chain delays pool windows instead of closing them before anyone could vote: a pool stays open
// until its end slot and as many blocks as its duration has slots have passed (forum/pool-window.ts).
// The validator-set soak's case: the registry pool opened at slot 24 for 12 slots, the next block came at
// slot 45 (a validator hand-over) and resolved it with no stake, every validator's vote and the owner's at
// slot 46 were refused POOL_CLOSED, and the published challenge never became active. In slots (before),
// each case here failed the same way.
import { describe, expect, it } from 'vitest'
import { ONE_REP } from '../../core/amount.ts'
import { userPoolId, userPostId } from '../../ledger/ids.ts'
import { ledgerStateRoot } from '../../ledger/ledger.ts'
import { restoreLedger, snapshotLedger } from '../../ledger/snapshot.ts'
import { applyAt, chain, ids } from './chain.ts'

type Chain = ReturnType<typeof chain>
/** Validator 0 posts a parameter change and opens its governance pool in the block at `slot`; returns the pool id. */
function propose(c: Chain, slot: number): string {
  const post = userPostId(ids[0]!, c.nextNonce(0))
  const p = c.tx(0, { type: 'Post', id: post, authors: { [ids[0]!]: 1_000_000 }, citations: {}, payload: { kind: 'params', changes: { referenceChainLimit: 2 } } })
  const pool = userPoolId(ids[0]!, c.nextNonce(0))
  const open = c.tx(0, { type: 'InitiatePool', id: pool, post, fee: c.s.forum.params.govMinPoolFee.toString() })
  expect(c.apply(slot, [p, open]).outcomes.map((o) => o.code ?? 'ok')).toEqual(['ok', 'ok'])
  return pool
}
const votes = (c: Chain, pool: string) => [0, 1, 2].map((who) => c.tx(who, { type: 'Stake', pool, amount: (300n * ONE_REP).toString(), inFavor: true }))
const funded = () => chain({ balances: ['500', '500', '500', '500', '25'], credits: ['20'], params: { epochSlots: 20 } })

describe('pool windows on a slow chain', () => {
  it('a 21-slot gap after the pool opens: the votes in the block after it count, and the pool passes after its blocks', () => {
    const c = funded()
    const D = c.s.forum.params.govMinDurationSlots
    const pool = propose(c, 1) // height 1; end slot 1 + D, end height 1 + D
    c.apply(22, []) // the hand-over: past the end slot, one block into the window
    const landed = c.apply(23, votes(c, pool))
    expect(landed.outcomes.map((o) => o.code ?? 'ok')).toEqual(['ok', 'ok', 'ok'])
    const rec = c.s.forum.pools.get(pool as never)!
    expect(rec.outcome).toBeUndefined()
    while (c.s.height < D) c.apply(c.s.lastSlot + 1, [])
    expect(rec.outcome).toBeUndefined() // open through the block before its end height ...
    c.apply(c.s.lastSlot + 1, [])
    expect(rec.outcome).toMatchObject({ quorumMet: true, passed: true }) // ... which resolves it
    // The window ended: a later vote is refused.
    expect(c.apply(c.s.lastSlot + 1, [c.tx(3, { type: 'Stake', pool, amount: ONE_REP.toString(), inFavor: false })]).outcomes[0]).toMatchObject({ ok: false, code: 'POOL_CLOSED' })
  })

  it('blocks every slot: the window ends at its end slot, as in slots', () => {
    const c = funded()
    const D = c.s.forum.params.govMinDurationSlots
    const pool = propose(c, 1)
    c.through(D) // blocks at slots 2 … D: heights 2 … D
    expect(c.s.forum.pools.get(pool as never)!.outcome).toBeUndefined()
    c.through(1 + D)
    expect(c.s.forum.pools.get(pool as never)!.outcome).toMatchObject({ quorumMet: false })
  })

  it('a snapshot inside a stretched window restores it: the same root, the same resolution block', () => {
    const c = funded()
    const pool = propose(c, 1)
    c.apply(30, votes(c, pool))
    const r = restoreLedger(snapshotLedger(c.s))
    expect(ledgerStateRoot(r)).toBe(ledgerStateRoot(c.s))
    const D = c.s.forum.params.govMinDurationSlots
    for (let h = c.s.height + 1; h <= 1 + D; h++) {
      const slot = c.s.lastSlot + 2
      applyAt(c.s, slot, [])
      applyAt(r, slot, [])
      expect(ledgerStateRoot(r)).toBe(ledgerStateRoot(c.s))
    }
    expect(r.forum.pools.get(pool as never)!.outcome).toMatchObject({ passed: true })
    expect(c.s.forum.pools.get(pool as never)!.outcome).toEqual(r.forum.pools.get(pool as never)!.outcome)
  })
})
