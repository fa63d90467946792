// The epoch's matrix work in one pass over blocks of BLOCK miner columns (subtensor math.rs, fused): each
// block copies its columns of the u16 input rows into small column-major buffers (entry (i, j) at
// (j − j0)·rows + i), runs every per-column step there (normalise, median, clip, rank, bond EMA, upscale),
// and writes the stored bonds back the same way; only the column-normalised bonds are kept, for the
// dividends, which need every column's incentive. Reading a block row by row touches each row's cache line
// once instead of once per column. Hot loops are call-free fast kernels that void a column (or row) when a
// float result is not proven exact, and the exact kernel then redoes it. Results equal the row-wise
// reference (test/ledger/scoring/yuma-reference) bit for bit: the same operations on the same integers,
// reordered only where sums are exact.
import { type Fixed, ONE as FIXED_ONE, div as fixedDiv, sum } from '../fixed.ts'
import { fdivBy as exactDivBy, fmul as exactMul, ftoU16, reciprocal as exactReciprocal, u16Proportion } from './exact.ts'
import { type LiquidAlphaRate, liquidAlpha } from './liquid.ts'
import { weightedMedianSelect } from './select.ts'

// Module-local bindings: the inner loops use these directly (an imported binding can cost a getter call).
const ONE = FIXED_ONE
const fdivBy = exactDivBy
const reciprocal = exactReciprocal
const fmul = exactMul
const toU16 = ftoU16
const medianSelect = weightedMedianSelect
const alphaOf = liquidAlpha
const proportion = u16Proportion

/** Columns per block: 16 u16 entries of a row share one or two cache lines; the buffers stay in L1/L2. */
const BLOCK = 32
const TWO_M32 = 2 ** -32
/** exact.ts fdivBy's bracket: a quotient's fraction this far from an integer, below LIMIT, floors exactly. */
const MARGIN = 2 ** -17
const LIMIT = 2 ** 34

/** u16 rows: plain arrays (as given) or Uint16Arrays (as a previous epoch stored its bonds). */
export type U16Rows = readonly ArrayLike<number>[]

/** u16 weight rows (validated), each row's sum without its self-weight, and each row's own uid (masked). */
export interface WeightRows {
  readonly rows: U16Rows
  readonly totals: Float64Array
  readonly self: readonly number[]
}

/** Columns [j0, j1) of the row-normalised weights (`inplace_row_normalize`, self-weight masked). */
function weightBlock(w: WeightRows, j0: number, j1: number, out: Float64Array): void {
  const { rows, totals, self } = w
  const v = rows.length
  for (let i = 0; i < v; i++) {
    const row = rows[i]!
    const total = totals[i]!
    const r = reciprocal(total)
    // (x·2^32)/(Σ·2^32) in I32F32 is floor(x·2^32/Σ); x ≠ 0 off the self-weight implies Σ > 0. fdivBy
    // written out without its fallback call (see the fast kernels below); an unsure quotient redoes the row.
    let sure = true
    for (let j = j0, c = i; j < j1; j++, c += v) {
      const x = row[j]!
      let q = 0
      if (x !== 0) {
        const t = x * r
        q = Math.floor(t)
        const f = t - q
        if (x === total) q = ONE
        else if (!(f > MARGIN && f < 1 - MARGIN && t < LIMIT)) sure = false
      }
      out[c] = q
    }
    if (!sure) for (let j = j0, c = i; j < j1; j++, c += v) { const x = row[j]!; out[c] = x === 0 ? 0 : fdivBy(x, total, r) }
    const s = self[i]!
    if (s >= j0 && s < j1) out[(s - j0) * v + i] = 0
  }
}

/** Columns [j0, j1) of u16 rows as they are; false if an entry is not a u16 (an integer in [0, 65535]). */
function u16Block(rows: U16Rows, j0: number, j1: number, out: Float64Array): boolean {
  const v = rows.length
  let ok = true
  for (let i = 0; i < v; i++) {
    const row = rows[i]!
    for (let j = j0, c = i; j < j1; j++, c += v) {
      const x = row[j]!
      if ((x & 0xffff) !== x) ok = false
      out[c] = x
    }
  }
  return ok
}

