// The system's pools over evaluation duties. A deviating report opens a dispute pool whose honest side the
// ledger sizes (the rest of the validator set's power, not what some voter happened to stake) and in which
// the accused's own REP does not vote; at each epoch close every validator's duties — done and missed —
// are recorded in an evidence post, and a pool pays for the done ones in proportion.
import type { MemberId } from '../core/ids.ts'
import * as forum from '../forum/index.ts'
import type { SubmissionRecord } from './evaluations.ts'
import { systemPoolOf, systemPostId } from './ids.ts'

/** Content of a dispute post: the voters' pointer to the disputed submission (pool-voter reads it). */
export const disputeContent = (submission: string): string => `dispute:${submission}`
export const disputedSubmission = (content: string | undefined): string | undefined =>
  content?.startsWith('dispute:') ? content.slice('dispute:'.length) : undefined

/** Open the dispute over `validator`'s report on `sub` at `height`; returns the pool id (undefined if it could not open). */
export function openDispute(s: forum.ForumState, sub: SubmissionRecord, validator: string, height: number, slot: number): string | undefined {
  const post = systemPostId('dispute', `${sub.id}/${validator}`, height)
  const accused = validator as MemberId
  const r = forum.applyTx(s, { type: 'Post', sender: forum.SYSTEM_SENDER, id: post, authors: { [validator]: 1_000_000 }, citations: {}, content: disputeContent(sub.id) }, { slot, height })
  if (!r.ok) return undefined
  let honestWeight = 0n
  for (const v of s.validators) if (v.member !== accused) honestWeight += v.power
  const pool = systemPoolOf(post)
  forum.openDisputePool(s, { id: pool, post, accused, honestWeight })
  const free = forum.freeOf(s, accused)
  const bondParam = BigInt(s.params.disputeBond)
  const bond = free < bondParam ? free : bondParam
  if (bond > 0n) forum.applyTx(s, { type: 'Stake', sender: accused, pool, amount: bond, inFavor: true }, { slot, height })
  return pool
}

/** Duties of epoch `e` per validator: reports that agreed with the final value, and committee seats left empty. */
export function dutiesOf(subs: Iterable<SubmissionRecord>, e: number): Map<string, { done: number; missed: number }> {
  const out = new Map<string, { done: number; missed: number }>()
  const at = (v: string) => { let d = out.get(v); if (!d) { d = { done: 0, missed: 0 }; out.set(v, d) } return d }
  for (const sub of subs) {
    if (sub.final?.epoch !== e) continue
    const reported = new Set(sub.reports.map((r) => r.validator))
    for (const r of sub.reports) if (!sub.final.deviating.includes(r.validator)) at(r.validator).done++
    // A member that never revealed inside the deadline missed its duty (a backstop "no result" is a report).
    for (const c of sub.committee) if (!reported.has(c.validator)) at(c.validator).missed++
  }
  return out
}

/**
 * Record each validator's duties of epoch `e` in an evidence post (content `duties:<done> missed:<missed>`)
 * and open a pool paying evidenceFee × done / (done + missed): missing duties costs the reward.
 */
export function openEvidencePools(s: forum.ForumState, subs: Iterable<SubmissionRecord>, e: number, height: number, slot: number): void {
  const duties = dutiesOf(subs, e)
  for (const validator of [...duties.keys()].sort()) {
    const { done, missed } = duties.get(validator)!
    const post = systemPostId('evidence', `${validator}/${e}`, height)
    const r = forum.applyTx(s, { type: 'Post', sender: forum.SYSTEM_SENDER, id: post, authors: { [validator]: 1_000_000 }, citations: {}, content: `duties:${done} missed:${missed}` }, { slot, height })
    if (!r.ok || done === 0) continue
    const fee = (BigInt(s.params.evidenceFee) * BigInt(done)) / BigInt(done + missed)
    forum.applyTx(s, { type: 'InitiatePool', sender: forum.SYSTEM_SENDER, id: systemPoolOf(post), post, fee }, { slot, height })
  }
}
