// Committee assignment (stake-weighted, without replacement, seeded) and the availability-driven
// validator set; fee distribution at epoch boundaries.
import { describe, expect, it } from 'vitest'
import { u64be } from '../../core/bytes.ts'
import { advanceTo, applyTx, assignCommittee, creditsOf, type WeightedMember } from '../../forum/index.ts'
import { M, ok, rep, state } from './helpers.ts'

const members = (stakes: number[]): WeightedMember[] => stakes.map((st, i) => ({ member: M(`v${String(i).padStart(3, '0')}`), stake: BigInt(st) }))
const seed = (i: number) => u64be(i, 32)

describe('assignCommittee', () => {
  it('is a pure function of stakes (in any order) and seed, with distinct members', () => {
    const ms = members(Array.from({ length: 50 }, (_, i) => (i + 1) * 1000))
    const a = assignCommittee(ms, seed(1), 10)
    expect(assignCommittee([...ms].reverse(), seed(1), 10)).toEqual(a)
    expect(new Set(a).size).toBe(10)
    expect(assignCommittee(ms, seed(2), 10)).not.toEqual(a)
  })
  it('returns everyone with stake when the committee is larger than the set, and never a zero stake', () => {
    const ms = members([5, 0, 7, 0])
    expect(assignCommittee(ms, seed(3), 10).sort()).toEqual(['v000', 'v002'])
    expect(assignCommittee([], seed(3), 4)).toEqual([])
    expect(() => assignCommittee([...ms, ms[0]!], seed(3), 2)).toThrow(/duplicate/)
  })
  it('draws by stake: a 90 % holder comes first in about 90 % of 2000 seeds', () => {
    const ms = members([900, 50, 30, 20])
    let first = 0
    const seen = new Map<string, number>()
    for (let i = 0; i < 2000; i++) {
      const c = assignCommittee(ms, seed(i), 2)
      if (c[0] === 'v000') first++
      for (const m of c) seen.set(m, (seen.get(m) ?? 0) + 1)
    }
    expect(first).toBeGreaterThan(1700)
    expect(first).toBeLessThan(1900)
    // Without replacement: the big holder is in nearly every committee of two, and the smallest still appears.
    expect(seen.get('v000')!).toBeGreaterThan(1950)
    expect(seen.get('v003')!).toBeGreaterThan(50)
  })
})

describe('availability and the validator set', () => {
  it('fixes the set per epoch from stakes locked past the epoch, capped at maxValidators', () => {
    const s = state({ a: '100', b: '100', c: '100' }, { params: { maxValidators: 2, committeeSize: 2 } })
    ok(s, { type: 'StakeAvailability', sender: M('a'), amount: rep('30'), epochs: 2 })
    ok(s, { type: 'StakeAvailability', sender: M('b'), amount: rep('50'), epochs: 3 })
    ok(s, { type: 'StakeAvailability', sender: M('c'), amount: rep('10'), epochs: 2 })
    expect(s.validators).toEqual([]) // power is fixed per epoch: changes show at the next boundary
    advanceTo(s, 32)
    expect(s.validators).toEqual([{ member: 'b', power: rep('50') }, { member: 'a', power: rep('30') }])
    // Locked availability is not spendable and cannot be withdrawn before its unlock epoch.
    expect(applyTx(s, { type: 'Stake', sender: M('a'), pool: 'x' as never, amount: rep('71'), inFavor: true }, { slot: 32 }).ok).toBe(false)
    // An early unstake is an exit: b leaves the set at the next boundary, its REP stays locked.
    ok(s, { type: 'UnstakeAvailability', sender: M('b') })
    expect(s.accounts.get(M('b'))!.locked).toBe(rep('50'))
    expect(applyTx(s, { type: 'UnstakeAvailability', sender: M('b') }, { slot: 32 })).toMatchObject({ ok: false, code: 'LOCKED' })
    expect(s.validators).toEqual([{ member: 'b', power: rep('50') }, { member: 'a', power: rep('30') }])
    advanceTo(s, 64) // epoch 2: a and c unlocked (unlockEpoch 2); b exited (locked until 3)
    expect(s.validators).toEqual([])
    expect(applyTx(s, { type: 'UnstakeAvailability', sender: M('b') }, { slot: 64 })).toMatchObject({ ok: false, code: 'LOCKED' })
    advanceTo(s, 96)
    ok(s, { type: 'UnstakeAvailability', sender: M('b') })
    expect(s.accounts.get(M('b'))!.locked).toBe(0n)
    ok(s, { type: 'UnstakeAvailability', sender: M('a') })
    expect(s.accounts.get(M('a'))!.locked).toBe(0n)
    expect(applyTx(s, { type: 'StakeAvailability', sender: M('a'), amount: rep('1'), epochs: 1 }, { slot: 96 })).toMatchObject({ ok: false, code: 'BAD_LOCK' })
  })
})

describe('business fees', () => {
  it('are distributed pro rata to REP at the epoch boundary; the remainder carries over', () => {
    const s = state({ a: '1', b: '2' }, { credits: { a: 100n } })
    ok(s, { type: 'BusinessRequest', sender: M('a'), fee: 10n, request: 'eval batch' })
    ok(s, { type: 'BusinessRequest', sender: M('@system'), fee: 90n, request: 'external' })
    expect(applyTx(s, { type: 'BusinessRequest', sender: M('b'), fee: 1n, request: 'x' }, { slot: 0 })).toMatchObject({ ok: false, code: 'INSUFFICIENT' })
    advanceTo(s, 31)
    expect(s.feePot).toBe(100n)
    advanceTo(s, 32)
    // 100 × 1/3 = 33, 100 × 2/3 = 66; 1 stays in the pot.
    expect([creditsOf(s, M('a')), creditsOf(s, M('b')), s.feePot]).toEqual([90n + 33n, 66n, 1n])
  })
})