/** A block of stored bonds back into their rows. */
function storeBlock(block: Float64Array, j0: number, j1: number, stored: Uint16Array[]): void {
  const v = stored.length
  for (let i = 0; i < v; i++) {
    const row = stored[i]!
    for (let j = j0, c = i; j < j1; j++, c += v) row[j] = block[c]!
  }
}

/** The bond model's inputs (both variants). */
export interface BondParams {
  readonly yuma3: boolean
  /** The previous epoch's u16 bond rows (count and lengths checked; entries are checked here); null = all zero. */
  readonly bonds: U16Rows | null
  /** Called when a bond entry is not a u16: throws the input error. */
  readonly badBonds: () => never
  /** bondsPenalty as a raw ratio: 0 → raw weights, ONE → clipped weights (`interpolate`). */
  readonly penalty: Fixed
  /** The EMA's weight of the new value. */
  readonly alpha: Fixed
  /** Yuma 3 only: liquid alpha per entry instead of `alpha`. */
  readonly liquid: LiquidAlphaRate | null
  /** Stored u16 bonds, one array per row, written in place. */
  readonly stored: Uint16Array[]
}

export interface EpochColumns {
  readonly preranks: Float64Array
  readonly consensus: Float64Array
  /** Σ_i stake_i · clipped_ij, before normalisation. */
  readonly ranks: Float64Array
  /** Validator trust: Σ_j clipped_ij per row. */
  readonly trust: Float64Array
  /** The column-normalised bonds B_ij (block-major, as the weight blocks), for `bondDividends`. */
  readonly normalisedBonds: Float64Array
}

/**
 * The row-normalised weights would be the only matrix a second pass needs, and they are read only with
 * their column's median; the normalised bonds B_ij need nothing from other columns either. So one pass
 * over the blocks does everything per column, and keeps B for the one step that needs the incentive of
 * every column (`bondDividends`). B is kept in one buffer reused by every epoch of the process: a fresh
 * multi-MB typed array is mapped page by page on each use (measured 16× slower to fill than the blocks).
 */
let keptBonds = new Float64Array(0)

/**
 * Per column: the row-normalised weights, preranks, the stake-weighted median (`weighted_median_col` over
 * rows with positive stake, kappa a raw I32F32 ratio), clipping to it, ranks and validator trust, then
 * the bonds (stored as u16 in `b.stored`, normalised into `normalisedBonds`).
 * Original Yuma: ΔB = column-normalised (bond weights ∘ stake), B = column-normalised EMA of ΔB over the
 * column-normalised stored bonds, stored = column max-upscaled B. Yuma 3: the EMA of the bond weights over
 * the stored bond proportions (one alpha, or liquid alpha per entry, clamped to 1), stored as u16, B its
 * column-normalised value.
 */
export function epochColumns(w: WeightRows, stake: Float64Array, cols: number, kappa: Fixed, b: BondParams): EpochColumns {
  const rows = stake.length
  const preranks = new Float64Array(cols)
  const consensus = new Float64Array(cols)
  const ranks = new Float64Array(cols)
  const trust = new Float64Array(rows)
  // The median's voters: rows with stake, their stake renormalised.
  const voters: number[] = []
  for (let i = 0; i < rows; i++) if (stake[i]! > 0) voters.push(i)
  const p = voters.length
  const voterRow = Int32Array.from(voters)
  const voterStake = Float64Array.from(voters, (i) => stake[i]!)
  const voterTotal = sum(voterStake)
  for (let k = 0; k < p; k++) voterStake[k] = fixedDiv(voterStake[k]!, voterTotal)
  const minority = sum(voterStake) - kappa
  const blockSize = rows * BLOCK
  const need = Math.ceil(cols / BLOCK) * blockSize
  if (keptBonds.length < need) keptBonds = new Float64Array(need)
  const scratch = () => new Float64Array(blockSize)
  const pass: Pass = {
    ...b, w, stake, voterRow, voterStake, minority, values: new Float64Array(p), stakes: new Float64Array(p),
    preranks, consensus, ranks, trust, normalisedBonds: keptBonds, keep: ONE - b.alpha,
    weightCols: scratch(), bondCols: scratch(), storedCols: scratch(), col: new Float64Array(rows),
  }
  // One call per block: a small function the JIT optimises whole (an outer loop would be compiled
  // on-stack, then thrown away at its first unseen statement on every epoch).
  for (let j0 = 0; j0 < cols; j0 += BLOCK) {
    const j1 = Math.min(cols, j0 + BLOCK)
    weightBlock(w, j0, j1, pass.weightCols)
    if (b.bonds && !u16Block(b.bonds, j0, j1, pass.bondCols)) b.badBonds() // no bonds: the zeros it was allocated with
    columnsBlock(pass, j0, j1, (j0 / BLOCK) * blockSize)
    storeBlock(pass.storedCols, j0, j1, b.stored)
  }
  return { preranks, consensus, ranks, trust, normalisedBonds: keptBonds }
}

