// The epoch's weight vector: per miner, Σ over active challenges of emissionShare × the miner's best score
// normalised over that challenge's miners, max-upscaled to u16 (largest = 65535) as subtensor stores
// weights; plus the chain's acceptance rules. Exact bigint arithmetic: every node gets the same vector.
import { AgoraError } from '../../core/errors.ts'
import { PPM } from '../../core/amount.ts'
import { U16_MAX } from './median.ts'

export interface ChallengeShare {
  readonly id: string
  /** This challenge's share of the epoch's emission, PPM. */
  readonly emissionSharePpm: bigint
}

export interface BestScore {
  readonly challengeId: string
  /** The miner's uid (its column in the weight matrix). */
  readonly uid: number
  /** The miner's best final score in the challenge this epoch, PPM (clipped to [0, 1,000,000]). */
  readonly score: bigint
}

export interface WeightVector {
  /** Ascending miner uids with a non-zero weight. */
  readonly uids: number[]
  /** u16 weights, max-upscaled so the largest is 65535. */
  readonly weights: number[]
}

const gcd = (a: bigint, b: bigint): bigint => { while (b !== 0n) [a, b] = [b, a % b]; return a }

/**
 * Weights for the epoch. Scores for challenges not in `challenges` (inactive) are ignored; several scores
 * for the same (challenge, uid) keep the best. A miner with no weight is left out, so an epoch where
 * nobody scored gives empty vectors (which `checkWeights` with a minimum refuses to submit).
 */
export function epochWeights(input: { readonly challenges: readonly ChallengeShare[]; readonly bestScores: readonly BestScore[] }): WeightVector {
  const share = new Map<string, bigint>()
  for (const c of input.challenges) {
    if (c.emissionSharePpm < 0n || c.emissionSharePpm > PPM) throw new AgoraError('BAD_SHARE', `challenge ${c.id}: emission share ${c.emissionSharePpm} PPM out of [0, 1000000]`)
    if (share.has(c.id)) throw new AgoraError('BAD_SHARE', `challenge ${c.id} listed twice`)
    share.set(c.id, c.emissionSharePpm)
  }
  // best[challenge][uid] = clipped best score
  const best = new Map<string, Map<number, bigint>>()
  for (const s of input.bestScores) {
    if (!Number.isInteger(s.uid) || s.uid < 0 || s.uid > U16_MAX) throw new AgoraError('BAD_UID', `invalid miner uid ${s.uid}`)
    if (!share.has(s.challengeId)) continue
    const clipped = s.score < 0n ? 0n : s.score > PPM ? PPM : s.score
    const row = best.get(s.challengeId) ?? new Map<number, bigint>()
    if ((row.get(s.uid) ?? -1n) < clipped) row.set(s.uid, clipped)
    best.set(s.challengeId, row)
  }
  // value[uid] = Σ_c share_c · score_cu / total_c, exactly: every term over the common denominator L =
  // lcm(total_c), so ties (e.g. exactly half the maximum) round the same way the rationals would.
  const totals = new Map<string, bigint>()
  let common = 1n
  for (const [id, row] of best) {
    let total = 0n
    for (const v of row.values()) total += v
    if (total === 0n) continue
    totals.set(id, total)
    common = (common / gcd(common, total)) * total
  }
  const value = new Map<number, bigint>()
  for (const [id, total] of totals) {
    const factor = share.get(id)! * (common / total)
    for (const [uid, score] of best.get(id)!) value.set(uid, (value.get(uid) ?? 0n) + factor * score)
  }
  const uids = [...value.keys()].sort((a, b) => a - b)
  const upscaled = maxUpscaleU16(uids.map((u) => value.get(u)!))
  const out: WeightVector = { uids: [], weights: [] }
  uids.forEach((u, i) => { if (upscaled[i]! > 0) { out.uids.push(u); out.weights.push(upscaled[i]!) } })
  return out
}

/** Scale so the largest becomes 65535, rounding half up; all zero stays all zero. */
export function maxUpscaleU16(values: readonly bigint[]): number[] {
  let max = 0n
  for (const v of values) {
    if (v < 0n) throw new AgoraError('BAD_WEIGHT', `negative weight value ${v}`)
    if (v > max) max = v
  }
  if (max === 0n) return values.map(() => 0)
  return values.map((v) => Number((v * BigInt(U16_MAX) * 2n + max) / (2n * max)))
}

/** A dense row of n entries (the form a validator's row takes in the weight matrix). */
export function denseRow(vec: WeightVector, n: number): number[] {
  const row = new Array<number>(n).fill(0)
  vec.uids.forEach((u, i) => {
    if (u >= n) throw new AgoraError('BAD_UID', `uid ${u} outside ${n} neurons`)
    row[u] = vec.weights[i]!
  })
  return row
}

export interface WeightRules {
  /** Number of neurons: every uid must be below it. */
  readonly n?: number
  /** Minimum number of (uid, weight) entries (subtensor's min_allowed_weights). */
  readonly minAllowedWeights?: number
}

/** The chain's checks on a set_weights call; returns every violation (empty = acceptable). */
export function checkWeights(uids: readonly number[], weights: readonly number[], rules: WeightRules = {}): string[] {
  const errors: string[] = []
  if (uids.length !== weights.length) errors.push(`lengths differ: ${uids.length} uids, ${weights.length} weights`)
  const seen = new Set<number>()
  for (const u of uids) {
    if (!Number.isInteger(u) || u < 0 || u > U16_MAX) errors.push(`uid ${u} is not a u16`)
    else if (rules.n !== undefined && u >= rules.n) errors.push(`uid ${u} does not exist (n = ${rules.n})`)
    if (seen.has(u)) errors.push(`duplicate uid ${u}`)
    seen.add(u)
  }
  for (const w of weights) if (!Number.isInteger(w) || w < 0 || w > U16_MAX) errors.push(`weight ${w} is not a u16`)
  if (rules.minAllowedWeights !== undefined && uids.length < rules.minAllowedWeights) {
    errors.push(`too few weights: ${uids.length} < min_allowed_weights ${rules.minAllowedWeights}`)
  }
  return errors
}
