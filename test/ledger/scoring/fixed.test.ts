import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { ONE, div, exp, fixedFromDecimal, logistic, mul, ratio, toU16Proportion, fromU16Proportion } from '../../../ledger/scoring/fixed.ts'

// Reference semantics in bigint: multiply floors (wide product, arithmetic shift), divide truncates.
const refMul = (a: number, b: number) => Number((BigInt(a) * BigInt(b)) >> 32n)
const refDiv = (a: number, b: number) => (b === 0 ? 0 : Number((BigInt(a) << 32n) / BigInt(b)))

describe('I32F32 arithmetic', () => {
  it('multiplies exactly on the fast path and off it', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 33 - 1 }), fc.integer({ min: 0, max: 2 ** 33 - 1 }), (a, b) => {
      expect(mul(a, b)).toBe(refMul(a, b))
    }), { numRuns: 2000 })
    fc.assert(fc.property(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.integer({ min: -(2 ** 33), max: 2 ** 33 }), (a, b) => {
      expect(mul(a, b)).toBe(refMul(a, b))
    }), { numRuns: 500 })
    // signed operands on the fast path: a negative product floors (−0.5 ulp → −1 ulp)
    fc.assert(fc.property(fc.integer({ min: -(2 ** 33) + 1, max: 2 ** 33 - 1 }), fc.integer({ min: -(2 ** 33) + 1, max: 2 ** 33 - 1 }), (a, b) => {
      expect(mul(a, b)).toBe(refMul(a, b))
    }), { numRuns: 2000 })
    expect(mul(-1, ONE / 2)).toBe(-1)
    expect(mul(-ONE, ONE / 2)).toBe(-ONE / 2)
    expect(Object.is(mul(-ONE, 0), 0)).toBe(true)
  })

  it('divides exactly (truncating) on the fast path and off it', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 44 - 1 }), fc.integer({ min: 1, max: 2 ** 44 - 1 }), (a, b) => {
      fc.pre(a / b < 2 ** 20)
      expect(div(a, b)).toBe(refDiv(a, b))
    }), { numRuns: 3000 })
    // near-integer quotients are where a float floor would slip
    for (const b of [3, 7, 2 ** 32 - 1, 2 ** 43 - 1, 999_999_937]) for (const k of [1, 2, 1000]) {
      expect(div(b * k - 1, b)).toBe(refDiv(b * k - 1, b))
      expect(div(b * k, b)).toBe(k * ONE)
    }
    expect(div(5, 0)).toBe(0)
    expect(div(-ONE, 3 * ONE)).toBe(refDiv(-ONE, 3 * ONE))
    fc.assert(fc.property(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), (a, b) => {
      fc.pre(b !== 0 && Math.abs(a / b) < 2 ** 20)
      expect(div(a, b)).toBe(refDiv(a, b) || 0) // bigint truncates toward zero, as the fixed crate does
    }), { numRuns: 1000 })
  })

  it('converts u16 proportions and decimals as subtensor does', () => {
    expect(fromU16Proportion(65535)).toBe(ONE)
    expect(fromU16Proportion(0)).toBe(0)
    expect(toU16Proportion(ONE)).toBe(65535)
    expect(toU16Proportion(ONE / 2)).toBe(32767) // floor(0.5 × 65535)
    expect(toU16Proportion(2 * ONE)).toBe(65535) // saturates
    expect(fixedFromDecimal('0.7')).toBe(Math.floor((7 * ONE) / 10))
    expect(fixedFromDecimal('1000')).toBe(1000 * ONE)
    expect(ratio(1n, 3n)).toBe(Math.floor(ONE / 3))
    expect(() => fixedFromDecimal('1e-7')).toThrow()
  })

  it('computes e^x and the logistic in fixed point', () => {
    expect(exp(0)).toBe(ONE)
    for (const x of [1, -1, 5, -5, 0.5, 10, -10, 13]) {
      const got = exp(Math.round(x * ONE)) / ONE
      // relative 1e-8, or a few ulps (2^-32) where the result is small
      expect(Math.abs(got - Math.exp(x))).toBeLessThan(Math.max(1e-8 * Math.exp(x), 4 / ONE))
    }
    expect(exp(-30 * ONE)).toBe(Math.floor(Math.exp(-30) * ONE)) // 0: below one ulp
    expect(logistic(0)).toBe(ONE / 2)
    expect(Math.abs(logistic(5 * ONE) / ONE - 1 / (1 + Math.exp(5)))).toBeLessThan(1e-9)
    expect(logistic(30 * ONE)).toBe(ONE) // e^30 overflows I32F32: safe_exp gives 0, so 1/(1+0)
  })
})