/** Scratch and accumulators of one epoch's pass. */
interface Pass extends BondParams, EpochColumns {
  readonly w: WeightRows
  readonly stake: Float64Array
  readonly voterRow: Int32Array
  readonly voterStake: Float64Array
  readonly minority: Fixed
  readonly values: Float64Array
  readonly stakes: Float64Array
  readonly keep: Fixed
  readonly weightCols: Float64Array
  readonly bondCols: Float64Array
  readonly storedCols: Float64Array
  readonly col: Float64Array
}

function columnsBlock(pass: Pass, j0: number, j1: number, kept: number): void {
  const { stake, voterRow, voterStake, minority, values, stakes, preranks, consensus, ranks, trust, weightCols, bondCols, yuma3, liquid } = pass
  const rows = stake.length
  const clippedBonds = pass.penalty === ONE
  const p = voterRow.length
  for (let j = j0, c = 0; j < j1; j++, c += rows) {
    let prerank = 0
    let bondSum = 0
    let sure = true
    for (let i = 0; i < rows; i++) {
      const x = weightCols[c + i]!
      const s = stake[i]!
      bondSum += bondCols[c + i]!
      if (x === 0 || s === 0) continue
      const t = s * x * TWO_M32 // fmul(s, x), as exact.ts, sure unless a non-zero integer
      const q = Math.floor(t)
      if (q === t) sure = false
      prerank += q
    }
    if (!sure) { prerank = 0; for (let i = 0; i < rows; i++) { const x = weightCols[c + i]!; const s = stake[i]!; if (x !== 0 && s !== 0) prerank += fmul(s, x) } }
    preranks[j] = prerank
    let median = 0
    if (p > 0) {
      for (let k = 0; k < p; k++) { values[k] = weightCols[c + voterRow[k]!]!; stakes[k] = voterStake[k]! }
      median = medianSelect(values, stakes, p, minority)
    }
    consensus[j] = median
    // The rank loop is each variant's first bond loop: both read the same clipped weights. The fast kernel
    // answers NaN when one of its float results is not proven exact; the exact kernel then redoes the column.
    // Validator trust Σ_j clipped_ij: the fast kernels add it in their first loop, which always completes.
    if (!clippedBonds) for (let i = 0; i < rows; i++) { const x = weightCols[c + i]!; trust[i] += x < median ? x : median }
    let rank = clippedBonds ? (yuma3 ? (liquid ? yuma3LiquidFast(liquid, pass, median, c, kept + c) : yuma3Fast(pass, median, c, kept + c)) : originalFast(pass, median, bondSum, c, kept + c)) : NaN
    if (rank !== rank) rank = yuma3 ? yuma3Column(pass, median, c, kept + c) : originalColumn(pass, median, bondSum, c, kept + c)
    ranks[j] = rank
  }
}

/** weights + penalty·(clipped − weights), the weight the bonds follow. */
function bondWeight(w: Fixed, median: Fixed, penalty: Fixed): Fixed {
  const clipped = w < median ? w : median
  if (penalty === ONE) return clipped
  if (penalty === 0 || clipped === w) return w
  return w + fmul(penalty, clipped - w)
}

/**
 * Original Yuma's bonds of one column (at offset c of the block buffers, k of the kept bonds), and the
 * column's rank Σ_i stake_i · clipped_ij (the same products as ΔB when the bond weight is the clipped weight).
 */
