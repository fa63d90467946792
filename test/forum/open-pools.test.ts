// The open-pool index (forum/open-pools.ts) against a scan of every pool: over random sequences of pools
// opened (some by dispute), resolved by transaction or when due, time advancing, clones, snapshot/restore
// and state roots (which swap the pools map for a tracked copy), the due pools are exactly the open ones
// whose end slot and end height have both passed, in (end height, id) order — with heights that lag the
// slots (blocks slots apart) or, as no chain does, run ahead of them.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { MemberId, PoolId, PostId } from '../../core/ids.ts'
import { applyTx, cloneState, createState, duePools, openDisputePool, poolDue, resolveDuePools, restore, snapshot, stateRoot, SYSTEM_SENDER, type ForumState } from '../../forum/index.ts'

const REP = 1_000_000_000n
const scan = (s: ForumState): string[] =>
  [...s.pools.values()].filter((p) => !p.outcome && poolDue(s, p)).sort((a, b) => a.endHeight - b.endHeight || (a.id < b.id ? -1 : 1)).map((p) => p.id)

type Op = { k: 'open' | 'dispute' | 'resolve' | 'due' | 'advance' | 'clone' | 'restore' | 'root'; n: number }
const opArb: fc.Arbitrary<Op> = fc.record({
  k: fc.constantFrom<Op['k']>('open', 'open', 'open', 'dispute', 'resolve', 'due', 'advance', 'advance', 'clone', 'restore', 'root'),
  n: fc.nat(30),
})

describe('open-pool index', () => {
  it('due pools equal a scan of all pools after any sequence of operations', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
      let s = createState({ rep: { m0: 1000n * REP, m1: 1000n * REP } })
      applyTx(s, { type: 'Post', sender: 'm0' as MemberId, id: 'P' as PostId, authors: { m0: 1_000_000 }, citations: {} }, { slot: 0 })
      let next = 0
      for (const op of ops) {
        const id = `V${next}` as PoolId
        switch (op.k) {
          case 'open': applyTx(s, { type: 'InitiatePool', sender: SYSTEM_SENDER, id, post: 'P' as PostId, fee: REP, durationSlots: 1 + (op.n % 7) }, { slot: s.slot }); next++; break
          case 'dispute': openDisputePool(s, { id, post: 'P' as PostId, accused: 'm1' as MemberId, honestWeight: REP }); next++; break
          case 'resolve': applyTx(s, { type: 'ResolvePool', sender: SYSTEM_SENDER, pool: `V${op.n % (next + 1)}` as PoolId }, { slot: s.slot }); break
          case 'due': resolveDuePools(s); break
          case 'advance': applyTx(s, { type: 'ResolvePool', sender: SYSTEM_SENDER, pool: 'none' as PoolId }, { slot: s.slot + (op.n % 4), height: s.height + ((op.n >> 2) % 3) }); break
          case 'clone': s = cloneState(s); break
          case 'restore': s = restore(snapshot(s)); break
          case 'root': stateRoot(s); break
        }
        expect(duePools(s).map((p) => p.id)).toEqual(scan(s))
      }
    }), { numRuns: 100 })
  })
})
