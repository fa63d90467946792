// Final score of one submission from its committee's evaluation reports. Final as soon as members holding
// more than 2/3 of the committee's power report the same output hash; otherwise, once the deadline has
// passed, the power-weighted median (kappa) of the reported scores. Reports that deviate from a value more
// than half of the committee's power backs are flagged so the ledger can open a dispute pool for each.
// Pure and order-independent.
import { AgoraError } from '../../core/errors.ts'
import { DEFAULT_KAPPA_U16, weightedMedian } from './median.ts'

export interface CommitteeMember {
  readonly validator: string
  /** Voting power (availability stake) fixed for the epoch. */
  readonly power: bigint
}

export interface ScoreReport {
  readonly validator: string
  /** Score in PPM (0 … 1,000,000). */
  readonly score: bigint
  /** Hex (or any canonical string) hash of the evaluation output. */
  readonly outputHash: string
}

export type FinalityRule = 'quorum' | 'median' | 'pending' | 'empty'

export interface ScoreFinality {
  readonly final: boolean
  /** How it was decided: a > 2/3 quorum on one output hash, the median at the deadline, not yet, or no reports. */
  readonly rule: FinalityRule
  /** The final score (PPM); the leading candidate's while pending; 0n when empty. */
  readonly score: bigint
  /** The agreed output hash (quorum), or the best-backed hash among reports with the median score. */
  readonly outputHash?: string
  /** Power behind the final value (the hash for a quorum, the score for a median). */
  readonly agreeingPower: bigint
  readonly reportedPower: bigint
  readonly committeePower: bigint
  /** Validators whose report deviates from the final value, sorted; empty while pending or when no majority backs it. */
  readonly deviating: readonly string[]
  /** Reports ignored: from non-members or a member's second report, sorted. */
  readonly ignored: readonly string[]
}

export interface FinalizeOptions {
  readonly deadlinePassed: boolean
  /** Majority ratio for the median, as a u16 ratio (default 32767/65535). */
  readonly kappaU16?: number
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** More than 2/3 of the total: 3·part > 2·total (integers, no rounding). */
export const isQuorum = (part: bigint, total: bigint): boolean => total > 0n && 3n * part > 2n * total

/**
 * A final value proves a report deviating only when more than half of the committee's power backs it. With
 * less, the reports that made the deadline may be a liar's and one slow honest member's, and the median of
 * those two is the liar's as often as not: nobody can tell which one deviates, so nobody is accused.
 */
export const provesDeviation = (backing: bigint, committeePower: bigint): boolean => 2n * backing > committeePower

export function finalizeScore(committee: readonly CommitteeMember[], reports: readonly ScoreReport[], opts: FinalizeOptions): ScoreFinality {
  const powerOf = new Map<string, bigint>()
  let committeePower = 0n
  for (const m of committee) {
    if (m.power < 0n) throw new AgoraError('BAD_COMMITTEE', `negative power for ${m.validator}`)
    if (powerOf.has(m.validator)) throw new AgoraError('BAD_COMMITTEE', `duplicate committee member ${m.validator}`)
    powerOf.set(m.validator, m.power)
    committeePower += m.power
  }

  // One report per member counts: the first in the (consensus-ordered) list; the rest are ignored.
  const counted: ScoreReport[] = []
  const seen = new Set<string>()
  const ignored: string[] = []
  for (const r of reports) {
    if (!powerOf.has(r.validator) || seen.has(r.validator)) { ignored.push(r.validator); continue }
    if (r.score < 0n) throw new AgoraError('BAD_REPORT', `negative score from ${r.validator}`)
    seen.add(r.validator)
    counted.push(r)
  }
  ignored.sort(cmp)
  counted.sort((a, b) => cmp(a.validator, b.validator))
  const reportedPower = counted.reduce((s, r) => s + powerOf.get(r.validator)!, 0n)
  const base = { reportedPower, committeePower, ignored }

  if (counted.length === 0) {
    return { ...base, final: opts.deadlinePassed, rule: opts.deadlinePassed ? 'empty' : 'pending', score: 0n, agreeingPower: 0n, deviating: [] }
  }

  const byHash = new Map<string, { power: bigint; reports: ScoreReport[] }>()
  for (const r of counted) {
    const g = byHash.get(r.outputHash) ?? { power: 0n, reports: [] }
    g.power += powerOf.get(r.validator)!
    g.reports.push(r)
    byHash.set(r.outputHash, g)
  }
  // Leading hash: most power, then the smallest hash (a total order, so every node picks the same).
  const [leadHash, lead] = [...byHash.entries()].sort((a, b) => (a[1].power !== b[1].power ? (a[1].power > b[1].power ? -1 : 1) : cmp(a[0], b[0])))[0]!
  const medianOf = (rs: readonly ScoreReport[]) => weightedMedian(rs.map((r) => r.score), rs.map((r) => powerOf.get(r.validator)!), opts.kappaU16 ?? DEFAULT_KAPPA_U16)

  if (isQuorum(lead.power, committeePower)) {
    // Same output ⇒ same score for honest members; the median guards against a mislabelled score.
    const score = medianOf(lead.reports)
    const deviating = counted.filter((r) => r.outputHash !== leadHash || r.score !== score).map((r) => r.validator)
    return { ...base, final: true, rule: 'quorum', score, outputHash: leadHash, agreeingPower: lead.power, deviating }
  }

  const score = medianOf(counted)
  const atScore = counted.filter((r) => r.score === score)
  const agreeingPower = atScore.reduce((s, r) => s + powerOf.get(r.validator)!, 0n)
  if (!opts.deadlinePassed) {
    return { ...base, final: false, rule: 'pending', score, agreeingPower, deviating: [] }
  }
  const hashPower = new Map<string, bigint>()
  for (const r of atScore) hashPower.set(r.outputHash, (hashPower.get(r.outputHash) ?? 0n) + powerOf.get(r.validator)!)
  const outputHash = [...hashPower.entries()].sort((a, b) => (a[1] !== b[1] ? (a[1] > b[1] ? -1 : 1) : cmp(a[0], b[0])))[0]![0]
  const deviating = provesDeviation(agreeingPower, committeePower) ? counted.filter((r) => r.score !== score).map((r) => r.validator) : []
  return { ...base, final: true, rule: 'median', score, outputHash, agreeingPower, deviating }
}
