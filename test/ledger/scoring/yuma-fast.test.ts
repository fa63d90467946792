// The fast Yuma epoch (ledger/scoring/yuma/: the WASM column kernel with i64 I32F32 and a bucketing median,
// exact.ts's fast paths, bracketed liquid alpha) against the reference implementation (./yuma-reference/,
// every operation through ledger/scoring/fixed.ts, medians by full sort): bit-identical results on random
// networks for every variant — small ones, and ones tall enough to reach the median's bucketing rounds,
// with ties, zeros and saturated weights, zero stakes, all-zero columns, steep liquid alpha — and each fast
// primitive equals its oracle.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { div, fromU16Proportion, logistic, mul, toU16Proportion } from '../../../ledger/scoring/fixed.ts'
import { fdiv, flogistic, fmul, ftoU16, u16Proportion } from '../../../ledger/scoring/yuma/exact.ts'
import { runYumaEpoch, type YumaParams } from '../../../ledger/scoring/yuma/epoch.ts'
import { exactAlpha, liquidAlpha, liquidAlphaRate } from '../../../ledger/scoring/yuma/liquid.ts'
import { weightedMedianSelect } from '../../../ledger/scoring/yuma/select.ts'
import { weightedMedianFixed } from '../../../ledger/scoring/median.ts'
import { alphaSigmoid } from './yuma-reference/liquid.ts'
import { runYumaEpoch as referenceEpoch } from './yuma-reference/epoch.ts'

const ONE = 2 ** 32
const raw = fc.oneof(
  fc.integer({ min: -(2 ** 34), max: 2 ** 34 }),
  fc.constantFrom(0, ONE, -ONE, ONE / 2, 1, -1, 65535, 2 ** 33 - 1),
  fc.integer({ min: 0, max: 2 ** 20 }).map((x) => x * 2 ** 12),
)

describe('exact fast paths', () => {
  it('fmul, fdiv and flogistic equal mul, div and logistic', () => {
    fc.assert(fc.property(raw, raw, (a, b) => {
      expect(fmul(a, b), `mul ${a} ${b}`).toBe(mul(a, b))
      if (Math.abs(a) < 2 ** 40 && (b === 0 || Math.abs(a / b) < 2 ** 19)) expect(fdiv(a, b), `div ${a} ${b}`).toBe(div(a, b))
      const x = Math.trunc(a / 2)
      expect(flogistic(x), `logistic ${x}`).toBe(logistic(x))
    }), { numRuns: 3000 })
  })

  it('u16Proportion and ftoU16 equal fromU16Proportion and toU16Proportion', () => {
    const wrong = Array.from({ length: 65536 }, (_, x) => x).filter((x) => u16Proportion(x) !== fromU16Proportion(x))
    expect(wrong, 'u16 values whose proportion differs').toEqual([])
    fc.assert(fc.property(fc.oneof(fc.integer({ min: -ONE, max: 2 ** 34 }), fc.constantFrom(0, 1, ONE - 1, ONE, ONE + 1, 2 ** 33)), (x) => {
      expect(ftoU16(x), `toU16 ${x}`).toBe(toU16Proportion(x))
    }), { numRuns: 1000 })
  })
})

describe('weighted median by selection', () => {
  // Values drawn from a few levels (ties), from a narrow band or from the full range, zero stakes
  // included, and minorities from below zero to above the total (the "largest value" case).
  const column = fc.integer({ min: 0, max: 300 }).chain((count) => fc.record({
    values: fc.oneof(
      fc.array(fc.constantFrom(0, 1, 7, ONE / 2, ONE), { minLength: count, maxLength: count }),
      fc.array(fc.integer({ min: 1_000_000, max: 1_000_300 }), { minLength: count, maxLength: count }),
      fc.array(fc.integer({ min: 0, max: ONE }), { minLength: count, maxLength: count }),
    ),
    stakes: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 ** 26 })), { minLength: count, maxLength: count }),
    share: fc.oneof(fc.constantFrom(-0.1, 0, 0.5, 1, 1.1), fc.double({ min: -0.1, max: 1.1, noNaN: true })),
  }))
  it('equals the sort-and-scan median on random columns', () => {
    fc.assert(fc.property(column, ({ values, stakes, share }) => {
      const count = values.length
      const total = stakes.reduce((a, b) => a + b, 0)
      const minority = Math.floor(total * share)
      const keys = Float64Array.from(values, (x, r) => x * count + r)
      const want = weightedMedianFixed(keys, count, Float64Array.from(stakes), minority)
      expect(weightedMedianSelect(Float64Array.from(values), Float64Array.from(stakes), count, minority)).toBe(want)
    }), { numRuns: 1500 })
  })
})

