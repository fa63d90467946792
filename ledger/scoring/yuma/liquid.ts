// Liquid alpha (consensus-based bond EMA rate) as subtensor's Yuma 3 computes it per (validator, miner):
// alpha = low + sigmoid·(high − low), sigmoid = 1 / (1 + e^(−steepness/100 · (diff − 1/2))), where diff
// is how far the validator's weight runs ahead of consensus (buying) or its bond above its weight (selling).
// The exact value comes from fixed.ts's floored Taylor series; `liquidAlpha` usually gets it from one
// Math.exp instead, by bracketing the series' sum (see `bracketed`), and runs the series only when the
// bracket's two ends give different alphas.
import { type Fixed, HALF as FIXED_HALF, ONE as FIXED_ONE } from '../fixed.ts'
import { fdiv as exactDiv, flogistic, fmul as exactMul } from './exact.ts'

// Module-local bindings: the per-entry path uses these directly (an imported binding can cost a getter call).
const ONE = FIXED_ONE
const HALF = FIXED_HALF
const div = exactDiv
const mul = exactMul
const logistic = flogistic

export interface LiquidAlpha {
  readonly low: Fixed
  readonly high: Fixed
  readonly steepness: Fixed
}

/** The per-epoch constants of liquid alpha. */
export interface LiquidAlphaRate {
  readonly low: Fixed
  readonly high: Fixed
  readonly span: Fixed
  /** −steepness / 100 */
  readonly scale: Fixed
  /** alpha at diff 0 (every weight at or below consensus and above its bond) */
  readonly atZero: Fixed
}

const LN2: Fixed = 2977044472 // as ../fixed.ts
/** Below this the series' exponent keeps acc·2^k a safe integer (as exact.ts flogistic). */
const EXP_FAST_LIMIT = 8 * ONE
/**
 * How far the floored series can fall below ONE·e^(r/ONE) (r in [0, ln 2)): term_i = ⌊term_{i−1}·r/(i·2^32)⌋
 * loses less than e_{i−1}·ρ/i + 1 against the exact term, so every e_i < 1.35; terms vanish from i = 12,
 * so the sum of e_i and the omitted tail stay below 17. 20 leaves room; +2 above covers Math.exp's ulps.
 */
const SERIES_DEFICIT = 20
const EXP_ERROR = 2

export function liquidAlphaRate(p: LiquidAlpha): LiquidAlphaRate {
  const scale = div(p.steepness, -100 * ONE)
  const rate = { low: p.low, high: p.high, span: p.high - p.low, scale, atZero: 0 }
  rate.atZero = exactAlpha(rate, 0)
  return rate
}

const clamp = (v: Fixed, lo: Fixed, hi: Fixed): Fixed => (v > hi ? hi : v < lo ? lo : v)

/** Alpha for one (consensus, weight, bond) entry. */
export function liquidAlpha(p: LiquidAlphaRate, consensus: Fixed, weight: Fixed, bond: Fixed): Fixed {
  const diff = weight >= bond ? clamp(weight - consensus, 0, ONE) : clamp(bond - weight, 0, ONE)
  return diff === 0 ? p.atZero : bracketed(p, diff)
}

/** The alpha as fixed.ts computes it: logistic through the floored series. */
export function exactAlpha(p: LiquidAlphaRate, diff: Fixed): Fixed {
  return clamp(p.low + mul(logistic(mul(p.scale, diff - HALF)), p.span), p.low, p.high)
}

/**
 * With x = k·ln2 + r, logistic's series sum acc lies in [⌊T⌋ − 20, ⌈T⌉ + 2] for T = ONE·e^(r/ONE), and the
 * alpha is monotone (non-increasing) in acc: equal alphas at both ends are the exact alpha.
 */
function bracketed(p: LiquidAlphaRate, diff: Fixed): Fixed {
  const x = mul(p.scale, diff - HALF)
  if (x >= EXP_FAST_LIMIT) return exactAlpha(p, diff)
  const k = Math.floor(x / LN2)
  const r = x - k * LN2
  if (k < -40 || r < 0 || r >= LN2) return exactAlpha(p, diff)
  const t = ONE * Math.exp(r / ONE)
  const a = alphaFromSum(p, Math.floor(t) - SERIES_DEFICIT, k)
  return a === alphaFromSum(p, Math.ceil(t) + EXP_ERROR, k) ? a : exactAlpha(p, diff)
}

/** The tail of flogistic and the alpha, from the series sum. */
function alphaFromSum(p: LiquidAlphaRate, acc: number, k: number): Fixed {
  const sigmoid = div(ONE, ONE + (k >= 0 ? acc * 2 ** k : Math.floor(acc / 2 ** -k)))
  return clamp(p.low + mul(sigmoid, p.span), p.low, p.high)
}
