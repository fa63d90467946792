import { describe, expect, it } from 'vitest'
import { FIXED_ONE, parseYumaInput, runYumaEpoch, runYumaEpochs, DEFAULT_YUMA_PARAMS, type YumaEpochResult } from '../../../ledger/scoring/index.ts'

const ONE = FIXED_ONE
const frac = (x: number) => x / ONE
const close = (got: number, want: number, tol = 1e-8) => expect(Math.abs(got - want), `got ${got}, want ${want}`).toBeLessThan(tol)
const divs = (rs: YumaEpochResult[], uid: number, from = 0, to = rs.length) => rs.slice(from, to).reduce((s, r) => s + frac(r.dividends[uid]!), 0)

// Hand-worked network: validators 0 (stake 3) and 1 (stake 2); miners 2 and 3.
// v0 weights miners 1:1 → (½, ½); v1 weights 3:1 → (¾, ¼).
const handInput = { stake: [3n, 2n, 0n, 0n], validators: [0, 1], weights: [[0, 0, 1, 1], [0, 0, 3, 1]], active: [0, 1, 2, 3], emission: 1_000_000_000n }

describe('Yuma epoch, worked by hand', () => {
  it('original Yuma: consensus, clipping, trust, incentive, bonds, dividends, emission', () => {
    const r = runYumaEpoch(DEFAULT_YUMA_PARAMS, handInput)
    // stake-weighted medians at kappa ≈ ½: miner 2: ½ (60 %) vs ¾ (40 %) → ½; miner 3: ¼ (40 %) then ½ → ½
    expect(Array.from(r.consensus, frac)).toEqual([0, 0, 0.5, 0.5])
    // clipped: v0 (½, ½), v1 (½, ¼) → validator trust 1 and ¾
    close(frac(r.validatorTrust[0]!), 1); close(frac(r.validatorTrust[1]!), 0.75)
    // ranks: miner 2 = .6·½ + .4·½ = .5, miner 3 = .6·½ + .4·¼ = .4 → incentive 5/9, 4/9; trust .5/.6, .4/.4
    close(frac(r.incentive[2]!), 5 / 9); close(frac(r.incentive[3]!), 4 / 9)
    close(frac(r.trust[2]!), 0.5 / 0.6); close(frac(r.trust[3]!), 1)
    // ΔB = clipped ∘ stake, column-normalised: miner 2 (.6, .4), miner 3 (.75, .25); the first EMA from zero
    // bonds renormalises to the same; dividends v0 = .6·5/9 + .75·4/9 = 2/3, v1 = 1/3
    close(frac(r.dividends[0]!), 2 / 3); close(frac(r.dividends[1]!), 1 / 3)
    // stored bonds: columns max-upscaled to u16 (floored): (1, 2/3) and (1, 1/3)
    expect(Array.from(r.bonds[0]!)).toEqual([0, 0, 65535, 65535])
    expect(Math.abs(r.bonds[1]![2]! - 43690)).toBeLessThanOrEqual(1)
    expect(Math.abs(r.bonds[1]![3]! - 21845)).toBeLessThanOrEqual(1)
    // emission: incentive + dividends sum to 2, so each side gets its value / 2 of 1e9
    const e = r.emission.map(Number)
    for (const [uid, want] of [[0, 1e9 / 3], [1, 1e9 / 6], [2, (1e9 * 5) / 18], [3, (1e9 * 4) / 18]] as const) expect(Math.abs(e[uid]! - want)).toBeLessThan(2)
    expect(r.serverEmission.map(Number).slice(2)).toEqual(e.slice(2))
    expect(r.validatorEmission[0]).toBe(r.emission[0])
  })

  it('Yuma 3: bonds are EMA proportions of weights; dividends = Σ normalised bond · incentive × stake', () => {
    const r = runYumaEpoch({ ...DEFAULT_YUMA_PARAMS, yuma3: true }, handInput)
    // bonds from zero: 0.1 × clipped weights → v0 (.05, .05), v1 (.05, .025) → u16 floor 3276, 1638
    expect(r.bonds.map((row) => Array.from(row))).toEqual([[0, 0, 3276, 3276], [0, 0, 3276, 1638]])
    // normalised bonds: miner 2 (½, ½), miner 3 (⅔, ⅓); v0: ½·5/9 + ⅔·4/9 = 31/54, v1: 23/54;
    // × active stake (.6, .4) and normalised: 93/139, 46/139
    close(frac(r.dividends[0]!), 93 / 139, 1e-7); close(frac(r.dividends[1]!), 46 / 139, 1e-7)
    close(frac(r.incentive[2]!), 5 / 9) // incentive does not depend on the bond model
  })

  it('masks self-weight and gives stake-proportional emission when nobody sets weights', () => {
    // validator 0 weights only itself: masked, so its row is empty
    const r = runYumaEpoch(DEFAULT_YUMA_PARAMS, { ...handInput, weights: [[9, 0, 0, 0], [0, 0, 0, 0]] })
    expect(Array.from(r.incentive)).toEqual([0, 0, 0, 0])
    expect(r.validatorEmission.map(Number)).toEqual([599999999, 399999999, 0, 0]) // active stake .6/.4 (floored)
  })

  it('refuses malformed input with the reason', () => {
    expect(() => runYumaEpoch(DEFAULT_YUMA_PARAMS, { ...handInput, weights: [[0, 0, 1]] })).toThrow(/1 rows for 2 validators/)
    expect(() => runYumaEpoch(DEFAULT_YUMA_PARAMS, { ...handInput, weights: [[0, 0, 1], [0, 0, 1, 1]] })).toThrow(/one per uid/)
    expect(() => runYumaEpoch(DEFAULT_YUMA_PARAMS, { ...handInput, validators: [0, 0] })).toThrow(/twice/)
    expect(() => runYumaEpoch(DEFAULT_YUMA_PARAMS, { ...handInput, weights: [[0, 0, 70000, 1], [0, 0, 1, 1]] })).toThrow(/u16/)
    expect(() => parseYumaInput({ params: {}, stake: [1], validators: [], epochs: [{ weights: [], active: [] }], emission: '1e9' })).toThrow(/emission/)
  })
})