function originalColumn(pass: Pass, median: Fixed, bondSum: number, c: number, k: number): Fixed {
  const { stake, penalty, alpha, keep, weightCols, bondCols, storedCols, col, normalisedBonds } = pass
  const rows = stake.length
  const clippedBonds = penalty === ONE
  let rank = 0
  let deltaSum = 0
  for (let i = 0; i < rows; i++) {
    const x = weightCols[c + i]!
    const clipped = x < median ? x : median
    const s = stake[i]!
    let product = 0
    if (clipped !== 0 && s !== 0) { product = fmul(s, clipped); rank += product }
    if (!clippedBonds) {
      const b = bondWeight(x, median, penalty)
      product = b === 0 || s === 0 ? 0 : fmul(b, s)
    }
    col[i] = product
    deltaSum += product
  }
  let nextSum = 0
  let max = 0
  const deltaScale = reciprocal(deltaSum)
  const bondScale = reciprocal(bondSum)
  for (let i = 0; i < rows; i++) {
    let d = col[i]!
    if (d !== 0 && deltaSum !== 0) d = fdivBy(d, deltaSum, deltaScale)
    const a = d === 0 ? 0 : fmul(alpha, d)
    const x = bondCols[c + i]!
    const old = x === 0 ? 0 : fdivBy(x, bondSum, bondScale)
    const next = old === 0 ? a : a + fmul(keep, old)
    col[i] = next
    nextSum += next
    if (next > max) max = next
  }
  // The largest normalised entry is the largest entry normalised: x ↦ ⌊x·2^32/Σ⌋ is monotone.
  const nextScale = reciprocal(nextSum)
  if (max !== 0 && nextSum !== 0) max = fdivBy(max, nextSum, nextScale)
  const maxScale = reciprocal(max)
  for (let i = 0; i < rows; i++) {
    let next = col[i]!
    if (next !== 0 && nextSum !== 0) next = fdivBy(next, nextSum, nextScale)
    normalisedBonds[k + i] = next
    storedCols[c + i] = next === 0 ? 0 : toU16(max !== 0 ? fdivBy(next, max, maxScale) : next)
  }
  return rank
}

/** Yuma 3's bonds of one column and its rank (as `originalColumn`). */
function yuma3Column(pass: Pass, median: Fixed, c: number, k: number): Fixed {
  const { stake, penalty, alpha, keep, liquid, weightCols, bondCols, storedCols, col, normalisedBonds } = pass
  const rows = stake.length
  let rank = 0
  let total = 0
  for (let i = 0; i < rows; i++) {
    const x = weightCols[c + i]!
    const clipped = x < median ? x : median
    const s = stake[i]!
    if (clipped !== 0 && s !== 0) rank += fmul(s, clipped)
    const w = penalty === ONE ? clipped : bondWeight(x, median, penalty)
    const old = proportion(bondCols[c + i]!)
    let next: Fixed
    if (liquid) {
      const a = alphaOf(liquid, median, w, old)
      const bought = w === 0 ? 0 : fmul(a, w)
      const v = (old === 0 ? 0 : fmul(ONE - a, old)) + (bought > 0 ? bought : 0)
      next = v > ONE ? ONE : v
    } else {
      const a = w === 0 ? 0 : fmul(alpha, w)
      next = old === 0 ? a : a + fmul(keep, old)
    }
    storedCols[c + i] = next === 0 ? 0 : toU16(next)
    col[i] = next
    total += next
  }
  const scale = reciprocal(total)
  for (let i = 0; i < rows; i++) {
    const next = col[i]!
    normalisedBonds[k + i] = next === 0 || total === 0 ? next : fdivBy(next, total, scale)
  }
  return rank
}

// The fast kernels: exact.ts's fmul and fdivBy written out inline, with their fallbacks replaced by one
// flag per column. A loop without calls compiles to straight float code (a call, even one never taken,
// makes the JIT reload every array on each iteration: measured 2× on these loops). Each result is the
// float floor, which exact.ts proves equal to the exact one under the same conditions checked here: a
// product is sure unless it is a non-zero integer, a quotient t = a·(2^32/d) unless its fraction lies within
// 2^−17 of an integer or t ≥ 2^34. Any unsure result voids the whole column (NaN), and the exact kernel
// rewrites every output of it. Only for penalty = ONE (bond weight = clipped weight), the default.

