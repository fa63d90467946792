// Governance: parameter changes take effect exactly at the next epoch boundary, out-of-bounds values and
// broken cross-constraints are refused when posted, changes are rate-limited per parameter, governance
// pools need a real quorum and supermajority of member stakes, and no vote crosses the safety envelope.
import { describe, expect, it } from 'vitest'
import { applyTx, advanceTo, nextEpochParams, type ForumState } from '../../forum/index.ts'
import { SAFETY_ENVELOPE } from '../../forum/envelope.ts'
import { ok, poolTx, postTx, rep, resolveTx, stakeTx, state } from './helpers.ts'

const govFee = (s: ForumState) => BigInt(s.params.govMinPoolFee)

/** Post a parameter change at slot `at` and pass it (alice stakes half her REP for); returns the resolution slot. */
function passChange(s: ForumState, id: string, changes: Record<string, number | boolean>, at: number): number {
  ok(s, postTx(id, 'alice', { alice: 1e6 }, { payload: { kind: 'params', changes } }), at)
  ok(s, poolTx(`V-${id}`, id, govFee(s)), at)
  ok(s, stakeTx(`V-${id}`, 'alice', rep('50')), at)
  const end = at + s.params.govMinDurationSlots
  const r = ok(s, resolveTx(`V-${id}`), end)
  expect(r.events.find((e) => e.type === 'PoolResolved')).toMatchObject({ passed: true })
  return end
}

