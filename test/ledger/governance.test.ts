// Governance through signed transactions: the 1 %-holder capture fails under defaults, a quorum-backed
// change passes and takes effect at the boundary, ids cannot be squatted, and every member transaction
// pays its governed fee (or uses the small per-epoch free quota).
import { describe, expect, it } from 'vitest'
import { ONE_REP } from '../../core/amount.ts'
import type { MemberId } from '../../core/ids.ts'
import { systemPostId, userPoolId, userPostId } from '../../ledger/ids.ts'
import { chain, ids } from './chain.ts'

const MALLORY = 5
const change = (changes: Record<string, number>) => ({ kind: 'params', changes })

describe('ledger governance', () => {
  it('the capture from the issue fails: outside the envelope, below the least fee, short of quorum', () => {
    // Validators hold 500 REP each, the miner 25; mallory 20 — about 1 % of all REP.
    const c = chain({ balances: ['500', '500', '500', '500', '25', '20'], credits: ['0', '0', '0', '0', '0', '20'] })
    const p1 = c.tx(MALLORY, { type: 'Post', id: userPostId(ids[MALLORY]!, c.nextNonce(MALLORY)), authors: { [ids[MALLORY]!]: 1_000_000 }, citations: {}, payload: change({ winRatioPpm: 1, mintingRatioPpm: 100_000_000 }) })
    expect(c.apply(1, [p1]).outcomes[0]).toMatchObject({ ok: false, code: 'OUTSIDE_ENVELOPE' })

    const post = userPostId(ids[MALLORY]!, c.nextNonce(MALLORY))
    const p2 = c.tx(MALLORY, { type: 'Post', id: post, authors: { [ids[MALLORY]!]: 1_000_000 }, citations: {}, payload: change({ mintingRatioPpm: 4_000_000 }) })
    const cheap = c.tx(MALLORY, { type: 'InitiatePool', id: userPoolId(ids[MALLORY]!, c.nextNonce(MALLORY)), post, fee: ONE_REP.toString() })
    const pool = userPoolId(ids[MALLORY]!, c.nextNonce(MALLORY))
    const real = c.tx(MALLORY, { type: 'InitiatePool', id: pool, post, fee: c.s.forum.params.govMinPoolFee.toString() })
    const stake = c.tx(MALLORY, { type: 'Stake', pool, amount: ONE_REP.toString(), inFavor: true })
    const r = c.apply(2, [p2, cheap, real, stake])
    expect(r.outcomes.map((o) => o.code ?? 'ok')).toEqual(['ok', 'BAD_POOL', 'ok', 'ok'])
    c.through(2 + c.s.forum.params.govMinDurationSlots)
    expect(c.s.forum.pools.get(pool)!.outcome).toMatchObject({ quorumMet: false, passed: false })
    c.apply(30, [])
    expect(c.s.forum.params.mintingRatioPpm).toBe(1_000_000)
  })

  it('a change backed by a quorum and a supermajority passes and takes effect at the next boundary', () => {
    const c = chain({ balances: ['500', '500', '500', '500', '25'], credits: ['20'] })
    const post = userPostId(ids[0]!, c.nextNonce(0))
    const p = c.tx(0, { type: 'Post', id: post, authors: { [ids[0]!]: 1_000_000 }, citations: {}, payload: change({ referenceChainLimit: 2 }) })
    const pool = userPoolId(ids[0]!, c.nextNonce(0))
    const open = c.tx(0, { type: 'InitiatePool', id: pool, post, fee: c.s.forum.params.govMinPoolFee.toString() })
    const votes = [0, 1, 2].map((who) => c.tx(who, { type: 'Stake', pool, amount: (300n * ONE_REP).toString(), inFavor: true }))
    const against = c.tx(3, { type: 'Stake', pool, amount: (100n * ONE_REP).toString(), inFavor: false })
    expect(c.apply(1, [p, open, ...votes, against]).outcomes.every((o) => o.ok)).toBe(true)
    c.through(9) // resolves (900 for, 100 against: 90 % ≥ 2/3, 1000 of ~2025 staked ≥ 10 %)
    expect(c.s.forum.pools.get(pool)!.outcome).toMatchObject({ quorumMet: true, passed: true })
    expect(c.s.forum.params.referenceChainLimit).toBe(3)
    c.apply(10, [])
    expect([c.s.forum.epoch, c.s.forum.params.referenceChainLimit]).toEqual([1, 2])
  })
})