describe('liquid alpha, bracketed', () => {
  it('equals the reference sigmoid for random parameters, weights, bonds and consensus', () => {
    const frac = fc.oneof(fc.integer({ min: 0, max: ONE }), fc.constantFrom(0, 1, ONE / 2 - 1, ONE / 2, ONE / 2 + 1, ONE - 1, ONE))
    fc.assert(fc.property(frac, frac, fc.integer({ min: 0, max: 5000 * ONE }), fc.array(fc.tuple(frac, frac, frac), { minLength: 1, maxLength: 20 }), (a, b, steepness, entries) => {
      const p = { low: Math.min(a, b), high: Math.max(a, b), steepness }
      const rate = liquidAlphaRate(p)
      const reference = alphaSigmoid(p)
      for (const [consensus, weight, bond] of entries) {
        expect(liquidAlpha(rate, consensus, weight, bond), `alpha ${JSON.stringify({ p, consensus, weight, bond })}`).toBe(reference(consensus, weight, bond))
      }
      expect(exactAlpha(rate, 0)).toBe(rate.atZero)
    }), { numRuns: 1500 })
  })
})

const u16 = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 65535 }), fc.constant(65535))
const network = fc.integer({ min: 1, max: 4 }).chain((v) => fc.integer({ min: v, max: v + 8 }).chain((n) => fc.record({
  stake: fc.array(fc.bigInt({ min: 0n, max: 10n ** 12n }), { minLength: n, maxLength: n }),
  weights: fc.array(fc.array(u16, { minLength: n, maxLength: n }), { minLength: v, maxLength: v }),
  bonds: fc.option(fc.array(fc.array(u16, { minLength: n, maxLength: n }), { minLength: v, maxLength: v }), { nil: undefined }),
  active: fc.subarray(Array.from({ length: n }, (_, i) => i)),
  validators: fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: v, maxLength: v }),
  emission: fc.bigInt({ min: 0n, max: 10n ** 15n }),
})))
const params: fc.Arbitrary<YumaParams> = fc.record({
  kappa: u16, bondsMovingAverage: fc.integer({ min: 0, max: 1_000_000 }), bondsPenalty: u16, yuma3: fc.boolean(),
  liquidAlpha: fc.option(fc.tuple(fc.integer({ min: 0, max: ONE }), fc.integer({ min: 0, max: ONE }), fc.integer({ min: 0, max: 5000 * ONE }))
    .map(([a, b, steepness]) => ({ low: Math.min(a, b), high: Math.max(a, b), steepness })), { nil: null }),
})

/** Typed arrays as plain arrays (the reference returns number[][] bonds, the kernel Uint16Array rows). */
const plain = (r: object) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Float64Array ? Array.from(v) : k === 'bonds' ? (v as ArrayLike<number>[]).map((row) => Array.from(row)) : v]))

// Wide and tall: more columns than a block (16) and more voters than the median's small case (12);
// weights from a few levels (ties) or saturated, stakes with zeros and near-equal values.
const u16Levels = fc.oneof(fc.constantFrom(0, 1, 2, 32768, 65535), fc.integer({ min: 0, max: 65535 }))
const wideNetwork = fc.integer({ min: 13, max: 40 }).chain((v) => fc.integer({ min: v + 1, max: v + 40 }).chain((n) => fc.record({
  stake: fc.array(fc.oneof(fc.constant(0n), fc.constant(10n ** 9n), fc.bigInt({ min: 0n, max: 10n ** 12n })), { minLength: n, maxLength: n }),
  weights: fc.array(fc.array(u16Levels, { minLength: n, maxLength: n }), { minLength: v, maxLength: v }),
  bonds: fc.option(fc.array(fc.array(u16Levels, { minLength: n, maxLength: n }), { minLength: v, maxLength: v }), { nil: undefined }),
  active: fc.subarray(Array.from({ length: n }, (_, i) => i), { minLength: Math.floor(n / 2) }),
  validators: fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: v, maxLength: v }),
  emission: fc.bigInt({ min: 0n, max: 10n ** 15n }),
})))

