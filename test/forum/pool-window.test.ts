// A pool's window counts slots and blocks (forum/pool-window.ts): open until its end slot and as many
// blocks as its duration has slots have passed. On a chain of one block per slot nothing changes; when
// blocks come slots apart (the validator-set soak: a pool opened at slot 24 for 12 slots, the next block
// at slot 45, every stake at slot 46 refused POOL_CLOSED) the block count holds it open for the stakes.
import { describe, expect, it } from 'vitest'
import { applyTx, cloneState, duePools, poolDue, poolOpen, resolveDuePools, restore, snapshot, stateRoot, type ForumState } from '../../forum/index.ts'
import { poolTx, postTx, rep, stakeTx, state } from './helpers.ts'

const DURATION = 12
/** alice's post P and a 12-slot pool V on it, opened in the block at slot 24, height 17 (as in the soak). */
function opened(): ForumState {
  const s = state({ alice: '100', bob: '100' }, { params: { epochSlots: 6, poolDurationSlots: 3 } })
  for (const tx of [postTx('P', 'alice', { alice: 1e6 }), poolTx('V', 'P', rep('10'), '@system', { durationSlots: DURATION })]) {
    const r = applyTx(s, tx, { slot: 24, height: 17 })
    expect(r.ok, r.ok ? '' : r.message).toBe(true)
  }
  return s
}
const pool = (s: ForumState) => s.pools.get('V' as never)!

describe('pool windows', () => {
  it('record the opening block and end after the duration in slots and in blocks', () => {
    expect(pool(opened())).toMatchObject({ startSlot: 24, endSlot: 36, startHeight: 17, endHeight: 29 })
  })

  it('a block far past the end slot does not close a pool that has had fewer blocks than its duration: its stakes count', () => {
    const s = opened()
    // The next block 21 slots later: past the end slot (36), one block into the window.
    expect(applyTx(s, stakeTx('V', 'bob', rep('1')), { slot: 45, height: 18 }).ok).toBe(true)
    expect(resolveDuePools(s)).toEqual([])
    const late = applyTx(s, stakeTx('V', 'alice', rep('5')), { slot: 46, height: 19 })
    expect(late.ok, late.ok ? '' : late.message).toBe(true)
    expect(pool(s).memberInFavor).toBe(rep('6'))
    // Open until the block at height 29, whatever the slot; then due, and stakes are refused.
    applyTx(s, stakeTx('V', 'bob', rep('1')), { slot: 80, height: 28 })
    expect([poolOpen(s, pool(s)), duePools(s).length]).toEqual([true, 0])
    const closing = applyTx(s, stakeTx('V', 'bob', rep('1')), { slot: 81, height: 29 })
    expect(closing).toMatchObject({ ok: false, code: 'POOL_CLOSED' })
    expect(duePools(s).map((p) => p.id)).toEqual(['V'])
    expect(resolveDuePools(s)).toMatchObject([{ type: 'PoolResolved', pool: 'V', passed: true }])
  })

  it('with one block per slot (no height given: the clock counts one per slot) it ends at its end slot, as before', () => {
    const s = state({ alice: '100' })
    applyTx(s, postTx('P', 'alice', { alice: 1e6 }), { slot: 3 })
    applyTx(s, poolTx('V', 'P', rep('10'), '@system', { durationSlots: DURATION }), { slot: 3 })
    expect(pool(s)).toMatchObject({ startSlot: 3, endSlot: 15, startHeight: 3, endHeight: 15 })
    expect(applyTx(s, stakeTx('V', 'alice', rep('1')), { slot: 14 }).ok).toBe(true)
    expect(applyTx(s, stakeTx('V', 'alice', rep('1')), { slot: 15 })).toMatchObject({ ok: false, code: 'POOL_CLOSED' })
    expect(resolveDuePools(s).map((e) => e.type)).toEqual(['PoolResolved'])
  })

  it('heights never outrun slots on a chain, but if given so the end slot still holds the pool open', () => {
    const s = opened()
    applyTx(s, stakeTx('V', 'bob', rep('1')), { slot: 30, height: 40 })
    expect([poolDue(s, pool(s)), duePools(s).length]).toEqual([false, 0])
    applyTx(s, stakeTx('V', 'bob', rep('1')), { slot: 36 })
    expect(duePools(s).map((p) => p.id)).toEqual(['V'])
  })

  it('the clock never moves back in height', () => {
    const s = opened()
    expect(() => applyTx(s, stakeTx('V', 'bob', rep('1')), { slot: 30, height: 16 })).toThrow(/height 17 to 16/)
  })

  it('a snapshot, a clone and the state root carry the window: restored, the pool closes at the same block', () => {
    const s = opened()
    applyTx(s, stakeTx('V', 'bob', rep('1')), { slot: 45, height: 18 })
    const copies = [restore(snapshot(s)), cloneState(s)]
    for (const c of copies) {
      expect(stateRoot(c)).toEqual(stateRoot(s))
      expect([c.height, c.epochStartHeight, pool(c).endHeight]).toEqual([18, 18, 29])
    }
    for (const x of [s, ...copies]) {
      applyTx(x, stakeTx('V', 'alice', rep('1')), { slot: 90, height: 28 })
      expect(resolveDuePools(x)).toEqual([])
      applyTx(x, stakeTx('V', 'alice', rep('1')), { slot: 91, height: 29 })
      expect(resolveDuePools(x).map((e) => e.type)).toEqual(['PoolResolved'])
    }
    expect(copies.map((c) => stateRoot(c))).toEqual([stateRoot(s), stateRoot(s)])
  })

  it('the height is part of the state root', () => {
    const a = opened(), b = opened()
    applyTx(a, stakeTx('V', 'bob', rep('1')), { slot: 45, height: 18 })
    applyTx(b, stakeTx('V', 'bob', rep('1')), { slot: 45, height: 19 })
    expect(stateRoot(a)).not.toEqual(stateRoot(b))
  })
})