describe('parameter changes', () => {
  it('take effect exactly at the next epoch boundary', () => {
    const s = state({ alice: '100' }, { params: { epochSlots: 64, govMinDurationSlots: 16 } })
    passChange(s, 'C1', { committeeSize: 8 }, 1) // resolved at slot 17 (epoch 0)
    expect(s.params.committeeSize).toBe(4)
    expect(nextEpochParams(s).committeeSize).toBe(8)
    advanceTo(s, 63)
    expect([s.epoch, s.params.committeeSize]).toEqual([0, 4])
    const events = advanceTo(s, 64)
    expect([s.epoch, s.params.committeeSize]).toEqual([1, 8])
    expect(events).toContainEqual({ type: 'ParamsActivated', epoch: 1, changes: { committeeSize: 8 } })
    expect(s.pendingParams.size).toBe(0)
  })

  it('a new epoch length governs the following boundaries', () => {
    const s = state({ alice: '100' })
    passChange(s, 'C1', { epochSlots: 100 }, 0) // resolved at slot 32 = the boundary: epoch 2 runs it
    advanceTo(s, 64) // epoch 2 starts at 64, now 100 slots long
    advanceTo(s, 163)
    expect(s.epoch).toBe(2)
    advanceTo(s, 164)
    expect([s.epoch, s.epochStartSlot]).toEqual([3, 164])
  })

  it('a change whose pool fails never takes effect', () => {
    const s = state({ alice: '100', bob: '100' })
    ok(s, postTx('C1', 'alice', { alice: 1e6 }, { payload: { kind: 'params', changes: { committeeSize: 8 } } }))
    ok(s, poolTx('V1', 'C1', govFee(s)))
    ok(s, stakeTx('V1', 'bob', rep('50'), false))
    ok(s, resolveTx('V1'), 32)
    advanceTo(s, 64)
    expect(s.params.committeeSize).toBe(4)
  })

  it('refuses an out-of-bounds value or an unknown parameter when posted', () => {
    const s = state({ alice: '100' })
    const bad: Record<string, number | boolean>[] = [{ committeeSize: 0 }, { quorumPpm: 1_000_001 }, { redistributeLosingStakes: 1 }, { noSuchParam: 1 }, {}]
    for (const changes of bad) {
      const r = applyTx(s, postTx('C', 'alice', { alice: 1e6 }, { payload: { kind: 'params', changes } }), { slot: 0 })
      expect(r.ok, JSON.stringify(changes)).toBe(false)
      if (!r.ok) expect(r.code).toBe('BAD_PARAM')
    }
    expect(s.posts.size).toBe(0)
  })

  it('refuses a change that breaks a cross-constraint (pool must end before the availability lock)', () => {
    const s = state({ alice: '100' }) // 2 epochs × 32 slots = 64
    const r = applyTx(s, postTx('C', 'alice', { alice: 1e6 }, { payload: { kind: 'params', changes: { poolDurationSlots: 64 } } }), { slot: 0 })
    expect(r.ok).toBe(false)
    expect(!r.ok && r.message).toMatch(/poolDurationSlots < availabilityMinLockEpochs × epochSlots/)
    ok(s, postTx('C2', 'alice', { alice: 1e6 }, { payload: { kind: 'params', changes: { poolDurationSlots: 63 } } }))
  })

  it('rate-limits: a second change of the same parameter in one epoch is rejected at resolution', () => {
    const s = state({ alice: '100' }, { params: { govMinDurationSlots: 16 } })
    ok(s, postTx('C1', 'alice', { alice: 1e6 }, { payload: { kind: 'params', changes: { committeeSize: 8 } } }))
    ok(s, postTx('C2', 'alice', { alice: 1e6 }, { payload: { kind: 'params', changes: { committeeSize: 6 } } }))
    ok(s, poolTx('V1', 'C1', govFee(s)))
    ok(s, poolTx('V2', 'C2', govFee(s)))
    ok(s, stakeTx('V1', 'alice', rep('40')))
    ok(s, stakeTx('V2', 'alice', rep('40')))
    ok(s, resolveTx('V1'), 16)
    const r = ok(s, resolveTx('V2'), 16)
    expect(r.events.find((e) => e.type === 'PoolResolved')).toMatchObject({ passed: true, effect: expect.stringMatching(/^rejected: .*committeeSize/) })
    advanceTo(s, 32)
    expect(s.params.committeeSize).toBe(8)
  })

  it('rate-limits: after a change, the same parameter is refused until govCooldownEpochs have passed', () => {
    const s = state({ alice: '100' })
    const cooldown = s.params.govCooldownEpochs
    passChange(s, 'C1', { committeeSize: 8 }, 0) // resolves at the boundary slot 32: active from epoch 2
    advanceTo(s, 64)
    const changed = s.paramChangedEpoch.get('committeeSize')!
    expect([changed, s.params.committeeSize]).toEqual([2, 8])
    const early = applyTx(s, postTx('C2', 'alice', { alice: 1e6 }, { payload: { kind: 'params', changes: { committeeSize: 6 } } }), { slot: 64 })
    expect(early).toMatchObject({ ok: false, code: 'RATE_LIMITED' })
    // Another parameter is free to change meanwhile.
    ok(s, postTx('C3', 'alice', { alice: 1e6 }, { payload: { kind: 'params', changes: { referenceChainLimit: 2 } } }), 64)
    // A change posted in epoch changed + cooldown - 1 would activate at changed + cooldown, the first allowed.
    const post = (id: string) => postTx(id, 'alice', { alice: 1e6 }, { payload: { kind: 'params', changes: { committeeSize: 6 } } })
    const first = (changed + cooldown - 1) * s.params.epochSlots
    advanceTo(s, first - 1)
    expect(applyTx(s, post('C4'), { slot: s.slot })).toMatchObject({ ok: false, code: 'RATE_LIMITED' })
    const end = passChange(s, 'C5', { committeeSize: 6 }, first)
    advanceTo(s, end + s.params.epochSlots)
    expect(s.params.committeeSize).toBe(6)
    expect(s.paramChangedEpoch.get('committeeSize')).toBeGreaterThanOrEqual(changed + cooldown)
  })
})

