// POOL_VOTE decisions under an operator policy: default abstain inside the envelope, against outside the
// operator's range, explicit lists, disputes by the ledger's final value; and the policy file round trip.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { applyTxOrThrow, createState, openDisputePool, type ForumState } from '../../forum/index.ts'
import { parseRep } from '../../core/amount.ts'
import type { MemberId, PoolId, PostId } from '../../core/ids.ts'
import type { SubmissionRecord } from '../../ledger/evaluations.ts'
import { decidePoolVote, DEFAULT_VOTE_POLICY, type VotePolicyInput } from '../../validator/core/pool-voter.ts'
import { loadVotePolicy, parseVotePolicy, saveVotePolicy, votePolicyPath } from '../../validator/app/vote-policy.ts'

const SELF = 'node1'
const policy = (p: Omit<VotePolicyInput, 'version'> = {}) => parseVotePolicy({ version: 1, ...p })

/** A state with a governance pool on a post changing `changes`; returns the pool id. */
function govPool(changes: Record<string, number>): { s: ForumState; pool: string } {
  const s = createState({ rep: { [SELF]: parseRep('100'), alice: parseRep('100') } })
  applyTxOrThrow(s, { type: 'Post', sender: 'alice' as MemberId, id: 'G' as PostId, authors: { alice: 1_000_000 }, citations: {}, payload: { kind: 'params', changes } }, { slot: 0 })
  applyTxOrThrow(s, { type: 'InitiatePool', sender: '@system' as MemberId, id: 'VG' as PoolId, post: 'G' as PostId, fee: BigInt(s.params.govMinPoolFee) }, { slot: 0 })
  return { s, pool: 'VG' }
}
const view = (s: ForumState, subs: SubmissionRecord[] = []) => ({ forum: s, submissions: new Map(subs.map((x) => [x.id, x])) })

describe('governance votes', () => {
  it('abstains inside the envelope by default, and stakes stakePpm of free REP when a list says so', () => {
    const { s, pool } = govPool({ committeeSize: 8 })
    expect(decidePoolVote(view(s), SELF, pool, DEFAULT_VOTE_POLICY)).toMatchObject({ vote: 'abstain' })
    const p = policy({ params: { committeeSize: 'for' }, stakePpm: 250_000 })
    expect(decidePoolVote(view(s), SELF, pool, p)).toEqual({ vote: 'for', amount: parseRep('25'), reason: expect.any(String) })
    expect(decidePoolVote(view(s), SELF, pool, policy({ posts: { G: 'against' }, params: { committeeSize: 'for' } }))).toMatchObject({ vote: 'against' })
  })

  it('votes against a change outside the operator\'s narrower range, whatever the lists', () => {
    const { s, pool } = govPool({ committeeSize: 16 })
    const p = policy({ envelope: { committeeSize: [4, 8] }, params: { committeeSize: 'for' } })
    expect(decidePoolVote(view(s), SELF, pool, p)).toMatchObject({ vote: 'against', reason: expect.stringMatching(/committeeSize=16 outside/) })
  })

  it('never votes twice, nor on a closed pool', () => {
    const { s, pool } = govPool({ committeeSize: 8 })
    const p = policy({ default: 'for' })
    applyTxOrThrow(s, { type: 'Stake', sender: SELF as MemberId, pool: pool as PoolId, amount: 1n, inFavor: true }, { slot: 1 })
    expect(decidePoolVote(view(s), SELF, pool, p)).toMatchObject({ vote: 'abstain', reason: 'already staked' })
    const fresh = govPool({ committeeSize: 8 })
    applyTxOrThrow(fresh.s, { type: 'ResolvePool', sender: '@system' as MemberId, pool: fresh.pool as PoolId }, { slot: 1000 })
    expect(decidePoolVote(view(fresh.s), SELF, fresh.pool, p)).toMatchObject({ vote: 'abstain', reason: 'pool not open' })
  })
})

describe('dispute votes', () => {
  const setup = (accused: string, deviating: string[]) => {
    const s = createState({ rep: { [SELF]: parseRep('100'), liar: parseRep('100') } })
    applyTxOrThrow(s, { type: 'Post', sender: '@system' as MemberId, id: 'D' as PostId, authors: { [accused]: 1_000_000 }, citations: {}, content: 'dispute:sub1' }, { slot: 0 })
    openDisputePool(s, { id: 'VD' as PoolId, post: 'D' as PostId, accused: accused as MemberId, honestWeight: parseRep('300') })
    const sub = { id: 'sub1', final: { score: 1, rule: 'quorum', deviating, slot: 0, epoch: 0 } } as unknown as SubmissionRecord
    return { s, sub }
  }
  it('stakes against a report the final value proved deviating; abstains otherwise or when accused itself', () => {
    const a = setup('liar', ['liar'])
    expect(decidePoolVote(view(a.s, [a.sub]), SELF, 'VD', DEFAULT_VOTE_POLICY)).toMatchObject({ vote: 'against', amount: parseRep('5') })
    const b = setup('liar', [])
    expect(decidePoolVote(view(b.s, [b.sub]), SELF, 'VD', DEFAULT_VOTE_POLICY)).toMatchObject({ vote: 'abstain' })
    const c = setup(SELF, [SELF])
    expect(decidePoolVote(view(c.s, [c.sub]), SELF, 'VD', DEFAULT_VOTE_POLICY)).toMatchObject({ vote: 'abstain' })
    expect(decidePoolVote(view(a.s), SELF, 'VD', DEFAULT_VOTE_POLICY)).toMatchObject({ vote: 'abstain' }) // pruned submission
  })
})

describe('vote policy file', () => {
  it('is the default when absent, round-trips through save, and a bad file is refused with VOTE_POLICY', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agora-policy-'))
    expect(loadVotePolicy(dir)).toEqual(DEFAULT_VOTE_POLICY)
    const saved = saveVotePolicy(dir, { version: 1, params: { slotMs: 'against' }, envelope: { committeeSize: [4, 16] } })
    expect(loadVotePolicy(dir)).toEqual(saved)
    for (const bad of ['{', JSON.stringify({ version: 2 }), JSON.stringify({ version: 1, params: { slotMs: 'maybe' } }), JSON.stringify({ version: 1, envelope: { x: [5, 1] } })]) {
      writeFileSync(votePolicyPath(dir), bad)
      expect(() => loadVotePolicy(dir), bad).toThrow(expect.objectContaining({ code: 'VOTE_POLICY' }))
    }
  })
})