describe('ids derive from the log', () => {
  it('a member cannot choose a post or pool id, nor take a future dispute id; the dispute opens where the log says', () => {
    const c = chain({ balances: ['1000', '1000', '1000', '1000', '10'], credits: ['1', '1', '1', '1', '1'] })
    const a = c.submission('squat')
    c.apply(1, [a.tx])
    // The liar (validator 3) predicts its own dispute id and tries to take it first.
    const predicted = systemPostId('dispute', `${a.id}/${ids[3]}`, 4)
    const squat = c.tx(3, { type: 'Post', id: predicted, authors: { [ids[3]!]: 1_000_000 }, citations: {} })
    const chosen = c.tx(4, { type: 'Post', id: 'my-nice-name', authors: { [ids[4]!]: 1_000_000 }, citations: {} })
    const r = c.apply(2, [squat, chosen, c.commit(0, a.id, 7), c.commit(1, a.id, 7), c.commit(2, a.id, 7), c.commit(3, a.id, 1, 'lie')])
    expect(r.outcomes.slice(0, 2).map((o) => o.code)).toEqual(['BAD_ID', 'BAD_ID'])
    c.apply(3, [])
    const d = c.apply(4, [c.reveal(0, a.id, 7), c.reveal(1, a.id, 7), c.reveal(2, a.id, 7), c.reveal(3, a.id, 1, 'lie')])
    const opened = d.events.find((e) => e.type === 'dispute')
    expect(opened).toMatchObject({ validator: ids[3], pool: `pool-${predicted}` })
    expect(c.s.forum.posts.get(predicted)!.authors).toEqual([{ member: ids[3], weightPpm: 1_000_000 }])
  })
})

describe('fees', () => {
  it('posts pay postFee into the fee pot; without credits a sender has freeTxsPerSender per epoch, then FEE_UNPAID', () => {
    const c = chain({ balances: ['100', '100', '100', '100', '10', '10'], credits: ['0', '0', '0', '0', '1'] })
    const p = c.s.forum.params
    const post = (who: number) => c.tx(who, { type: 'Post', id: userPostId(ids[who]!, c.nextNonce(who)), authors: { [ids[who]!]: 1_000_000 }, citations: {} })
    const paid = c.apply(1, [post(4)])
    expect(paid.outcomes[0]!.ok).toBe(true)
    expect(c.s.forum.accounts.get(ids[4] as MemberId)!.credits).toBe(ONE_REP - BigInt(p.postFee))
    expect(c.s.forum.feePot).toBe(BigInt(p.postFee))
    const free = c.apply(2, Array.from({ length: p.freeTxsPerSender + 1 }, () => post(MALLORY)))
    expect(free.outcomes.map((o) => o.code ?? 'ok')).toEqual([...Array(p.freeTxsPerSender).fill('ok'), 'FEE_UNPAID'])
    // The quota starts afresh at the boundary.
    expect(c.apply(10, [post(MALLORY)]).outcomes[0]!.ok).toBe(true)
  })

  it('submissions pay submissionFee when it is set', () => {
    const c = chain({ balances: ['100', '100', '100', '100', '10'], credits: ['0', '0', '0', '0', '1'], params: { submissionFee: 1000 } })
    expect(c.apply(1, [c.submission('fee').tx]).outcomes[0]!.ok).toBe(true)
    expect(c.s.forum.accounts.get(ids[4] as MemberId)!.credits).toBe(ONE_REP - 1000n)
  })
})
