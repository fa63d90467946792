// A slow honest validator is never accused (the devnet run that lost honest REP, replayed as a ledger test):
// when only a liar's and one honest member's reports make it into the blocks before the deadline (the
// others' reveals were slow), the median of the two is the liar's score, and neither that member nor the
// honest ones revealing late may be disputed for it. A final value proves a report deviating only once more
// than half of the committee's power backs it — possibly through late reports, which then also convict a
// liar the weak final could not judge. The chain here decides one block every 3 slots: the windows count
// blocks (3 to commit, 5 more to reveal), so the slow chain changes none of this.
import { describe, expect, it } from 'vitest'
import { chain, ids } from './chain.ts'
import { balanceOf } from '../../forum/state.ts'
import type { MemberId } from '../../core/ids.ts'
import type { SignedTx } from '../../ledger/txs.ts'

const [v0, v1, v2, liar] = [0, 1, 2, 3]
const HONEST = 600_000
const LIE = HONEST + 250_000 // what the devnet's --test-dishonest node reports
const GAP = 3

type Chain = ReturnType<typeof chain>
/** The next block, GAP slots after the last. */
const block = (c: Chain, txs: SignedTx[]) => c.apply(c.s.lastSlot + GAP, txs)
/** Empty blocks until the next one is at `height`. */
const emptyUntil = (c: Chain, height: number) => { while (c.s.height < height - 1) block(c, []) }

/** A submission in block 1 (reveals from height 4, deadline at height 9) that every member committed to in block 2. */
function committed(c: Chain, payload: string) {
  const sub = c.submission(payload)
  c.apply(1, [sub.tx])
  block(c, [c.commit(v0, sub.id, HONEST), c.commit(v1, sub.id, HONEST), c.commit(v2, sub.id, HONEST), c.commit(liar, sub.id, LIE, 'lie')])
  const rec = c.s.evals.submissions.get(sub.id)!
  expect([rec.revealHeight, rec.deadlineHeight]).toEqual([4, 9])
  return sub.id
}
const disputed = (events: { type: string; validator?: string }[]) => events.filter((e) => e.type === 'dispute').map((e) => e.validator)

describe('slow honest reports', () => {
  it('a weak median (one honest and the liar in time) accuses nobody, and the late honest reports are not deviating', () => {
    const c = chain({ balances: ['1000', '1000', '1000', '1000', '10'], credits: ['1', '1', '1', '1', '1'] })
    const id = committed(c, 'gap')
    // Only v0's and the liar's reveals reach a block before the deadline (the last one, height 8).
    emptyUntil(c, 8)
    const early = block(c, [c.reveal(v0, id, HONEST), c.reveal(liar, id, LIE, 'lie')])
    // The deadline block finalizes before its transactions: v1 and v2 are late.
    const late = block(c, [c.reveal(v1, id, HONEST), c.reveal(v2, id, HONEST)])
    const sub = c.s.evals.submissions.get(id)!
    expect(sub.final?.rule, JSON.stringify(sub.final)).toBe('median')
    expect(sub.reports.map((r) => r.validator)).toEqual([ids[v0], ids[liar], ids[v1], ids[v2]])
    // Before: the median of {600k, 850k} was the liar's, v0 "deviated" and v1, v2 were disputed late.
    expect(sub.final!.deviating).toEqual([])
    expect(disputed([...early.events, ...late.events])).toEqual([])
    // Nothing is bonded: every honest validator's REP is whole after the pools would have resolved.
    c.apply(c.s.lastSlot + 20, [])
    for (const v of [v0, v1, v2]) expect(balanceOf(c.s.forum, ids[v] as MemberId) >= 1000_000_000_000n, `REP of validator ${v}`).toBe(true)
  })

  it('a late honest report that gives the final value a majority convicts the liar that reported in time', () => {
    const c = chain({ balances: ['1000', '1000', '1000', '1000', '10'], credits: ['1', '1', '1', '1', '1'] })
    const id = committed(c, 'two-honest')
    emptyUntil(c, 8)
    block(c, [c.reveal(v0, id, HONEST), c.reveal(v1, id, HONEST), c.reveal(liar, id, LIE, 'lie')])
    // At the deadline 600k is backed by 200 of 400: the liar is outvoted but not yet proven deviating.
    const late = block(c, [c.reveal(v2, id, HONEST)])
    const sub = c.s.evals.submissions.get(id)!
    expect(sub.final?.score).toBe(HONEST)
    expect(sub.final?.deviating).toEqual([ids[liar]])
    expect(disputed(late.events)).toEqual([ids[liar]])
  })

  it('a late lie against a quorum is still disputed, once', () => {
    const c = chain({ balances: ['1000', '1000', '1000', '1000', '10'], credits: ['1', '1', '1', '1', '1'] })
    const id = committed(c, 'quorum')
    emptyUntil(c, 4)
    const quorum = block(c, [c.reveal(v0, id, HONEST), c.reveal(v1, id, HONEST), c.reveal(v2, id, HONEST)])
    expect(c.s.evals.submissions.get(id)!.final?.rule).toBe('quorum')
    emptyUntil(c, 10)
    const late = block(c, [c.reveal(liar, id, LIE, 'lie')])
    expect(disputed([...quorum.events, ...late.events])).toEqual([ids[liar]])
  })
})
