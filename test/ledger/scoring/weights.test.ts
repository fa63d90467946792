import { describe, expect, it } from 'vitest'
import { checkWeights, denseRow, epochWeights, maxUpscaleU16, type BestScore } from '../../../ledger/scoring/weights.ts'

const score = (challengeId: string, uid: number, s: number): BestScore => ({ challengeId, uid, score: BigInt(s) })

describe('epochWeights', () => {
  it('sums emission share × normalised best score, max-upscaled to 65535', () => {
    // challenge A (60 %): miner 1 scores 300k, miner 2 100k → 0.45, 0.15
    // challenge B (40 %): miner 2 scores 500k, miner 3 500k → 0.20, 0.20
    // totals: m1 0.45, m2 0.35, m3 0.20 → ×65535/0.45: 65535, 50972.(7) → 50972, 29126.(6) → 29127
    const w = epochWeights({
      challenges: [{ id: 'A', emissionSharePpm: 600_000n }, { id: 'B', emissionSharePpm: 400_000n }],
      bestScores: [score('A', 1, 300_000), score('A', 2, 100_000), score('B', 2, 500_000), score('B', 3, 500_000)],
    })
    expect(w).toEqual({ uids: [1, 2, 3], weights: [65535, 50972, 29127] })
    expect(checkWeights(w.uids, w.weights, { n: 4, minAllowedWeights: 1 })).toEqual([])
  })

  it('ignores inactive challenges, keeps the best of duplicates, clips scores', () => {
    const w = epochWeights({
      challenges: [{ id: 'A', emissionSharePpm: 1_000_000n }],
      bestScores: [score('A', 5, 100), score('A', 5, 300), score('Z', 9, 1_000_000), score('A', 6, 5_000_000), score('A', 7, -3)],
    })
    // uid 6 clipped to 1,000,000; uid 5 best 300; uid 7 (0) and uid 9 (inactive challenge) drop out
    expect(w.uids).toEqual([5, 6])
    expect(w.weights).toEqual([20, 65535]) // 300/1e6 × 65535 = 19.66 → 20
  })

  it('gives empty vectors when every score is zero, and 65535 for a lone miner', () => {
    expect(epochWeights({ challenges: [{ id: 'A', emissionSharePpm: 500_000n }], bestScores: [score('A', 1, 0), score('A', 2, 0)] })).toEqual({ uids: [], weights: [] })
    expect(epochWeights({ challenges: [], bestScores: [score('A', 1, 10)] })).toEqual({ uids: [], weights: [] })
    expect(epochWeights({ challenges: [{ id: 'A', emissionSharePpm: 1n }], bestScores: [score('A', 3, 7)] })).toEqual({ uids: [3], weights: [65535] })
    expect(checkWeights([], [], { minAllowedWeights: 1 })).toEqual(['too few weights: 0 < min_allowed_weights 1'])
  })

  it('scales to 4,096 miners exactly', () => {
    // miner u scores u + 1 (PPM) in one challenge: weight = round(65535 · (u+1) / 4096)
    const bestScores = Array.from({ length: 4096 }, (_, u) => score('A', u, u + 1))
    const w = epochWeights({ challenges: [{ id: 'A', emissionSharePpm: 1_000_000n }], bestScores: [...bestScores].reverse() })
    expect(w.uids.length).toBe(4096)
    expect(w.uids[0]).toBe(0)
    expect(w.weights[4095]).toBe(65535)
    for (const u of [0, 1, 2047, 4094]) expect(w.weights[u]).toBe(Math.round((65535 * (u + 1)) / 4096))
    expect(checkWeights(w.uids, w.weights, { n: 4096, minAllowedWeights: 4096 })).toEqual([])
    expect(denseRow(w, 4096)).toEqual(w.weights)
  })

  it('refuses bad shares', () => {
    expect(() => epochWeights({ challenges: [{ id: 'A', emissionSharePpm: 2_000_000n }], bestScores: [] })).toThrow(/out of/)
    expect(() => epochWeights({ challenges: [{ id: 'A', emissionSharePpm: 1n }, { id: 'A', emissionSharePpm: 1n }], bestScores: [] })).toThrow(/twice/)
  })
})

describe('maxUpscaleU16 and checkWeights', () => {
  it('upscales with round-half-up', () => {
    expect(maxUpscaleU16([0n, 0n])).toEqual([0, 0])
    expect(maxUpscaleU16([1n, 2n])).toEqual([32768, 65535]) // 32767.5 → 32768
    expect(maxUpscaleU16([5n])).toEqual([65535])
  })

  it('reports every chain rule violation', () => {
    expect(checkWeights([1, 1, 70000], [1, 2], { n: 10, minAllowedWeights: 5 })).toEqual([
      'lengths differ: 3 uids, 2 weights', 'duplicate uid 1', 'uid 70000 is not a u16', 'too few weights: 3 < min_allowed_weights 5',
    ])
    expect(checkWeights([3, 12], [1, 65536], { n: 10 })).toEqual(['uid 12 does not exist (n = 10)', 'weight 65536 is not a u16'])
  })
})