describe('governance pools', () => {
  it('the 1 %-holder capture fails: no cheap pool, no quorum, no envelope crossing', () => {
    // mallory holds 1 % of REP; the others do nothing.
    const s = state({ mallory: '10', alice: '500', bob: '490' })
    const changes = { winRatioPpm: 1, mintingRatioPpm: 100_000_000 }
    const posted = applyTx(s, postTx('X', 'mallory', { mallory: 1e6 }, { payload: { kind: 'params', changes } }), { slot: 0 })
    expect(posted).toMatchObject({ ok: false, code: 'OUTSIDE_ENVELOPE' })
    // Even inside the envelope: a 1 REP fee is refused, and the governed fee with 1 REP staked misses quorum.
    ok(s, postTx('Y', 'mallory', { mallory: 1e6 }, { payload: { kind: 'params', changes: { winRatioPpm: 500_000, mintingRatioPpm: 4_000_000 } } }))
    expect(applyTx(s, poolTx('VY', 'Y', rep('1')), { slot: 0 })).toMatchObject({ ok: false, code: 'BAD_POOL' })
    ok(s, poolTx('VY', 'Y', govFee(s)))
    ok(s, stakeTx('VY', 'mallory', rep('1')))
    const r = ok(s, resolveTx('VY'), s.params.govMinDurationSlots)
    expect(r.events.find((e) => e.type === 'PoolResolved')).toMatchObject({ quorumMet: false, passed: false })
    advanceTo(s, 64)
    expect(s.params.mintingRatioPpm).toBe(1_000_000)
  })

  it('a change outside the envelope is refused even with 100 % in favour', () => {
    for (const [key, [min, max]] of Object.entries(SAFETY_ENVELOPE)) {
      const s = state({ alice: '100' })
      for (const v of [min - 1, max + 1]) {
        const r = applyTx(s, postTx(`C-${key}-${v}`, 'alice', { alice: 1e6 }, { payload: { kind: 'params', changes: { [key]: v } } }), { slot: 0 })
        if (r.ok) throw new Error(`${key}=${v} was accepted outside [${min}, ${max}]`)
        expect(['OUTSIDE_ENVELOPE', 'BAD_PARAM'], `${key}=${v}`).toContain(r.code)
      }
    }
    // Refused when posted, so no pool can even be opened on it.
    const s = state({ alice: '100' })
    expect(() => passChange(s, 'C', { winRatioPpm: 400_000 }, 0)).toThrow(/OUTSIDE_ENVELOPE|safety envelope/)
  })

  it('member stakes alone decide: the proposer\'s minted half buys no support, and 2/3 is needed', () => {
    const s = state({ alice: '60', bob: '40' })
    ok(s, postTx('C', 'alice', { alice: 1e6 }, { payload: { kind: 'params', changes: { referenceChainLimit: 2 } } }))
    ok(s, poolTx('V', 'C', govFee(s) * 100n)) // a huge fee mints a huge favour half
    ok(s, stakeTx('V', 'alice', rep('60')))
    ok(s, stakeTx('V', 'bob', rep('40'), false)) // 60 % < 2/3
    const r = ok(s, resolveTx('V'), s.params.govMinDurationSlots)
    expect(r.events.find((e) => e.type === 'PoolResolved')).toMatchObject({ quorumMet: true, passed: false })
  })

  it('governance pools cannot be shortened or given a custom quorum, even by the system', () => {
    const s = state({ alice: '100' })
    ok(s, postTx('C', 'alice', { alice: 1e6 }, { payload: { kind: 'params', changes: { referenceChainLimit: 2 } } }))
    expect(applyTx(s, poolTx('V', 'C', govFee(s), '@system', { overrides: { quorumPpm: 0 } }), { slot: 0 })).toMatchObject({ ok: false, code: 'FORBIDDEN' })
    expect(applyTx(s, poolTx('V', 'C', govFee(s), '@system', { durationSlots: 1 }), { slot: 0 })).toMatchObject({ ok: false, code: 'BAD_POOL' })
    ok(s, poolTx('V', 'C', govFee(s)))
    expect(s.pools.get('V' as never)).toMatchObject({ quorumPpm: s.params.govQuorumPpm, winRatioPpm: s.params.govWinRatioPpm, endSlot: s.params.govMinDurationSlots })
  })

  it('non-system pools cannot shorten the governed duration or override pool parameters', () => {
    const s = state({ alice: '100' }, { credits: { alice: 10n } })
    ok(s, postTx('P', 'alice', { alice: 1e6 }))
    expect(applyTx(s, poolTx('V', 'P', 1n, 'alice', { durationSlots: 2 }), { slot: 0 })).toMatchObject({ ok: false, code: 'BAD_POOL' })
    expect(applyTx(s, poolTx('V', 'P', 1n, 'alice', { overrides: { quorumPpm: 0 } }), { slot: 0 })).toMatchObject({ ok: false, code: 'FORBIDDEN' })
    expect(applyTx(s, poolTx('V', 'P', 11n, 'alice'), { slot: 0 })).toMatchObject({ ok: false, code: 'INSUFFICIENT' })
    ok(s, poolTx('V', 'P', 10n, 'alice'))
    expect(s.accounts.get('alice' as never)!.credits).toBe(0n)
  })
})
