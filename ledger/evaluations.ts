// The evaluation ledger (pure): submissions with their committees, evaluation reports, final scores and
// per-epoch weight results. Driven by the block applier; no I/O, no clock — heights and slots come from
// block headers. The commit window and the deadline are counted in blocks: a slow chain (fewer blocks than
// slots: load, a hand-over) stretches them in time instead of closing them before a block could include a
// commit or a reveal, and a chain decides at most one block per slot, so they never last fewer slots.
import { finalizeScore, provesDeviation, type CommitteeMember } from './scoring/finality.ts'
import { epochWeights, type WeightVector } from './scoring/weights.ts'
import { hashValue } from '../core/encoding.ts'
import { toHex } from '../core/bytes.ts'
import { peek } from '../core/tracked-map.ts'
import { reportCommitment, type EvaluationReport, type ReportCommit } from './txs.ts'

export interface StoredReport { validator: string; score: number; fuelUsed: bigint; outputHash: string; ok: boolean; slot: number }

export interface SubmissionRecord {
  id: string
  miner: string
  challenge: string
  payloadCid: string
  payloadBytes: number
  height: number
  slot: number
  epoch: number
  /** Hex seed of the challenge instance (challengeInstanceSeed of the epoch at inclusion): what the committee runs. */
  seed: string
  /** Commitments are accepted in blocks below this height, reveals from it on. */
  revealHeight: number
  /** From the block at this height on the score is final whatever was revealed (the median, or no result). */
  deadlineHeight: number
  committee: CommitteeMember[]
  /** Report commitments by committee member, in inclusion order. */
  commits: { validator: string; commitment: string }[]
  /** In inclusion (consensus) order. */
  reports: StoredReport[]
  /** rule 'empty': no member had a result by the deadline — final, but no score (its 0 is not a score). */
  final?: { score: number; outputHash?: string; rule: string; deviating: string[]; slot: number; epoch: number }
}

/** How a submission ended: not yet, scored (by quorum or median), or final with no result from anyone. */
export type SubmissionOutcome = 'pending' | 'quorum' | 'median' | 'no-result'
export const submissionOutcome = (s: SubmissionRecord): SubmissionOutcome =>
  !s.final ? 'pending' : s.final.rule === 'empty' ? 'no-result' : (s.final.rule as 'quorum' | 'median')

export interface EpochResult {
  epoch: number
  /** Miner member ids by uid (uid = index of first submission ever, stable across epochs). */
  miners: string[]
  uids: number[]
  weights: number[]
  /** sha256 of the canonical (epoch, uids, weights): what validators certify. */
  weightsHash: string
}

/** An epoch's weights with each uid's miner beside it (index-aligned): what the API serves and nodes keep. */
export interface EpochWeights { readonly uids: readonly number[]; readonly miners: readonly string[]; readonly weights: readonly number[] }

export const epochWeightsOf = (r: EpochResult): EpochWeights => ({ uids: r.uids, miners: r.uids.map((u) => r.miners[u] ?? ''), weights: r.weights })

export interface EvalState {
  submissions: Map<string, SubmissionRecord>
  /** Ids of submissions not yet final, in inclusion order. */
  pending: string[]
  /** uid → miner, in order of first submission. */
  miners: string[]
  minerUid: Map<string, number>
  results: Map<number, EpochResult>
}

export const emptyEvalState = (): EvalState => ({ submissions: new Map(), pending: [], miners: [], minerUid: new Map(), results: new Map() })

/**
 * The seed of `challenge`'s instance in the epoch whose seed is `epochSeed` (hex): per epoch, so no one
 * can work before the previous epoch's last block is decided, and per challenge, so instances differ.
 */
export const challengeInstanceSeed = (epochSeed: string, challenge: string): string => toHex(hashValue({ seed: 'agora/v1/instance', epochSeed, challenge }))

/** Submission id: hash of (miner, challenge, payload cid) — the first committer of a payload owns it. */
export const submissionIdOf = (challenge: string, payloadCid: string): string => toHex(hashValue({ challenge, payloadCid }))

export function addSubmission(s: EvalState, rec: Omit<SubmissionRecord, 'reports' | 'commits'>): void {
  s.submissions.set(rec.id, { ...rec, commits: [], reports: [] })
  s.pending.push(rec.id)
  if (!s.minerUid.has(rec.miner) && s.miners.length < 65_536) {
    s.minerUid.set(rec.miner, s.miners.length)
    s.miners.push(rec.miner)
  }
}

export type CommitOutcome = 'recorded' | 'unknown-submission' | 'not-in-committee' | 'duplicate' | 'window-closed'

/** A committee member's commitment to its report, in the block at `height`; only inside the commit window (below revealHeight). */
export function addCommit(s: EvalState, validator: string, c: ReportCommit, height: number): CommitOutcome {
  const sub = s.submissions.get(c.submission)
  if (!sub) return 'unknown-submission'
  if (!sub.committee.some((m) => m.validator === validator)) return 'not-in-committee'
  if (sub.commits.some((x) => x.validator === validator)) return 'duplicate'
  if (height >= sub.revealHeight) return 'window-closed'
  sub.commits.push({ validator, commitment: c.commitment })
  return 'recorded'
}

/** The block a duty lands in: its height judges the windows, its slot is recorded. */
export interface BlockAt { readonly height: number; readonly slot: number }

export type ReportOutcome = 'recorded' | 'unknown-submission' | 'not-in-committee' | 'duplicate' | 'late-deviating' | 'too-early' | 'no-commitment'

