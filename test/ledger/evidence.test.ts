// Accountability: equivocation evidence (votes signed as the consensus layer signs them) slashes the
// offender once and removes it from the set at the boundary; a liar with more REP than any honest voter
// still loses its dispute; a committee member that never reports has a missed duty on record.
import { describe, expect, it } from 'vitest'
import { ONE_REP } from '../../core/amount.ts'
import { sha256 } from '../../core/hash.ts'
import { toHex, utf8 } from '../../core/bytes.ts'
import { restore, snapshot, stateRoot } from '../../forum/index.ts'
import type { MemberId } from '../../core/ids.ts'
import { ed25519VoteSigner, valueVote } from '../../validator/consensus/signing.ts'
import { makeEvidence } from '../../validator/consensus/evidence.ts'
import { MsgType } from '../../validator/consensus/types.ts'
import { checkpointEvidenceTxBody, evidenceTxBody } from '../../ledger/evidence.ts'
import { Domain, signBls } from '../../core/crypto/sign.ts'
import { chain, ids, keys } from './chain.ts'

const OFFENDER = 2
const signed = (who: number, height: number, round: number, value: string) => {
  const signer = ed25519VoteSigner(ids[who]!, keys[who]!.ed25519Seed)
  const vote = valueVote('block', height, round, MsgType.PREPARE, sha256(utf8(value)))
  return { vote, signer: signer.id, signature: signer.sign(vote) }
}
const evidence = (who: number, height: number, round = 0, a = 'x', b = 'y') =>
  evidenceTxBody(makeEvidence(signed(who, height, round, a), signed(who, height, round, b)), keys[who]!.ed25519PublicKey)

describe('equivocation evidence', () => {
  it('anyone may submit it: slashes slashPpm of the stake once, and the offender leaves the set at the boundary', () => {
    const c = chain({ balances: ['100', '100', '100', '100', '10'] })
    const before = c.s.forum.availability.get(ids[OFFENDER] as MemberId)!.amount
    const supply = c.s.forum.totals.burned
    const r = c.apply(1, [c.tx(4, evidence(OFFENDER, 1))]) // the miner reports it
    expect(r.outcomes[0]).toMatchObject({ ok: true })
    const slash = (before * BigInt(c.s.forum.params.slashPpm)) / 1_000_000n
    expect(r.events).toContainEqual({ type: 'slashed', validator: ids[OFFENDER], amount: slash })
    expect(c.s.forum.availability.get(ids[OFFENDER] as MemberId)!.amount).toBe(before - slash)
    expect(c.s.forum.totals.burned - supply).toBe(slash)
    expect(c.s.forum.validators.map((v) => v.member)).toContain(ids[OFFENDER]) // until the boundary
    // The same offence — even in another round or reported by someone else — slashes once.
    const again = c.apply(2, [c.tx(4, evidence(OFFENDER, 1)), c.tx(0, evidence(OFFENDER, 1, 3, 'p', 'q'))])
    expect(again.outcomes.map((o) => o.code)).toEqual(['EVIDENCE_DUPLICATE', 'EVIDENCE_DUPLICATE'])
    // The record of offences survives a snapshot (a restored node refuses the same evidence too).
    const restored = restore(snapshot(c.s.forum))
    expect(toHex(stateRoot(restored))).toBe(toHex(stateRoot(c.s.forum)))
    expect([...restored.slashed.values()]).toEqual([...c.s.forum.slashed.values()])
    c.apply(10, [])
    expect(c.s.forum.validators.map((v) => v.member)).not.toContain(ids[OFFENDER])
  })

  it('refuses votes that agree, a key that is not the offender\'s, and forged signatures', () => {
    const c = chain({ balances: ['100', '100', '100', '100', '10'] })
    const same = evidenceTxBody(makeEvidence(signed(1, 1, 0, 'x'), signed(1, 1, 0, 'x')), keys[1]!.ed25519PublicKey)
    const wrongKey = { ...evidence(1, 1), publicKey: evidence(0, 1).publicKey }
    const forged = evidence(1, 1)
    forged.second = { ...forged.second, signature: evidence(1, 1, 0, 'x', 'z').second.signature }
    const notStaked = evidence(5, 1)
    const r = c.apply(1, [c.tx(4, same), c.tx(4, wrongKey), c.tx(4, forged), c.tx(4, notStaked)])
    expect(r.outcomes.map((o) => o.code)).toEqual(['EVIDENCE_NOT_CONFLICTING', 'EVIDENCE_WRONG_KEY', 'EVIDENCE_BAD_SIGNATURE', 'EVIDENCE_NOT_SLASHABLE'])
    expect(c.s.forum.slashed.size).toBe(0)
  })
})

