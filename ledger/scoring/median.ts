// Stake-weighted median with a majority ratio kappa, as subtensor defines it (math.rs weighted_median):
// with the stake of the entries that hold any normalised to a total T and minority = T − kappa·T, the
// result is the smallest value v whose cumulative stake (of all entries ≤ v) exceeds the minority.
// Equivalently: the largest value that holds at least a kappa share of stake at or above it.
import { AgoraError } from '../../core/errors.ts'
import { type Fixed } from './fixed.ts'

export const U16_MAX = 65535
/** Subtensor's default kappa: 32767/65535 (just under one half). */
export const DEFAULT_KAPPA_U16 = 32767

/**
 * Exact weighted median over integers: `values[i]` backed by `stakes[i]` (any non-negative unit), kappa a
 * u16 ratio (kappa/65535). Entries with zero stake are ignored; 0n when no stake at all. Ties are grouped,
 * so the order of the input never matters.
 */
export function weightedMedian(values: readonly bigint[], stakes: readonly bigint[], kappaU16: number = DEFAULT_KAPPA_U16): bigint {
  if (values.length !== stakes.length) throw new AgoraError('BAD_MEDIAN_INPUT', `weightedMedian: ${values.length} values but ${stakes.length} stakes`)
  if (!Number.isInteger(kappaU16) || kappaU16 < 0 || kappaU16 > U16_MAX) throw new AgoraError('BAD_KAPPA', `kappa must be a u16, got ${kappaU16}`)
  const idx: number[] = []
  let total = 0n
  for (let i = 0; i < values.length; i++) {
    if (stakes[i]! < 0n) throw new AgoraError('BAD_MEDIAN_INPUT', `weightedMedian: negative stake at ${i}`)
    if (stakes[i]! > 0n) { idx.push(i); total += stakes[i]! }
  }
  if (idx.length === 0) return 0n
  idx.sort((a, b) => (values[a]! < values[b]! ? -1 : values[a]! > values[b]! ? 1 : a - b))
  // cumulative/total > 1 − kappa/65535  ⇔  cumulative·65535 > total·(65535 − kappa)
  const threshold = total * BigInt(U16_MAX - kappaU16)
  let cumulative = 0n
  for (const i of idx) {
    cumulative += stakes[i]!
    if (cumulative * BigInt(U16_MAX) > threshold) return values[i]!
  }
  return values[idx[idx.length - 1]!]!
}

/**
 * The same selection in I32F32 over one column. `keys[r]` must hold `value(r) · rows + r` (value and row
 * packed into one exact number, so a numeric typed-array sort orders by value); `stake` is the normalised
 * positive stake per row and `minority` = Σstake − kappa. Used by the Yuma emulator for every miner column.
 */
export function weightedMedianFixed(keys: Float64Array, rows: number, stake: Float64Array, minority: Fixed): Fixed {
  if (rows === 0) return 0
  const sorted = keys.subarray(0, rows).sort()
  let cumulative = 0
  for (let k = 0; k < rows; k++) {
    const r = sorted[k]! % rows
    cumulative += stake[r]!
    if (cumulative > minority) return (sorted[k]! - r) / rows
  }
  const last = sorted[rows - 1]!
  return (last - (last % rows)) / rows
}
