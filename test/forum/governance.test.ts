// Governance: parameter changes take effect exactly at the next epoch boundary, out-of-bounds values and
// broken cross-constraints are refused when posted, and changes are rate-limited per parameter.
import { describe, expect, it } from 'vitest'
import { applyTx, advanceTo, nextEpochParams, type ForumState } from '../../forum/index.ts'
import { ok, poolTx, postTx, rep, resolveTx, stakeTx, state } from './helpers.ts'

/** Post a parameter change at slot `at` and pass it (alice votes for); returns the resolution slot. */
function passChange(s: ForumState, id: string, changes: Record<string, number | boolean>, at: number): number {
  ok(s, postTx(id, 'alice', { alice: 1e6 }, { payload: { kind: 'params', changes } }), at)
  ok(s, poolTx(`V-${id}`, id, rep('1')), at)
  ok(s, stakeTx(`V-${id}`, 'alice', rep('1')), at)
  const end = at + s.params.poolDurationSlots
  const r = ok(s, resolveTx(`V-${id}`), end)
  expect(r.events.find((e) => e.type === 'PoolResolved')).toMatchObject({ passed: true })
  return end
}

describe('parameter changes', () => {
  it('take effect exactly at the next epoch boundary', () => {
    const s = state({ alice: '100' }) // epochSlots 32, poolDurationSlots 16
    passChange(s, 'C1', { committeeSize: 8 }, 1) // resolved at slot 17 (epoch 0)
    expect(s.params.committeeSize).toBe(4)
    expect(nextEpochParams(s).committeeSize).toBe(8)
    advanceTo(s, 31)
    expect([s.epoch, s.params.committeeSize]).toEqual([0, 4])
    const events = advanceTo(s, 32)
    expect([s.epoch, s.params.committeeSize]).toEqual([1, 8])
    expect(events).toContainEqual({ type: 'ParamsActivated', epoch: 1, changes: { committeeSize: 8 } })
    expect(s.pendingParams.size).toBe(0)
  })

  it('a new epoch length governs the following boundaries', () => {
    const s = state({ alice: '100' })
    passChange(s, 'C1', { epochSlots: 100 }, 0)
    advanceTo(s, 32) // epoch 1 starts at 32, now 100 slots long
    advanceTo(s, 131)
    expect(s.epoch).toBe(1)
    advanceTo(s, 132)
    expect([s.epoch, s.epochStartSlot]).toEqual([2, 132])
  })

  it('a change whose pool fails never takes effect', () => {
    const s = state({ alice: '100', bob: '100' })
    ok(s, postTx('C1', 'alice', { alice: 1e6 }, { payload: { kind: 'params', changes: { committeeSize: 8 } } }))
    ok(s, poolTx('V1', 'C1', rep('1')))
    ok(s, stakeTx('V1', 'bob', rep('50'), false))
    ok(s, resolveTx('V1'), 16)
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
    const s = state({ alice: '100' })
    ok(s, postTx('C1', 'alice', { alice: 1e6 }, { payload: { kind: 'params', changes: { committeeSize: 8 } } }))
    ok(s, postTx('C2', 'alice', { alice: 1e6 }, { payload: { kind: 'params', changes: { committeeSize: 6 } } }))
    ok(s, poolTx('V1', 'C1', rep('1')))
    ok(s, poolTx('V2', 'C2', rep('1')))
    ok(s, resolveTx('V1'), 16)
    const r = ok(s, resolveTx('V2'), 16)
    expect(r.events.find((e) => e.type === 'PoolResolved')).toMatchObject({ passed: true, effect: expect.stringMatching(/^rejected: .*committeeSize/) })
    advanceTo(s, 32)
    expect(s.params.committeeSize).toBe(8)
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
