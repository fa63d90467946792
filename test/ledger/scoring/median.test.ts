import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { weightedMedian } from '../../../ledger/scoring/median.ts'
import { weightedMedianCol } from './yuma-reference/matrix.ts'
import { ONE, div } from '../../../ledger/scoring/fixed.ts'

const v = (...xs: number[]) => xs.map(BigInt)

describe('weightedMedian (subtensor definition)', () => {
  // Four equal stakes on 10, 20, 30, 40: minority = 1 − kappa.
  const values = v(10, 20, 30, 40)
  const stakes = v(1, 1, 1, 1)

  it('picks the value by kappa', () => {
    // kappa 32767/65535 (just under ½): minority just over ½ → cumulative 0.75 at 30 is the first above it
    expect(weightedMedian(values, stakes, 32767)).toBe(30n)
    // kappa 32768/65535 (just over ½): minority just under ½ → 20 (cumulative 0.5 passes it)
    expect(weightedMedian(values, stakes, 32768)).toBe(20n)
    // kappa 1: everyone must support it → the minimum
    expect(weightedMedian(values, stakes, 65535)).toBe(10n)
    // kappa 0: the maximum
    expect(weightedMedian(values, stakes, 0)).toBe(40n)
    // kappa 0.75 (49151): a three-quarter majority supports ≥ 20
    expect(weightedMedian(values, stakes, 49151)).toBe(20n)
    // 40 holds exactly a quarter: enough for kappa 16383/65535 (< ¼), not for 16384/65535 (> ¼)
    expect(weightedMedian(values, stakes, 16383)).toBe(40n)
    expect(weightedMedian(values, stakes, 16384)).toBe(30n)
  })

  it('weights by stake', () => {
    // 60 % of stake on 5, 40 % on 100: the majority value wins at kappa ½
    expect(weightedMedian(v(100, 5), v(40, 60))).toBe(5n)
    // a 51 % holder decides alone
    expect(weightedMedian(v(1, 2, 3), v(51, 25, 24))).toBe(1n)
    expect(weightedMedian(v(1, 2, 3), v(24, 25, 51))).toBe(3n)
  })

  it('groups ties and ignores input order', () => {
    expect(weightedMedian(v(7, 3, 7, 3, 7), v(1, 1, 1, 1, 1))).toBe(7n)
    expect(weightedMedian(v(5, 5, 5), v(3, 9, 1))).toBe(5n)
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 9 })), { minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 65535 }), (pairs, kappa) => {
      const a = weightedMedian(pairs.map((p) => BigInt(p[0])), pairs.map((p) => BigInt(p[1])), kappa)
      const rev = [...pairs].reverse()
      expect(weightedMedian(rev.map((p) => BigInt(p[0])), rev.map((p) => BigInt(p[1])), kappa)).toBe(a)
    }))
  })

  it('handles zero stake and a single validator', () => {
    expect(weightedMedian(v(9, 1), v(0, 0))).toBe(0n)
    expect(weightedMedian([], [])).toBe(0n)
    expect(weightedMedian(v(9, 1, 4), v(0, 5, 0))).toBe(1n) // zero-stake entries do not count
    expect(weightedMedian(v(42), v(7))).toBe(42n)
    expect(weightedMedian(v(42), v(7), 65535)).toBe(42n)
    expect(weightedMedian(v(42), v(7), 0)).toBe(42n)
  })

  it('refuses bad input', () => {
    expect(() => weightedMedian(v(1), v(1, 2))).toThrow(/values/)
    expect(() => weightedMedian(v(1), v(-1))).toThrow(/negative/)
    expect(() => weightedMedian(v(1), v(1), 70000)).toThrow(/u16/)
  })

  it('agrees with the fixed-point column median when stakes normalise exactly', () => {
    // Stakes that are exact binary fractions make I32F32 normalisation lossless, so both must agree.
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.constantFrom(0, 1, 2, 4)), { minLength: 1, maxLength: 10 }), fc.integer({ min: 0, max: 65535 }), (pairs, kappaU16) => {
      const total = pairs.reduce((s, p) => s + p[1], 0)
      fc.pre(total > 0 && (total & (total - 1)) === 0)
      const stake = Float64Array.from(pairs, (p) => div(p[1] * ONE, total * ONE))
      const col = pairs.map((p) => Float64Array.of(p[0] * 1024))
      const kappa = div(kappaU16 * ONE, 65535 * ONE)
      const fixed = weightedMedianCol(stake, col, 1, kappa)[0]! / 1024
      // the exact version compares against kappa/65535, the fixed one against floor(kappa·2^32/65535)
      const exact = Number(weightedMedian(pairs.map((p) => BigInt(p[0])), pairs.map((p) => BigInt(p[1])), kappaU16))
      expect(fixed).toBe(exact)
    }), { numRuns: 500 })
  })
})