/** original Yuma, as `originalColumn`. */
function originalFast(pass: Pass, median: Fixed, bondSum: number, c: number, k: number): Fixed {
  const { stake, trust, alpha, keep, weightCols, bondCols, storedCols, col, normalisedBonds } = pass
  const rows = stake.length
  let sure = true
  let rank = 0
  for (let i = 0; i < rows; i++) {
    const x = weightCols[c + i]!
    const clipped = x < median ? x : median
    trust[i] += clipped
    const s = stake[i]!
    let product = 0
    if (clipped !== 0 && s !== 0) {
      const t = s * clipped * TWO_M32
      product = Math.floor(t)
      if (product === t) sure = false
    }
    col[i] = product
    rank += product
  }
  const deltaSum = rank // Σ of the same products: ΔB's column sum is the rank
  const deltaScale = ONE / deltaSum
  const bondScale = ONE / bondSum
  let nextSum = 0
  let max = 0
  for (let i = 0; i < rows; i++) {
    const d = col[i]!
    let a = 0
    if (d !== 0) { // ⇒ deltaSum > 0
      const t = d * deltaScale
      let q = Math.floor(t)
      const f = t - q
      if (d === deltaSum) q = ONE // the whole column: exactly ONE, which the bracket cannot tell
      else if (!(f > MARGIN && f < 1 - MARGIN && t < LIMIT)) sure = false
      const u = alpha * q * TWO_M32
      a = Math.floor(u)
      if (a === u && u !== 0) sure = false
    }
    const x = bondCols[c + i]!
    let next = a
    if (x !== 0) { // ⇒ bondSum > 0
      const t = x * bondScale
      let old = Math.floor(t)
      const f = t - old
      if (x === bondSum) old = ONE
      else if (!(f > MARGIN && f < 1 - MARGIN && t < LIMIT)) sure = false
      const u = keep * old * TWO_M32
      const kept = Math.floor(u)
      if (kept === u && u !== 0) sure = false
      next += kept
    }
    col[i] = next
    nextSum += next
    if (next > max) max = next
  }
  if (!sure) return NaN
  // max ≠ 0 ⇒ nextSum ≠ 0; the largest normalised entry is the largest entry normalised (monotone floor)
  if (max !== 0) max = fdivBy(max, nextSum, reciprocal(nextSum))
  const nextScale = ONE / nextSum
  const maxScale = ONE / max
  for (let i = 0; i < rows; i++) {
    let next = col[i]!
    let stored = 0
    if (next !== 0) { // ⇒ nextSum ≠ 0 and max ≠ 0
      const t = next * nextScale
      const f = t - Math.floor(t)
      if (next === nextSum) next = ONE
      else if (f > MARGIN && f < 1 - MARGIN && t < LIMIT) next = Math.floor(t)
      else sure = false
      if (next === max) stored = 65535 // max/max is ONE
      else {
        const v = next * maxScale // < ONE: next < max
        const up = Math.floor(v)
        const g = v - up
        if (!(g > MARGIN && g < 1 - MARGIN)) sure = false
        stored = Math.floor(up * 65535 * TWO_M32) // ftoU16 below ONE
      }
    }
    normalisedBonds[k + i] = next
    storedCols[c + i] = stored
  }
  return sure ? rank : NaN
}

/** Yuma 3, as `yuma3Column`. */
function yuma3Fast(pass: Pass, median: Fixed, c: number, k: number): Fixed {
  const { stake, trust, alpha, keep, weightCols, bondCols, storedCols, col, normalisedBonds } = pass
  const rows = stake.length
  let sure = true
  let rank = 0
  let total = 0
  for (let i = 0; i < rows; i++) {
    const x = weightCols[c + i]!
    const w = x < median ? x : median
    trust[i] += w
    const s = stake[i]!
    if (w !== 0 && s !== 0) {
      const product = s * w * TWO_M32
      const q = Math.floor(product)
      if (q === product) sure = false
      rank += q
    }
    const old = proportion(bondCols[c + i]!)
    const t = alpha * w * TWO_M32
    const bought = Math.floor(t)
    const u = keep * old * TWO_M32
    const held = Math.floor(u)
    if (bought === t && t !== 0 || held === u && u !== 0) sure = false
    const next = bought + held
    if (!(next <= ONE)) sure = false
    storedCols[c + i] = next >= ONE ? 65535 : Math.floor(next * 65535 * TWO_M32) // ftoU16 up to ONE
    col[i] = next
    total += next
  }
  return sure ? normaliseFast(col, rows, total, normalisedBonds, k, rank) : NaN
}