/**
 * Record a committee member's revealed report. After the score became final, a report still counts against its
 * author when it deviates from a final value that more than half of the committee's power backs (a liar is not
 * saved by being slow); against a weakly backed one (too few reports made the deadline) it is only late. A late
 * report that agrees can give the final value that majority: then the earlier reports that disagree are proven
 * deviating too. Everyone newly proven deviating is appended to `accused` (in report order).
 */
export function addReport(s: EvalState, validator: string, r: EvaluationReport, at: BlockAt, accused: string[] = []): ReportOutcome {
  const sub = s.submissions.get(r.submission)
  if (!sub) return 'unknown-submission'
  if (!sub.committee.some((m) => m.validator === validator)) return 'not-in-committee'
  if (sub.reports.some((x) => x.validator === validator)) return 'duplicate'
  // Reveals only once the commit window has closed, and only of what was committed.
  if (at.height < sub.revealHeight) return 'too-early'
  if (sub.commits.find((x) => x.validator === validator)?.commitment !== reportCommitment(validator, r)) return 'no-commitment'
  sub.reports.push({ validator, score: r.score, fuelUsed: BigInt(r.fuelUsed), outputHash: r.outputHash, ok: r.ok, slot: at.slot })
  const f = sub.final
  if (!f || !r.ok || !provesDeviation(finalBacking(sub), committeePower(sub))) return 'recorded'
  const newly = sub.reports.filter((x) => x.ok && !agreesWithFinal(f, x) && !f.deviating.includes(x.validator)).map((x) => x.validator)
  if (newly.length === 0) return 'recorded'
  f.deviating = [...f.deviating, ...newly].sort()
  accused.push(...newly)
  return newly.includes(validator) ? 'late-deviating' : 'recorded'
}

type Final = NonNullable<SubmissionRecord['final']>
const agreesWithFinal = (f: Final, r: { score: number; outputHash: string }) => r.score === f.score && (f.outputHash === undefined || r.outputHash === f.outputHash)
const committeePower = (sub: SubmissionRecord) => sub.committee.reduce((a, m) => a + m.power, 0n)
/** Power of the recorded reports (in time or late) that agree with the final value. */
function finalBacking(sub: SubmissionRecord): bigint {
  const power = new Map(sub.committee.map((m) => [m.validator, m.power]))
  return sub.reports.reduce((a, x) => (x.ok && agreesWithFinal(sub.final!, x) ? a + (power.get(x.validator) ?? 0n) : a), 0n)
}

export interface Finalized { submission: SubmissionRecord; deviating: string[] }

/** Finalize what can be at block `at`: any pending submission with a quorum, and every one whose deadline passed. */
export function finalizeReady(s: EvalState, at: BlockAt, epoch: number): Finalized[] {
  const done: Finalized[] = []
  const still: string[] = []
  for (const id of s.pending) {
    // Read only (peek) until it finalizes: a pending submission is not rehashed at every block.
    const sub = peek(s.submissions, id)!
    // "no result" reports (ok = false) are not votes on the score.
    const votes = sub.reports.filter((r) => r.ok).map((r) => ({ validator: r.validator, score: BigInt(r.score), outputHash: r.outputHash }))
    const f = finalizeScore(sub.committee, votes, { deadlinePassed: at.height >= sub.deadlineHeight })
    if (!f.final) { still.push(id); continue }
    s.submissions.get(id)
    sub.final = { score: Number(f.score), outputHash: f.outputHash, rule: f.rule, deviating: [...f.deviating], slot: at.slot, epoch }
    done.push({ submission: sub, deviating: [...f.deviating] })
  }
  s.pending = still
  return done
}

/** Weights for `epoch` from the best final score per (miner, challenge) finalized in that epoch. */
export function computeEpochResult(s: EvalState, epoch: number, challenges: readonly { id: string; emissionSharePpm: number }[]): EpochResult {
  const bestScores: { challengeId: string; uid: number; score: bigint }[] = []
  const ids = [...s.submissions.keys()].sort()
  for (const id of ids) {
    const sub = s.submissions.get(id)!
    // A submission no member had a result for is not a score of 0: it takes no part in the weights.
    if (!sub.final || sub.final.epoch !== epoch || submissionOutcome(sub) === 'no-result') continue
    const uid = s.minerUid.get(sub.miner)
    if (uid !== undefined) bestScores.push({ challengeId: sub.challenge, uid, score: BigInt(sub.final.score) })
  }
  const v: WeightVector = epochWeights({ challenges: challenges.map((c) => ({ id: c.id, emissionSharePpm: BigInt(c.emissionSharePpm) })), bestScores })
  const result: EpochResult = { epoch, miners: [...s.miners], uids: v.uids, weights: v.weights, weightsHash: toHex(hashValue({ epoch, uids: v.uids, weights: v.weights })) }
  s.results.set(epoch, result)
  return result
}

/** A submission as its state-root leaf and snapshot carry it (arrays of rows, no nested objects). */
export const submissionRow = (r: SubmissionRecord) => ({
  ...r, committee: r.committee.map((m) => [m.validator, m.power]), commits: r.commits.map((c) => [c.validator, c.commitment]),
  reports: r.reports.map((x) => [x.validator, x.score, x.fuelUsed, x.outputHash, x.ok, x.slot]),
})

/** Canonical, order-independent view of the evaluation state for snapshots (reads peek: marks nothing). */
export function evalStateView(s: EvalState) {
  const subs = [...s.submissions.keys()].sort().map((id) => submissionRow(peek(s.submissions, id)!))
  const results = [...s.results.keys()].sort((a, b) => a - b).map((e) => peek(s.results, e)!)
  return { subs, pending: s.pending, miners: s.miners, results }
}
