// Dense matrix and vector operations of subtensor's epoch (math.rs), in exact I32F32 (../fixed.ts).
// A matrix is one Float64Array per validator row (columns = uids); Float64Array holds the raw integers
// exactly. Each function says which subtensor operation it mirrors.
import { type Fixed, ONE, div, mul, sum } from '../fixed.ts'
import { weightedMedianFixed } from '../median.ts'

export type Matrix = Float64Array[]

export const zeros = (rows: number, cols: number): Matrix => Array.from({ length: rows }, () => new Float64Array(cols))

/** u16 rows → I32F32 rows normalised to sum 1 (`inplace_row_normalize` of integer weights), exactly. */
export function rowNormalizeU16(rows: readonly (readonly number[])[], cols: number): Matrix {
  return rows.map((row) => {
    const out = new Float64Array(cols)
    let total = 0
    for (let j = 0; j < cols; j++) total += row[j]!
    // (w·2^32)/(Σw·2^32) in I32F32 is floor(w·2^32/Σw): divide the integers directly.
    if (total > 0) for (let j = 0; j < cols; j++) out[j] = row[j]! === 0 ? 0 : div(row[j]!, total)
    return out
  })
}

/** r_j = Σ_i s_i · m_ij (`matmul`). */
export function matmul(m: Matrix, s: Float64Array, cols: number): Float64Array {
  const out = new Float64Array(cols)
  for (let i = 0; i < m.length; i++) {
    const si = s[i]!
    if (si === 0) continue
    const row = m[i]!
    for (let j = 0; j < cols; j++) if (row[j]! !== 0) out[j] += mul(si, row[j]!)
  }
  return out
}

/** d_i = Σ_j v_j · m_ij (`matmul_transpose`). */
export function matmulTranspose(m: Matrix, v: Float64Array): Float64Array {
  const out = new Float64Array(m.length)
  for (let i = 0; i < m.length; i++) {
    const row = m[i]!
    let acc = 0
    for (let j = 0; j < row.length; j++) if (row[j]! !== 0 && v[j]! !== 0) acc += mul(v[j]!, row[j]!)
    out[i] = acc
  }
  return out
}

/** u16 columns → I32F32 columns normalised to sum 1 (original Yuma's stored bonds), exactly. */
export function colNormalizeU16(rows: readonly (readonly number[])[], cols: number): Matrix {
  const sums = new Float64Array(cols)
  for (const row of rows) for (let j = 0; j < cols; j++) sums[j] += row[j]!
  return rows.map((row) => Float64Array.from({ length: cols }, (_, j) => (row[j]! === 0 ? 0 : div(row[j]!, sums[j]!))))
}

/** Row sums (`row_sum`). */
export const rowSum = (m: Matrix): Float64Array => Float64Array.from(m, (row) => sum(row))

/** Stake-weighted median per column over rows with positive stake (`weighted_median_col`). */
export function weightedMedianCol(stake: Float64Array, m: Matrix, cols: number, kappa: Fixed): Float64Array {
  const rows: number[] = []
  for (let i = 0; i < stake.length; i++) if (stake[i]! > 0) rows.push(i)
  const out = new Float64Array(cols)
  if (rows.length === 0) return out
  const useStake = Float64Array.from(rows, (i) => stake[i]!)
  const total = sum(useStake)
  for (let k = 0; k < useStake.length; k++) useStake[k] = div(useStake[k]!, total)
  const stakeSum = sum(useStake)
  const minority = stakeSum - kappa
  const keys = new Float64Array(rows.length)
  for (let j = 0; j < cols; j++) out[j] = weightedMedianFixed(rows.length, (r) => m[rows[r]!]![j]!, useStake, minority, keys)
  return out
}

/** min(m_ij, c_j) (`inplace_col_clip`), as a new matrix. */
export const colClip = (m: Matrix, c: Float64Array): Matrix =>
  m.map((row) => row.map((v, j) => (v < c[j]! ? v : c[j]!)))

/** a + ratio·(b − a) elementwise (`interpolate`); ratio 0 → a, 1 → b. Here b ≤ a (clipped weights). */
export function interpolate(a: Matrix, b: Matrix, ratio: Fixed): Matrix {
  if (ratio === 0) return a
  if (ratio === ONE) return b
  return a.map((row, i) => row.map((v, j) => v + mul(ratio, b[i]![j]! - v)))
}

/** m_ij · s_i (`row_hadamard`). */
export const rowHadamard = (m: Matrix, s: Float64Array): Matrix => m.map((row, i) => row.map((v) => mul(v, s[i]!)))

/** Each column divided by its sum where the sum is non-zero (`inplace_col_normalize`). */
export function colNormalizeInPlace(m: Matrix, cols: number): void {
  const sums = new Float64Array(cols)
  for (const row of m) for (let j = 0; j < cols; j++) sums[j] += row[j]!
  for (const row of m) for (let j = 0; j < cols; j++) if (sums[j]! !== 0 && row[j]! !== 0) row[j] = div(row[j]!, sums[j]!)
}

/** Each column divided by its max where non-zero (`inplace_col_max_upscale`). */
export function colMaxUpscaleInPlace(m: Matrix, cols: number): void {
  const maxes = new Float64Array(cols)
  for (const row of m) for (let j = 0; j < cols; j++) if (row[j]! > maxes[j]!) maxes[j] = row[j]!
  for (const row of m) for (let j = 0; j < cols; j++) if (maxes[j]! !== 0 && row[j]! !== 0) row[j] = div(row[j]!, maxes[j]!)
}

/** alpha·new + (1 − alpha)·old with one alpha (`mat_ema`). */
export function ema(next: Matrix, old: Matrix, alpha: Fixed): Matrix {
  const keep = ONE - alpha
  return next.map((row, i) => row.map((v, j) => mul(alpha, v) + mul(keep, old[i]![j]!)))
}

/** Per-entry alpha, result clamped to [0, 1] (`mat_ema_alpha`, liquid alpha). */
export function emaPerEntry(next: Matrix, old: Matrix, alpha: (i: number, j: number) => Fixed): Matrix {
  return next.map((row, i) => row.map((v, j) => {
    const a = alpha(i, j)
    const inc = mul(a, v)
    const out = mul(ONE - a, old[i]![j]!) + (inc > 0 ? inc : 0)
    return out > ONE ? ONE : out
  }))
}