/** Build the CLI-shaped input from per-epoch weight rows. */
function scenario(params: object, stake: number[], validators: number[], epochs: { weights: number[][]; active?: number[] }[]) {
  const all = stake.map((_, i) => i)
  return runYumaEpochs(parseYumaInput({ params, stake, validators, epochs: epochs.map((e) => ({ weights: e.weights, active: e.active ?? all })), emission: '1000000000' }))
}

describe('Yuma over several epochs', () => {
  it('Yuma 3 bonds accumulate under the EMA: b_t ≈ 1 − 0.9^t of the weight', () => {
    // one validator weighting one miner fully; bonds are stored as floored u16 proportions every epoch
    const rs = scenario({ yuma3: true }, [1, 0], [0], Array.from({ length: 12 }, () => ({ weights: [[0, 65535]] })))
    let previous = 0
    rs.forEach((r, t) => {
      const bond = r.bonds[0]![1]!
      expect(bond).toBeGreaterThan(previous)
      expect(Math.abs(bond - 65535 * (1 - 0.9 ** (t + 1)))).toBeLessThanOrEqual(t + 2) // ≤ 1 u16 of flooring per epoch
      previous = bond
    })
  })

  it('original Yuma: a validator joining a miner builds its bond share as ½(1 − 0.9^t)', () => {
    // two equal validators; v1 starts weighting the miner at epoch 3, so its share of the miner's bonds
    // (and, with one miner, of the dividends) follows the EMA toward its ½ of the stake
    const rs = scenario({}, [1, 1, 0], [0, 1], Array.from({ length: 15 }, (_, t) => ({ weights: [[0, 0, 65535], [0, 0, t >= 3 ? 65535 : 0]] })))
    for (let t = 3; t < 15; t++) close(frac(rs[t]!.dividends[1]!), 0.5 * (1 - 0.9 ** (t - 2)), 2e-4)
    expect(frac(rs[2]!.dividends[1]!)).toBe(0)
  })

  it('Yuma 3 pays the validator who moves early to the miner the majority later moves to', () => {
    // validators: 0 (50 % stake), 1 and 2 (25 % each); miners 3 (A) and 4 (B).
    // Everyone weights A; validator 1 moves to B at epoch 10, the majority (0 and 2) at epoch 20.
    // Bonds follow raw weights (bondsPenalty 0) so a bond can be bought before consensus arrives.
    const A = [0, 0, 0, 65535, 0], B = [0, 0, 0, 0, 65535]
    const epochs = Array.from({ length: 40 }, (_, t) => ({ weights: [t >= 20 ? B : A, t >= 10 ? B : A, t >= 20 ? B : A] }))
    const params = { yuma3: true, bondsPenalty: 0 }
    const rs = scenario(params, [50, 25, 25, 0, 0], [0, 1, 2], epochs)
    // identical until the early move
    close(divs(rs, 1, 0, 10), divs(rs, 2, 0, 10))
    // early bonds in B earn more once B holds the incentive, and more over the whole run
    expect(divs(rs, 1, 20, 40)).toBeGreaterThan(divs(rs, 2, 20, 40) * 1.5)
    expect(divs(rs, 1)).toBeGreaterThan(divs(rs, 2))
    // with liquid alpha the early mover still earns more after the majority arrives
    const liquid = scenario({ ...params, liquidAlpha: { low: 0.7, high: 0.9, steepness: 1000 } }, [50, 25, 25, 0, 0], [0, 1, 2], epochs)
    expect(liquid.every((r) => r.liquidAlphaApplied)).toBe(true)
    expect(divs(liquid, 1, 20, 40)).toBeGreaterThan(divs(liquid, 2, 20, 40))
  })

  it("an inactive validator's dividends drop (at once under Yuma 3, by bond decay under original Yuma)", () => {
    const epochs = Array.from({ length: 10 }, (_, t) => ({ weights: [[0, 0, 65535], [0, 0, 65535]], active: t >= 5 ? [0, 2] : [0, 1, 2] }))
    const y3 = scenario({ yuma3: true }, [1, 1, 0], [0, 1], epochs)
    expect(frac(y3[4]!.dividends[1]!)).toBeGreaterThan(0.4)
    for (let t = 5; t < 10; t++) expect(y3[t]!.dividends[1]).toBe(0)
    const y1 = scenario({}, [1, 1, 0], [0, 1], epochs)
    close(frac(y1[4]!.dividends[1]!), 0.5, 1e-4)
    for (let t = 5; t < 10; t++) expect(y1[t]!.dividends[1]!).toBeLessThan(y1[t - 1]!.dividends[1]!)
    close(frac(y1[9]!.dividends[1]!), 0.5 * 0.9 ** 5, 2e-4) // each epoch keeps 0.9 of the old share
  })

  it('liquid alpha sets the bond EMA rate from the sigmoid of weight vs consensus', () => {
    // one validator, weight 1 = consensus 1: diff 0 → sigmoid = 1/(1+e^5) → alpha = 0.7 + 0.2·sigmoid
    const [r] = scenario({ yuma3: true, liquidAlpha: { low: 0.7, high: 0.9, steepness: 1000 } }, [1, 0], [0], [{ weights: [[0, 65535]] }])
    const alpha = 0.7 + 0.2 / (1 + Math.exp(5))
    expect(Math.abs(r!.bonds[0]![1]! - Math.floor(alpha * 65535))).toBeLessThanOrEqual(1)
    // the original Yuma ignores liquid alpha, as subtensor does
    const [o] = scenario({ liquidAlpha: { low: 0.7, high: 0.9, steepness: 1000 } }, [1, 0], [0], [{ weights: [[0, 65535]] }])
    expect(o!.liquidAlphaApplied).toBe(false)
  })

  it('is deterministic and independent of the order of the active list', () => {
    const epochs = [{ weights: [[0, 0, 5, 9], [0, 0, 7, 1]], active: [3, 1, 0, 2] }, { weights: [[0, 0, 5, 9], [0, 0, 7, 1]], active: [0, 1, 2, 3] }]
    const a = scenario({ yuma3: true }, [7, 3, 0, 0], [0, 1], epochs)
    const b = scenario({ yuma3: true }, [7, 3, 0, 0], [0, 1], [...epochs].reverse())
    expect(a[1]!.bonds).toEqual(b[1]!.bonds)
    expect(Array.from(a[1]!.dividends)).toEqual(Array.from(b[1]!.dividends))
  })
})
