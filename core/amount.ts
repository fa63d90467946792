// REP amounts: bigint nano-REP (9 decimals). Never a float: parse and format go through decimal strings.
import { AgoraError } from './errors.ts'

export type Rep = bigint
export const REP_DECIMALS = 9
export const ONE_REP: Rep = 10n ** BigInt(REP_DECIMALS)
/** Parts per million: the unit of every ratio parameter (1_000_000 = 100 %). */
export const PPM = 1_000_000n

const AMOUNT_RE = /^(-)?(\d+)(?:\.(\d{1,9}))?$/

/** "1.5" → 1_500_000_000n. Refuses more than 9 decimals, exponents, blanks and anything non-decimal. */
export function parseRep(s: string): Rep {
  const m = AMOUNT_RE.exec(s.trim() === s ? s : '')
  if (!m) throw new AgoraError('BAD_AMOUNT', `invalid REP amount ${JSON.stringify(s)} (want a decimal like "12.5", at most 9 decimals)`)
  const whole = BigInt(m[2]!) * ONE_REP
  const frac = m[3] ? BigInt(m[3].padEnd(REP_DECIMALS, '0')) : 0n
  const v = whole + frac
  return m[1] ? -v : v
}

/** 1_500_000_000n → "1.5"; integers print without a point ("10"). */
export function formatRep(v: Rep): string {
  const neg = v < 0n
  const a = neg ? -v : v
  const whole = a / ONE_REP
  const frac = a % ONE_REP
  const fracStr = frac === 0n ? '' : '.' + frac.toString().padStart(REP_DECIMALS, '0').replace(/0+$/, '')
  return `${neg ? '-' : ''}${whole}${fracStr}`
}

/** floor(a * num / den) for non-negative operands; the remainder is the caller's to place. */
export function mulDiv(a: bigint, num: bigint, den: bigint): bigint {
  if (den <= 0n) throw new RangeError('mulDiv: denominator must be positive')
  return (a * num) / den
}

export const ppmOf = (amount: Rep, ppm: bigint | number): Rep => mulDiv(amount, BigInt(ppm), PPM)
