// Dense matrix and vector operations of subtensor's epoch (math.rs), in exact I32F32 (../fixed.ts).
// A matrix is one Float64Array per validator row (columns = uids); Float64Array holds the raw integers
// exactly. Each function says which subtensor operation it mirrors. Hot loops use the exact fast paths
// of ./exact.ts (same results as ../fixed.ts).
import { type Fixed, ONE, sum } from '../fixed.ts'
import { weightedMedianFixed } from '../median.ts'
import { fdiv as div, fmul as mul } from './exact.ts'

export type Matrix = Float64Array[]

export const zeros = (rows: number, cols: number): Matrix => Array.from({ length: rows }, () => new Float64Array(cols))

/**
 * u16 rows → I32F32 rows normalised to sum 1 (`inplace_row_normalize` of integer weights), exactly; row k's
 * entry at column skip[k] counts as 0 (the masked self-weight), so the input is never copied.
 */
export function rowNormalizeU16(rows: readonly (readonly number[])[], cols: number, skip: readonly number[]): Matrix {
  return rows.map((row, k) => {
    const out = new Float64Array(cols)
    const self = skip[k]!
    let total = 0
    for (let j = 0; j < cols; j++) total += row[j]!
    total -= row[self]!
    // (w·2^32)/(Σw·2^32) in I32F32 is floor(w·2^32/Σw): divide the integers directly.
    if (total > 0) for (let j = 0; j < cols; j++) out[j] = row[j]! === 0 || j === self ? 0 : div(row[j]!, total)
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
  return rows.map((row) => {
    const out = new Float64Array(cols)
    for (let j = 0; j < cols; j++) if (row[j]! !== 0) out[j] = div(row[j]!, sums[j]!)
    return out
  })
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
  const used = rows.map((i) => m[i]!)
  const p = used.length
  for (let j = 0; j < cols; j++) {
    for (let r = 0; r < p; r++) keys[r] = used[r]![j]! * p + r
    out[j] = weightedMedianFixed(keys, p, useStake, minority)
  }
  return out
}

/** min(m_ij, c_j) (`inplace_col_clip`), as a new matrix. */
export function colClip(m: Matrix, c: Float64Array): Matrix {
  return m.map((row) => {
    const out = new Float64Array(row.length)
    for (let j = 0; j < row.length; j++) out[j] = row[j]! < c[j]! ? row[j]! : c[j]!
    return out
  })
}

/** a + ratio·(b − a) elementwise (`interpolate`); ratio 0 → a, 1 → b. */
export function interpolate(a: Matrix, b: Matrix, ratio: Fixed): Matrix {
  if (ratio === 0) return a
  if (ratio === ONE) return b
  return a.map((row, i) => {
    const other = b[i]!
    const out = new Float64Array(row.length)
    for (let j = 0; j < row.length; j++) out[j] = row[j]! + mul(ratio, other[j]! - row[j]!)
    return out
  })
}

/** m_ij · s_i (`row_hadamard`). */
export function rowHadamard(m: Matrix, s: Float64Array): Matrix {
  return m.map((row, i) => {
    const si = s[i]!
    const out = new Float64Array(row.length)
    if (si !== 0) for (let j = 0; j < row.length; j++) if (row[j]! !== 0) out[j] = mul(row[j]!, si)
    return out
  })
}

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
  return next.map((row, i) => {
    const prev = old[i]!
    const out = new Float64Array(row.length)
    for (let j = 0; j < row.length; j++) {
      const a = row[j]! === 0 ? 0 : mul(alpha, row[j]!)
      out[j] = prev[j]! === 0 ? a : a + mul(keep, prev[j]!)
    }
    return out
  })
}

/** Per-entry alpha, result clamped to [0, 1] (`mat_ema_alpha`, liquid alpha). */
export function emaPerEntry(next: Matrix, old: Matrix, alpha: (i: number, j: number) => Fixed): Matrix {
  return next.map((row, i) => {
    const prev = old[i]!
    const out = new Float64Array(row.length)
    for (let j = 0; j < row.length; j++) {
      const a = alpha(i, j)
      const inc = mul(a, row[j]!)
      const v = mul(ONE - a, prev[j]!) + (inc > 0 ? inc : 0)
      out[j] = v > ONE ? ONE : v
    }
    return out
  })
}
