// The epoch's matrix work, a block of miner columns at a time (subtensor math.rs, fused): each pass copies
// BLOCK columns of the u16 input rows into a small column-major buffer (entry (i, j) at (j − j0)·rows + i),
// runs every per-column step (normalise, median, clip, EMA, upscale) there, and writes the stored bonds
// back the same way. Reading a block row by row touches each row's cache line once instead of once per
// column. Matrices kept between passes are one 32 KB array per block, never one large array: a fresh
// multi-MB typed array is mapped page by page on every epoch (measured 16× slower to fill than the blocks).
// Results equal the row-wise reference (test/ledger/scoring/yuma-reference) bit for bit: the same
// operations on the same integers, reordered only where sums are exact.
import { type Fixed, ONE as FIXED_ONE, div as fixedDiv, sum, toU16Proportion } from '../fixed.ts'
import { fdivBy as exactDivBy, fmul as exactMul, reciprocal as exactReciprocal, u16Proportions } from './exact.ts'
import { type LiquidAlphaRate, liquidAlpha } from './liquid.ts'
import { weightedMedianSelect } from './select.ts'

// Module-local bindings: the inner loops use these directly (an imported binding can cost a getter call).
const ONE = FIXED_ONE
const fdivBy = exactDivBy
const reciprocal = exactReciprocal
const fmul = exactMul
const toU16 = toU16Proportion
const medianSelect = weightedMedianSelect
const alphaOf = liquidAlpha

/** Columns per block: 16 u16 entries of a row share one or two cache lines; the buffers stay in L1/L2. */
const BLOCK = 16

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
    // (x·2^32)/(Σ·2^32) in I32F32 is floor(x·2^32/Σ); x ≠ 0 off the self-weight implies Σ > 0
    for (let j = j0, c = i; j < j1; j++, c += v) { const x = row[j]!; out[c] = x === 0 ? 0 : fdivBy(x, total, r) }
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

export interface ConsensusColumns {
  /** The row-normalised weights, one column-major array per block of BLOCK columns. */
  readonly weights: Float64Array[]
  readonly preranks: Float64Array
  readonly consensus: Float64Array
  /** Σ_i stake_i · clipped_ij, before normalisation. */
  readonly ranks: Float64Array
  /** Validator trust: Σ_j clipped_ij per row. */
  readonly trust: Float64Array
}

/**
 * Per column: the row-normalised weights, preranks, the stake-weighted median (`weighted_median_col` over
 * rows with positive stake, kappa a raw I32F32 ratio), clipping to it, ranks and validator trust.
 */
export function consensusColumns(w: WeightRows, stake: Float64Array, cols: number, kappa: Fixed): ConsensusColumns {
  const rows = stake.length
  const weights: Float64Array[] = []
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
  const out = { weights, preranks, consensus, ranks, trust }
  const pass: ConsensusPass = { w, stake, voterRow, voterStake, minority, values: new Float64Array(p), stakes: new Float64Array(p), ...out }
  // One call per block: a small function the JIT optimises whole (an outer loop would be compiled
  // on-stack, then thrown away at its first unseen statement on every epoch).
  for (let j0 = 0; j0 < cols; j0 += BLOCK) {
    const block = new Float64Array(rows * BLOCK)
    weights.push(block)
    consensusBlock(pass, block, j0, Math.min(cols, j0 + BLOCK))
  }
  return out
}

interface ConsensusPass extends ConsensusColumns {
  readonly w: WeightRows
  readonly stake: Float64Array
  readonly voterRow: Int32Array
  readonly voterStake: Float64Array
  readonly minority: Fixed
  readonly values: Float64Array
  readonly stakes: Float64Array
}

function consensusBlock(pass: ConsensusPass, block: Float64Array, j0: number, j1: number): void {
  const { w, stake, voterRow, voterStake, minority, values, stakes, preranks, consensus, ranks, trust } = pass
  const rows = stake.length
  const p = voterRow.length
  weightBlock(w, j0, j1, block)
  for (let j = j0, c = 0; j < j1; j++, c += rows) {
    let prerank = 0
    for (let i = 0; i < rows; i++) {
      const x = block[c + i]!
      const s = stake[i]!
      if (x !== 0 && s !== 0) prerank += fmul(s, x)
    }
    preranks[j] = prerank
    let median = 0
    if (p > 0) {
      for (let k = 0; k < p; k++) { values[k] = block[c + voterRow[k]!]!; stakes[k] = voterStake[k]! }
      median = medianSelect(values, stakes, p, minority)
    }
    consensus[j] = median
    let rank = 0
    for (let i = 0; i < rows; i++) {
      const x = block[c + i]!
      const clipped = x < median ? x : median
      if (clipped === 0) continue
      trust[i] += clipped
      const s = stake[i]!
      if (s !== 0) rank += fmul(s, clipped)
    }
    ranks[j] = rank
  }
}

/** The bond model's inputs shared by both variants. */
export interface BondInputs {
  /** From `consensusColumns`. */
  readonly weights: Float64Array[]
  readonly consensus: Float64Array
  /** The previous epoch's u16 bond rows (count and lengths checked; entries are checked here); null = all zero. */
  readonly bonds: U16Rows | null
  /** Called when a bond entry is not a u16: throws the input error. */
  readonly badBonds: () => never
  readonly stake: Float64Array
  readonly incentive: Float64Array
  /** bondsPenalty as a raw ratio: 0 → raw weights, ONE → clipped weights (`interpolate`). */
  readonly penalty: Fixed
  /** The EMA's weight of the new value. */
  readonly alpha: Fixed
  /** Stored u16 bonds, one array per row, written in place. */
  readonly stored: Uint16Array[]
}

