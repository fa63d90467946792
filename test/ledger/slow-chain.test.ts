// A slow chain delays evaluation windows instead of losing them: the commit window and the deadline count
// blocks, so when blocks come fewer than slots (a loaded machine, a validator hand-over) the commits and
// reveals that land in the next blocks still count, the score is final and its miner is in the weights.
// Counted in slots (before), every case here ended `no-result`: the devnet soak's lost sorter submission.
import { describe, expect, it } from 'vitest'
import { chain, ids } from './chain.ts'
import { submissionOutcome } from '../../ledger/evaluations.ts'
import { snapshotLedger, restoreLedger } from '../../ledger/snapshot.ts'
import { applyAt } from './chain.ts'
import { ledgerStateRoot } from '../../ledger/ledger.ts'
import type { SignedTx } from '../../ledger/txs.ts'

const SCORE = 420_000
const members = [0, 1, 2, 3]
type Chain = ReturnType<typeof chain>
const funded = () => chain({ balances: ['1000', '1000', '1000', '1000', '10'], credits: ['1', '1', '1', '1', '1'] })
const commits = (c: Chain, id: string) => members.map((v) => c.commit(v, id, SCORE))
const reveals = (c: Chain, id: string) => members.map((v) => c.reveal(v, id, SCORE))
/** Blocks `gap` slots apart: the next one. */
const next = (c: Chain, gap: number, txs: SignedTx[]) => c.apply(c.s.lastSlot + gap, txs)

describe('evaluation windows on a slow chain', () => {
  it('one block every 3 slots: commits after the old 3-slot window count, the score is final and weighted', () => {
    const c = funded()
    const sub = c.submission('slow')
    c.apply(1, [sub.tx])
    // The members finish within the window's 2 slots of backstop + fetch; the next block is at slot 4.
    const commit = next(c, 3, commits(c, sub.id))
    expect(commit.outcomes.every((o) => o.ok), JSON.stringify(commit.outcomes)).toBe(true)
    const rec = c.s.evals.submissions.get(sub.id)!
    expect(rec.commits).toHaveLength(4)
    next(c, 3, [])
    next(c, 3, reveals(c, sub.id)) // height 4: the window's 3 blocks have passed
    expect(rec.final).toMatchObject({ score: SCORE, rule: 'quorum', deviating: [] })
    expect(submissionOutcome(rec)).toBe('quorum')
    // The epoch it is final in (slot 10: epoch 1) closes into weights with its miner.
    let closed
    while (!closed) closed = next(c, 3, []).events.find((e) => e.type === 'epochClosed' && e.result.epoch === rec.final!.epoch)
    expect(closed.type === 'epochClosed' && closed.result.uids.map((u) => closed.result.miners[u])).toEqual([ids[4]])
  })

  it('a 26-slot gap (a validator hand-over) after the submission: commits and reveals in the first blocks after it count', () => {
    const c = funded()
    const sub = c.submission('handover')
    c.apply(1, [sub.tx])
    next(c, 26, commits(c, sub.id)) // slot 27, far past the old deadline slot (9)
    const rec = c.s.evals.submissions.get(sub.id)!
    expect(rec.final).toBeUndefined()
    next(c, 1, [])
    next(c, 1, reveals(c, sub.id))
    expect(rec.final).toMatchObject({ score: SCORE, rule: 'quorum' })
  })

  it('with nothing revealed, the deadline still comes: deadlineHeight blocks later, no result', () => {
    const c = funded()
    const sub = c.submission('silent')
    c.apply(1, [sub.tx])
    const rec = c.s.evals.submissions.get(sub.id)!
    while (c.s.height < rec.deadlineHeight - 1) next(c, 5, [])
    expect(rec.final).toBeUndefined()
    next(c, 5, [])
    expect(submissionOutcome(rec)).toBe('no-result')
  })

  it('a snapshot inside the windows restores them: the same root, the same final score', () => {
    const c = funded()
    const sub = c.submission('snap')
    c.apply(1, [sub.tx])
    next(c, 3, commits(c, sub.id))
    const r = restoreLedger(snapshotLedger(c.s))
    expect(ledgerStateRoot(r)).toBe(ledgerStateRoot(c.s))
    expect(r.evals.submissions.get(sub.id)).toMatchObject({ revealHeight: 4, deadlineHeight: 9 })
    const rest = [[], reveals(c, sub.id)]
    for (const txs of rest) { const slot = c.s.lastSlot + 3; applyAt(c.s, slot, txs); applyAt(r, slot, txs) }
    expect(ledgerStateRoot(r)).toBe(ledgerStateRoot(c.s))
    expect(r.evals.submissions.get(sub.id)!.final).toMatchObject({ score: SCORE, rule: 'quorum' })
  })
})
