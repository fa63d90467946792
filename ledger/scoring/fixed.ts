// I32F32 fixed point (subtensor's epoch number type) held as the raw integer in a JS number: value =
// raw / 2^32. Every operation is exact integer arithmetic (floor on multiply, truncation on divide, as
// the Rust `fixed` crate does), so results are identical on every machine; no float rounding decides
// anything. Raw values must stay safe integers (|value| < 2^21), which the epoch never exceeds.
import { assert } from '../../core/errors.ts'

/** A raw I32F32 value: the integer `value * 2^32`. */
export type Fixed = number

export const FRAC_BITS = 32
export const ONE: Fixed = 2 ** 32
export const HALF: Fixed = 2 ** 31
const WORD16 = 65536
const BYTE = 256
const FAST_MUL_LIMIT = 2 ** 33
const FAST_DIV_LIMIT = 2 ** 44
const U16_MAX = 65535
const BIG_ONE = 1n << 32n

export const fromInt = (n: number): Fixed => n * ONE

/** floor(a * b / 2^32): the I32F32 product (rounded toward −∞, like a wide multiply and shift). */
export function mul(a: Fixed, b: Fixed): Fixed {
  const ua = a < 0 ? -a : a
  const ub = b < 0 ? -b : b
  if (ua < FAST_MUL_LIMIT && ub < FAST_MUL_LIMIT) {
    // Split |b| into 16-bit halves so each partial product stays below 2^53.
    const bh = Math.floor(ub / WORD16)
    const x = ua * bh
    const y = ua * (ub - bh * WORD16)
    const xl = x % WORD16
    const low = xl * WORD16 + y // |a·b| = (x − xl)·2^16 + low, and (x − xl)·2^16 is a multiple of 2^32
    const q = (x - xl) / WORD16 + Math.floor(low / ONE)
    if ((a < 0) === (b < 0) || q === 0 && low === 0) return q
    return low % ONE === 0 ? -q : -q - 1 // floor of a negative product
  }
  return bigToFixed((BigInt(a) * BigInt(b)) >> 32n)
}

/** a / b in I32F32, truncated toward zero; 0 when b is 0 (subtensor's `safe_div`). */
export function div(a: Fixed, b: Fixed): Fixed {
  if (b === 0) return 0
  if (a < 0 || b < 0) {
    const q = div(a < 0 ? -a : a, b < 0 ? -b : b) // truncation toward zero is symmetric
    return (a < 0) !== (b < 0) && q !== 0 ? -q : q
  }
  if (a < FAST_DIV_LIMIT && b < FAST_DIV_LIMIT && a / b < 2 ** 20) {
    // Long division, 8 bits at a time, so every intermediate is an exact double.
    let q = floorDiv(a, b)
    let r = a - q * b
    for (let i = 0; i < 4; i++) {
      r *= BYTE
      const d = floorDiv(r, b)
      r -= d * b
      q = q * BYTE + d
    }
    return q
  }
  return bigToFixed((BigInt(a) << 32n) / BigInt(b))
}

/** floor(x / y) for non-negative safe integers whose multiples stay below 2^53. */
function floorDiv(x: number, y: number): number {
  let d = Math.floor(x / y)
  if (d * y > x) d -= 1
  else if ((d + 1) * y <= x) d += 1
  return d
}

function bigToFixed(v: bigint): Fixed {
  assert(v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER), `fixed-point value out of range: ${v}`)
  return Number(v)
}

/** floor(n * 2^32 / d) for integers given as bigints: an exact ratio as I32F32 (0 when d is 0). */
export function ratio(n: bigint, d: bigint): Fixed {
  if (d === 0n) return 0
  return bigToFixed((n << 32n) / d)
}

/** u16 proportion → I32F32 (`u16_proportion_to_fixed`: x / 65535). */
export const fromU16Proportion = (x: number): Fixed => div(x, U16_MAX) // (x·2^32)/(65535·2^32), exactly

/** I32F32 proportion → u16 (`fixed_proportion_to_u16`: floor(x × 65535), saturating). */
export function toU16Proportion(x: Fixed): number {
  if (x <= 0) return 0
  const v = x < FAST_MUL_LIMIT ? Math.floor((x * U16_MAX) / ONE) : Math.floor(mul(x, fromInt(U16_MAX)) / ONE)
  return v > U16_MAX ? U16_MAX : v
}

/** The exact value as a JS number (raw / 2^32 is exact for safe raws): for display only. */
export const toNumber = (x: Fixed): number => x / ONE

/**
 * A plain decimal string ("0.7", "1000", "0.25") → I32F32, floored. Parsed digit by digit, never through
 * a float, so "0.7" means 7/10 exactly before flooring.
 */
export function fixedFromDecimal(s: string): Fixed {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(s)
  assert(m !== null, `not a plain non-negative decimal: ${JSON.stringify(s)}`)
  const frac = m[2] ?? ''
  const num = BigInt(m[1]! + frac)
  const den = 10n ** BigInt(frac.length)
  return bigToFixed((num * BIG_ONE) / den)
}

/** Σ x (exact while the sum stays a safe integer). */
export function sum(xs: ArrayLike<Fixed>): Fixed {
  let s = 0
  for (let i = 0; i < xs.length; i++) s += xs[i]!
  return s
}

/** x_i / Σx in place (subtensor's `inplace_normalize`); unchanged when the sum is 0. */
export function normalizeInPlace(xs: Float64Array | Fixed[]): void {
  const s = sum(xs)
  if (s === 0) return
  for (let i = 0; i < xs.length; i++) xs[i] = div(xs[i]!, s)
}

const LN2: Fixed = 2977044472 // round(ln 2 × 2^32)
const EXP_OVERFLOW = 1n << 63n

/**
 * e^x in I32F32 by range reduction (x = k·ln2 + r) and a Taylor series in fixed point; −1 when the result
 * is too large for a safe integer here (the bigint path takes over). Like subtensor's `safe_exp`, a result
 * that overflows I32F32 (≥ 2^31) yields 0.
 */
function expSmall(x: Fixed): Fixed {
  const k = Math.floor(x / LN2)
  if (k >= 31 || k < -40) return 0
  const r = x - k * LN2 // in [0, ln2)
  let term = ONE
  let acc = ONE
  for (let i = 1; term > 0 && i < 30; i++) {
    term = Math.floor(mul(term, r) / i)
    acc += term
  }
  if (k > 19) return -1 - acc // acc < 2^33: acc·2^k may leave the safe range
  return k >= 0 ? acc * 2 ** k : Math.floor(acc / 2 ** -k)
}

/** e^x in I32F32 as a bigint raw (0n where subtensor's `safe_exp` overflows). */
export function expRaw(x: Fixed): bigint {
  const v = expSmall(x)
  if (v >= 0) return BigInt(v)
  const k = BigInt(Math.floor(x / LN2))
  const big = BigInt(-1 - v) << k
  return big >= EXP_OVERFLOW ? 0n : big
}

/** e^x as a Fixed; asserts the result is representable here (|x| below ~14). */
export const exp = (x: Fixed): Fixed => bigToFixed(expRaw(x))

/** 1 / (1 + e^x) in I32F32 (the logistic of −x), exact in fixed point. */
export function logistic(x: Fixed): Fixed {
  // e^x < 2^12 keeps both operands on div's exact fast path; beyond that, bigint.
  if (x < 8 * ONE) return div(ONE, ONE + expSmall(x))
  const e = expRaw(x)
  return Number((BIG_ONE << 32n) / (BIG_ONE + e))
}
