// Validator set: deterministic stake order, power quorums, and a stake-weighted, rotating leader.
import { describe, expect, it } from 'vitest'
import { createValidatorSet } from '../../validator/consensus/index.ts'

const key = (i: number) => new Uint8Array(32).fill(i + 1)
const members = (powers: bigint[]) => powers.map((power, i) => ({ id: `v${i}`, publicKey: key(i), power }))

describe('ValidatorSet', () => {
  it('orders by power, then id, whatever the input order', () => {
    const a = createValidatorSet(members([1n, 5n, 5n, 2n]))
    const b = createValidatorSet([...members([1n, 5n, 5n, 2n])].reverse())
    expect(a.validators.map((v) => v.id)).toEqual(['v1', 'v2', 'v3', 'v0'])
    expect(b.validators.map((v) => v.id)).toEqual(a.validators.map((v) => v.id))
  })

  it('counts quorum (> 2/3) and f+1 (≥ 1/3) in power', () => {
    const s = createValidatorSet(members([3n, 3n, 3n])) // total 9
    expect(s.hasQuorum(6n)).toBe(false)
    expect(s.hasQuorum(7n)).toBe(true)
    expect(s.hasFPlus1(2n)).toBe(false)
    // Exactly a third is more than the faulty power tolerated (< 1/3): it holds an honest member.
    expect(s.hasFPlus1(3n)).toBe(true)
    expect(s.powerOf(['v0', 'v0', 'mallory', 'v1'])).toBe(6n)
  })

  it('rejects empty sets, duplicate ids or keys, and non-positive power', () => {
    expect(() => createValidatorSet([])).toThrow(/empty/)
    expect(() => createValidatorSet([...members([1n]), { id: 'v0', publicKey: key(9), power: 1n }])).toThrow(/duplicate validator id/)
    expect(() => createValidatorSet([...members([1n]), { id: 'x', publicKey: key(0), power: 1n }])).toThrow(/duplicate public key/)
    expect(() => createValidatorSet(members([0n]))).toThrow(/positive/)
  })

  it('picks round-0 leaders in proportion to power', () => {
    const s = createValidatorSet(members([30n, 10n, 10n, 10n, 10n, 10n, 10n, 10n]))
    const counts = new Map<string, number>()
    for (let height = 0; height < 4000; height++) counts.set(s.leader(height, 0), (counts.get(s.leader(height, 0)) ?? 0) + 1)
    expect(counts.get('v0')! / 4000).toBeGreaterThan(0.26)
    expect(counts.get('v0')! / 4000).toBeLessThan(0.34)
    for (let i = 1; i < 8; i++) expect(counts.get(`v${i}`)! / 4000).toBeGreaterThan(0.07)
  })

  it('rotates through every validator in n consecutive rounds', () => {
    const s = createValidatorSet(members([100n, 1n, 1n, 1n, 1n]))
    for (const height of [0, 1, 99]) {
      const leaders = new Set(Array.from({ length: 5 }, (_, r) => s.leader(height, r + 1)))
      expect(leaders.size).toBe(5)
    }
  })
})