describe('fast Yuma epoch', () => {
  it('equals the reference bit for bit on random networks, every variant', () => {
    fc.assert(fc.property(params, network, (p, input) => {
      expect(plain(runYumaEpoch(p, input))).toEqual(plain(referenceEpoch(p, input)))
    }), { numRuns: 400 })
  })

  it('equals the reference on networks wider than a column block with more voters than the small median', () => {
    fc.assert(fc.property(params, wideNetwork, (p, input) => {
      expect(plain(runYumaEpoch(p, input))).toEqual(plain(referenceEpoch(p, input)))
    }), { numRuns: 80 })
  })

  // The call-free kernels (penalty = ONE) hand a column to the exact kernel when a float result is not
  // proven exact: equal stakes (products and quotients that are integers), a column held by one validator
  // (a quotient of exactly ONE), saturated bonds and weights, zero stakes and medians tied between rows.
  const edgyNetwork = fc.integer({ min: 2, max: 20 }).chain((v) => fc.integer({ min: v + 1, max: v + 40 }).chain((n) => fc.record({
    stake: fc.oneof(
      fc.constant(Array.from({ length: n }, () => 2n ** 30n)),
      fc.array(fc.constantFrom(0n, 1n, 2n ** 20n, 2n ** 30n), { minLength: n, maxLength: n }),
    ),
    weights: fc.array(fc.array(fc.oneof(fc.constantFrom(0, 65535, 32768), fc.integer({ min: 0, max: 65535 })), { minLength: n, maxLength: n }), { minLength: v, maxLength: v }),
    bonds: fc.option(fc.array(fc.array(fc.constantFrom(0, 1, 65535, 65534), { minLength: n, maxLength: n }), { minLength: v, maxLength: v }), { nil: undefined }),
    active: fc.subarray(Array.from({ length: n }, (_, i) => i), { minLength: Math.floor(n / 2) }),
    validators: fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: v, maxLength: v }),
    emission: fc.bigInt({ min: 0n, max: 10n ** 15n }),
  })))
  const edgyParams: fc.Arbitrary<YumaParams> = fc.record({
    kappa: fc.constantFrom(32767, 0, 65535), bondsMovingAverage: fc.constantFrom(900_000, 0, 500_000, 1_000_000), bondsPenalty: fc.constant(65535), yuma3: fc.boolean(),
    liquidAlpha: fc.option(fc.constant({ low: 3006477107, high: 3865470566, steepness: 1000 * ONE }), { nil: null }),
  })
  it('equals the reference where the fast kernels must fall back: integer products, whole columns, saturated bonds', () => {
    fc.assert(fc.property(edgyParams, edgyNetwork, (p, input) => {
      expect(plain(runYumaEpoch(p, input))).toEqual(plain(referenceEpoch(p, input)))
    }), { numRuns: 150 })
  })

  // The kernel's edges: every stake zero or one validator holding all of it (products and quotients of
  // exactly ONE), columns nobody weights, bonds saturated or absent, steepness high enough that the
  // logistic leaves fixed.ts's fast range (the wide e^x path), and penalties between 0 and ONE.
  const kernelEdges = fc.integer({ min: 1, max: 16 }).chain((v) => fc.integer({ min: v, max: v + 24 }).chain((n) => fc.record({
    stake: fc.oneof(
      fc.constant(Array.from({ length: n }, () => 0n)),
      fc.constant(Array.from({ length: n }, (_, i) => (i === 0 ? 10n ** 12n : 0n))),
      fc.array(fc.constantFrom(0n, 1n, 10n ** 12n), { minLength: n, maxLength: n }),
    ),
    weights: fc.array(fc.array(fc.oneof(fc.constant(0), fc.constant(65535), fc.integer({ min: 0, max: 65535 })), { minLength: n, maxLength: n }).map((row) => row.map((x, j) => (j % 3 === 0 ? 0 : x))), { minLength: v, maxLength: v }),
    bonds: fc.option(fc.array(fc.array(fc.constantFrom(0, 1, 65535, 40000), { minLength: n, maxLength: n }), { minLength: v, maxLength: v }), { nil: undefined }),
    active: fc.subarray(Array.from({ length: n }, (_, i) => i)),
    validators: fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: v, maxLength: v }),
    emission: fc.bigInt({ min: 0n, max: 10n ** 15n }),
  })))
  const kernelParams: fc.Arbitrary<YumaParams> = fc.record({
    kappa: fc.constantFrom(32767, 0, 65535), bondsMovingAverage: fc.constantFrom(900_000, 0, 1_000_000), bondsPenalty: fc.constantFrom(0, 1, 32768, 65535), yuma3: fc.boolean(),
    liquidAlpha: fc.option(fc.constantFrom({ low: 0, high: ONE, steepness: 100_000 * ONE }, { low: 3006477107, high: 3865470566, steepness: 1000 * ONE }), { nil: null }),
  })
  it('equals the reference at the kernel edges: zero stakes, all-zero columns, whole stakes, steep liquid alpha', () => {
    fc.assert(fc.property(kernelParams, kernelEdges, (p, input) => {
      expect(plain(runYumaEpoch(p, input))).toEqual(plain(referenceEpoch(p, input)))
    }), { numRuns: 300 })
  })

  it('reports malformed bond rows as the reference does', () => {
    const input = { stake: [1n, 1n, 0n], validators: [0, 1], weights: [[0, 1, 2], [3, 0, 4]], active: [0, 1, 2], emission: 1n }
    for (const bonds of [[[0, 0, 1.5], [0, 0, 0]], [[0, 0, 0], [0, -1, 0]], [[0, 0, 0]], [[0, 0], [0, 0, 0]]]) {
      expect(() => runYumaEpoch(params0, { ...input, bonds })).toThrow(errorOf(() => referenceEpoch(params0, { ...input, bonds })))
    }
  })
})

const params0: YumaParams = { kappa: 32767, bondsMovingAverage: 900_000, bondsPenalty: 65535, yuma3: false, liquidAlpha: null }
function errorOf(f: () => unknown): string {
  try { f() } catch (e) { return (e as Error).message }
  throw new Error('the reference accepted malformed bonds')
}
