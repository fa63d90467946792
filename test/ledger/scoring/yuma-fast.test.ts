// The fast Yuma kernel (ledger/scoring/yuma/, exact fast paths of yuma/exact.ts) against the reference
// implementation (./yuma-reference/, every operation through ledger/scoring/fixed.ts): bit-identical
// results on random small networks for every variant, and the primitives equal fixed.ts on random raws.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { div, logistic, mul } from '../../../ledger/scoring/fixed.ts'
import { fdiv, flogistic, fmul } from '../../../ledger/scoring/yuma/exact.ts'
import { runYumaEpoch, type YumaEpochInput, type YumaEpochResult, type YumaParams } from '../../../ledger/scoring/yuma/epoch.ts'
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

const plain = (r: YumaEpochResult) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Float64Array ? Array.from(v) : v]))

describe('fast Yuma epoch', () => {
  it('equals the reference bit for bit on random networks, every variant', () => {
    fc.assert(fc.property(params, network, (p, net) => {
      const input: YumaEpochInput = net
      expect(plain(runYumaEpoch(p, input))).toEqual(plain(referenceEpoch(p, input)))
    }), { numRuns: 400 })
  })
})
