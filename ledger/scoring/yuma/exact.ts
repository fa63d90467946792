// Fast exact I32F32 multiply, divide and logistic for the epoch's inner loops: the same results as
// ../fixed.ts bit for bit, from one float operation plus a check. A correctly rounded float t' of the exact
// quotient or product t (|t| < 2^52) has floor(t') = floor(t) (trunc likewise) unless t' is an integer, since
// rounding is monotone and integers are representable; only then is the exact routine asked.
import { type Fixed, ONE as FIXED_ONE, div as fixedDiv, logistic as fixedLogistic, mul as fixedMul, toU16Proportion } from '../fixed.ts'

// Module-local bindings: an imported binding can cost a getter call per use under the TS loader.
const ONE = FIXED_ONE
const div = fixedDiv
const mul = fixedMul
const logistic = fixedLogistic
const TWO_M32 = 2 ** -32

/** floor(a·b / 2^32), as `mul`. a·b is rounded once; the scaling by 2^−32 is exact; t is 0 only for a zero factor. */
export function fmul(a: Fixed, b: Fixed): Fixed {
  const t = a * b * TWO_M32
  const q = Math.floor(t)
  return q !== t ? q : t === 0 ? 0 : mul(a, b)
}

/** a / b truncated toward zero, 0 when b is 0, as `div`. a·2^32 is exact; the division rounds once. */
export function fdiv(a: Fixed, b: Fixed): Fixed {
  if (b === 0) return 0
  const t = (a * ONE) / b
  const q = Math.trunc(t)
  if (q !== t) return q === 0 ? 0 : q // never −0 (trunc of a small negative quotient)
  return div(a, b)
}

/** Quotients up to this are bracketed by `fdivBy`'s margin (2^34 · 2^−51.9 < 2^−17). */
const RECIPROCAL_LIMIT = 2 ** 34
const RECIPROCAL_MARGIN = 2 ** -17

/** 2^32 / d, for `fdivBy`: a divisor shared by a row or a column turned into one multiply per entry. */
export const reciprocal = (d: Fixed): number => ONE / d

/**
 * a / d as `fdiv` for a ≥ 0, given r = reciprocal(d). t = a·r carries two roundings, so |t − a·2^32/d| <
 * t·2^−51.9 < 2^−17 below the limit: a fractional part farther than that from an integer has the exact
 * quotient's floor; anything else (and d = 0, where t is not finite) asks `fdiv`.
 */
export function fdivBy(a: Fixed, d: Fixed, r: number): Fixed {
  const t = a * r
  const q = Math.floor(t)
  const f = t - q
  return f > RECIPROCAL_MARGIN && f < 1 - RECIPROCAL_MARGIN && t < RECIPROCAL_LIMIT ? q : fdiv(a, d)
}

const LN2: Fixed = 2977044472 // as ../fixed.ts
const EXP_FAST_LIMIT = 8 * ONE

/** 1 / (1 + e^x), as `logistic`: the same range reduction and floored Taylor series, on fmul. */
export function flogistic(x: Fixed): Fixed {
  if (x >= EXP_FAST_LIMIT) return logistic(x)
  const k = Math.floor(x / LN2) // ≤ 11 here, so acc·2^k stays a safe integer
  if (k < -40) return fdiv(ONE, ONE)
  const r = x - k * LN2
  let term = ONE
  let acc = ONE
  for (let i = 1; term > 0 && i < 30; i++) {
    term = Math.floor(fmul(term, r) / i)
    acc += term
  }
  return fdiv(ONE, ONE + (k >= 0 ? acc * 2 ** k : Math.floor(acc / 2 ** -k)))
}

/**
 * floor(x × 65535) as `toU16Proportion`, saturating, for 0 ≤ x < 2^33 (a bond or a ratio: x ≤ ONE here):
 * x·65535 < 2^49 is exact and the scaling by 2^−32 is exact, so only the floor rounds (no division).
 */
export function ftoU16(x: Fixed): number {
  if (x <= 0) return 0
  if (x >= ONE) return x >= 2 ** 33 ? toU16Proportion(x) : 65535
  return Math.floor(x * 65535 * TWO_M32)
}

/**
 * x / 65535 in I32F32 for a u16 x (`fromU16Proportion`) without a division: 2^32 = 65535·65537 + 1, so
 * x·2^32/65535 = 65537·x + x/65535, whose floor is 65537·x, plus 1 at x = 65535 (ONE).
 */
export const u16Proportion = (x: number): Fixed => x * 65537 + (x === 65535 ? 1 : 0)