/** weights + penalty·(clipped − weights), the weight the bonds follow. */
function bondWeight(w: Fixed, median: Fixed, penalty: Fixed): Fixed {
  const clipped = w < median ? w : median
  if (penalty === ONE) return clipped
  if (penalty === 0 || clipped === w) return w
  return w + fmul(penalty, clipped - w)
}

/** Scratch and accumulators of one bonds pass. */
interface BondPass extends BondInputs {
  readonly keep: Fixed
  readonly bondCols: Float64Array
  readonly storedCols: Float64Array
  readonly col: Float64Array
  /** Per row: dividends (original Yuma) or bond value (Yuma 3). */
  readonly acc: Float64Array
  readonly liquid: LiquidAlphaRate | null
}

/** Runs `block` over every block of columns (one call per block, for the reason consensusColumns says). */
function bondPass(b: BondInputs, liquid: LiquidAlphaRate | null, block: (pass: BondPass, weightCols: Float64Array, j0: number, j1: number) => void): Float64Array {
  const rows = b.stake.length
  const cols = b.consensus.length
  const scratch = () => new Float64Array(rows * BLOCK)
  const pass: BondPass = {
    ...b, keep: ONE - b.alpha, bondCols: scratch(), storedCols: scratch(),
    col: new Float64Array(rows), acc: new Float64Array(rows), liquid,
  }
  for (let j0 = 0, k = 0; j0 < cols; j0 += BLOCK, k++) {
    const j1 = Math.min(cols, j0 + BLOCK)
    if (b.bonds && !u16Block(b.bonds, j0, j1, pass.bondCols)) b.badBonds() // no bonds: the zeros it was allocated with
    block(pass, b.weights[k]!, j0, j1)
    storeBlock(pass.storedCols, j0, j1, b.stored)
  }
  return pass.acc
}

/**
 * Original Yuma: ΔB = column-normalised (bond weights ∘ stake), B = column-normalised EMA of ΔB over the
 * column-normalised stored bonds, dividends_i = Σ_j incentive_j · B_ij, stored = column max-upscaled B.
 */
export const originalBonds = (b: BondInputs): Float64Array => bondPass(b, null, originalBlock)

function originalBlock(pass: BondPass, weightCols: Float64Array, j0: number, j1: number): void {
  const { consensus, stake, incentive, penalty, alpha, keep, bondCols, storedCols, col, acc: dividends } = pass
  const rows = stake.length
  for (let j = j0, c = 0; j < j1; j++, c += rows) {
    const median = consensus[j]!
    let bondSum = 0
    let deltaSum = 0
    for (let i = 0; i < rows; i++) {
      bondSum += bondCols[c + i]!
      const x = bondWeight(weightCols[c + i]!, median, penalty)
      const s = stake[i]!
      const d = x === 0 || s === 0 ? 0 : fmul(x, s)
      col[i] = d
      deltaSum += d
    }
    let nextSum = 0
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
    }
    let max = 0
    const inc = incentive[j]!
    const nextScale = reciprocal(nextSum)
    for (let i = 0; i < rows; i++) {
      let next = col[i]!
      if (next === 0) continue
      if (nextSum !== 0) next = fdivBy(next, nextSum, nextScale)
      col[i] = next
      if (next > max) max = next
      if (inc !== 0) dividends[i] += fmul(inc, next)
    }
    const maxScale = reciprocal(max)
    for (let i = 0; i < rows; i++) {
      const next = col[i]!
      storedCols[c + i] = next === 0 ? 0 : toU16(max !== 0 ? fdivBy(next, max, maxScale) : next)
    }
  }
}

/**
 * Yuma 3: B = EMA of the bond weights over the stored bond proportions (one alpha, or liquid alpha per
 * entry, clamped to 1), stored = B as u16; returns bond value_i = Σ_j column-normalised B_ij · incentive_j.
 */
export const yuma3Bonds = (b: BondInputs, liquid: LiquidAlphaRate | null): Float64Array => bondPass(b, liquid, yuma3Block)

const proportion = u16Proportions()

function yuma3Block(pass: BondPass, weightCols: Float64Array, j0: number, j1: number): void {
  const { consensus, stake, incentive, penalty, alpha, keep, liquid, bondCols, storedCols, col, acc: value } = pass
  const rows = stake.length
  for (let j = j0, c = 0; j < j1; j++, c += rows) {
    const median = consensus[j]!
    let total = 0
    for (let i = 0; i < rows; i++) {
      const w = bondWeight(weightCols[c + i]!, median, penalty)
      const old = proportion[bondCols[c + i]!]!
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
    const inc = incentive[j]!
    if (inc === 0) continue
    const scale = reciprocal(total)
    for (let i = 0; i < rows; i++) {
      let next = col[i]!
      if (next === 0) continue
      if (total !== 0) next = fdivBy(next, total, scale)
      value[i] += fmul(next, inc)
    }
  }
}