describe('checkpoint equivocation (parsig)', () => {
  const sig = (who: number, header: string) => {
    const valueHash = toHex(sha256(utf8(header)))
    return { valueHash, signature: toHex(signBls(keys[who]!.blsSecretKey, Domain.checkpoint, { checkpoint: valueHash })) }
  }
  it('two BLS signatures by one validator over different headers of one epoch slash it once; recent epochs only', () => {
    const c = chain({ balances: ['100', '100', '100', '100', '10'] })
    const body = checkpointEvidenceTxBody(ids[1]!, 0, sig(1, 'header-a'), sig(1, 'header-b'))
    const same = checkpointEvidenceTxBody(ids[1]!, 0, sig(1, 'header-a'), sig(1, 'header-a'))
    const forged = checkpointEvidenceTxBody(ids[1]!, 0, sig(1, 'header-a'), sig(2, 'header-b'))
    const r = c.apply(1, [c.tx(4, same), c.tx(4, forged), c.tx(4, body), c.tx(0, body)])
    expect(r.outcomes.map((o) => o.code ?? 'ok')).toEqual(['EVIDENCE_NOT_CONFLICTING', 'EVIDENCE_BAD_SIGNATURE', 'ok', 'EVIDENCE_DUPLICATE'])
    expect(r.events.filter((e) => e.type === 'slashed')).toHaveLength(1)
    c.apply(35, []) // epoch 3
    const old = c.apply(36, [c.tx(4, checkpointEvidenceTxBody(ids[2]!, 0, sig(2, 'x'), sig(2, 'y')))])
    expect(old.outcomes[0]).toMatchObject({ ok: false, code: 'EVIDENCE_TOO_OLD' })
  })
})

describe('disputes', () => {
  it('a liar holding more REP than any single honest voter still loses: its own stake does not vote', () => {
    // Validator 3 lies and holds 5000 REP; the honest validators hold 200 each.
    const c = chain({ balances: ['200', '200', '200', '5000', '10'] })
    const a = c.submission('liar')
    c.apply(1, [a.tx])
    c.apply(2, [c.commit(0, a.id, 7), c.commit(1, a.id, 7), c.commit(2, a.id, 7), c.commit(3, a.id, 1, 'lie')])
    c.apply(3, []) // a 3-block commit window
    const d = c.apply(4, [c.reveal(0, a.id, 7), c.reveal(1, a.id, 7), c.reveal(2, a.id, 7), c.reveal(3, a.id, 1, 'lie')])
    const opened = d.events.find((e) => e.type === 'dispute')
    if (opened?.type !== 'dispute') throw new Error('no dispute opened')
    const pool = opened.pool as never
    const liar = ids[3] as MemberId
    const repBefore = c.s.forum.accounts.get(liar)!.rep
    // The liar buys in with 4000 REP; one honest validator stakes 1 REP against.
    const r = c.apply(5, [c.tx(3, { type: 'Stake', pool, amount: (4000n * ONE_REP).toString(), inFavor: true }), c.tx(0, { type: 'Stake', pool, amount: ONE_REP.toString(), inFavor: false })])
    expect(r.outcomes.every((o) => o.ok)).toBe(true)
    c.through(4 + c.s.forum.params.poolDurationSlots)
    expect(c.s.forum.pools.get(pool)!.outcome).toMatchObject({ passed: false })
    const bond = BigInt(c.s.forum.params.disputeBond)
    expect(repBefore - c.s.forum.accounts.get(liar)!.rep).toBe(4000n * ONE_REP + bond)
    // The honest voter is paid from the liar's loss; the ledger's honest weight pays no one (burned).
    expect(c.s.forum.accounts.get(ids[0] as MemberId)!.rep).toBeGreaterThan(200n * ONE_REP)
  })

  it('a committee member that never reports has a missed duty on record after the window', () => {
    const c = chain({ balances: ['100', '100', '100', '100', '10'] })
    const a = c.submission('silent')
    c.apply(1, [a.tx])
    c.apply(2, [c.commit(0, a.id, 7), c.commit(1, a.id, 7), c.commit(2, a.id, 7)])
    c.apply(3, [])
    c.apply(4, [c.reveal(0, a.id, 7), c.reveal(1, a.id, 7), c.reveal(2, a.id, 7)])
    c.apply(10, []) // the epoch closes: duties go on record
    const contents = [...c.s.forum.posts.values()].filter((p) => p.content?.startsWith('duties:')).map((p) => [p.authors[0]!.member, p.content])
    expect(contents).toContainEqual([ids[3], 'duties:0 missed:1'])
    expect(contents).toContainEqual([ids[0], 'duties:1 missed:0'])
  })
})