/**
 * The Yuma 3 kernels' shared last step (one call per column, outside the per-entry loop): the column's
 * bonds normalised to sum to ONE into `normalisedBonds` at `k`; `rank`, or NaN when a quotient is not
 * proven exact (the caller then redoes the column exactly).
 */
function normaliseFast(col: Float64Array, rows: number, total: number, normalisedBonds: Float64Array, k: number, rank: Fixed): Fixed {
  const scale = ONE / total
  let sure = true
  for (let i = 0; i < rows; i++) {
    let next = col[i]!
    if (next !== 0) { // ⇒ total > 0
      const t = next * scale
      const f = t - Math.floor(t)
      if (next === total) next = ONE
      else if (f > MARGIN && f < 1 - MARGIN && t < LIMIT) next = Math.floor(t)
      else sure = false
    }
    normalisedBonds[k + i] = next
  }
  return sure ? rank : NaN
}

/** Yuma 3 with liquid alpha, as `yuma3Column` (alphaOf is the one call left in its loop). */
function yuma3LiquidFast(liquid: LiquidAlphaRate, pass: Pass, median: Fixed, c: number, k: number): Fixed {
  const { stake, trust, weightCols, bondCols, storedCols, col, normalisedBonds } = pass
  const rows = stake.length
  let sure = true
  let rank = 0
  let total = 0
  for (let i = 0; i < rows; i++) {
    const x = weightCols[c + i]!
    const w = x < median ? x : median
    trust[i] += w
    const s = stake[i]!
    if (w !== 0 && s !== 0) {
      const product = s * w * TWO_M32
      const q = Math.floor(product)
      if (q === product) sure = false
      rank += q
    }
    const old = proportion(bondCols[c + i]!)
    const rate = alphaOf(liquid, median, w, old)
    const t = rate * w * TWO_M32
    const bought = Math.floor(t)
    const u = (ONE - rate) * old * TWO_M32
    const held = Math.floor(u)
    if (bought === t && t !== 0 || held === u && u !== 0) sure = false
    const v = held + (bought > 0 ? bought : 0)
    const next = v > ONE ? ONE : v
    if (!(next <= ONE)) sure = false
    storedCols[c + i] = next >= ONE ? 65535 : Math.floor(next * 65535 * TWO_M32) // ftoU16 up to ONE
    col[i] = next
    total += next
  }
  return sure ? normaliseFast(col, rows, total, normalisedBonds, k, rank) : NaN
}

/**
 * Σ_j incentive_j · B_ij per row: original Yuma's dividends, Yuma 3's bond value. Reads the kept bonds,
 * so it must run before the next epoch's `epochColumns`.
 */
export function bondDividends(e: EpochColumns, incentive: Float64Array): Float64Array {
  const rows = e.trust.length
  const out = new Float64Array(rows)
  const cols = incentive.length
  for (let j0 = 0; j0 < cols; j0 += BLOCK) dividendBlock(e.normalisedBonds, incentive, j0, Math.min(cols, j0 + BLOCK), (j0 / BLOCK) * rows * BLOCK, out)
  return out
}

function dividendBlock(kept: Float64Array, incentive: Float64Array, j0: number, j1: number, k: number, out: Float64Array): void {
  const rows = out.length
  for (let j = j0, c = k; j < j1; j++, c += rows) {
    const inc = incentive[j]!
    if (inc === 0) continue
    let sure = true
    for (let i = 0; i < rows; i++) {
      const x = kept[c + i]!
      const t = inc * x * TWO_M32 // fmul(inc, x) without its fallback call
      const q = Math.floor(t)
      if (q === t && t !== 0) sure = false
      out[i] += q
    }
    // Sums of safe integers are exact: taking the float floors back out restores the rows.
    if (!sure) for (let i = 0; i < rows; i++) { const x = kept[c + i]!; out[i] += fmul(inc, x) - Math.floor(inc * x * TWO_M32) }
  }
}
