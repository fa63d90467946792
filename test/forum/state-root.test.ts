// The forum's incremental state root (forum/root.ts) against a from-scratch one: random mutations made
// the ways the forum makes them (get-then-mutate, set, delete, iteration, replacing a map, scalar fields)
// keep the incrementally maintained root equal to the root of a fresh copy of the same state, and any
// change of content changes the root.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { toHex } from '../../core/bytes.ts'
import type { MemberId, PostId } from '../../core/ids.ts'
import { createState, restore, snapshot, stateRoot, type ForumState } from '../../forum/index.ts'
import { account } from '../../forum/state.ts'

const member = fc.integer({ min: 0, max: 6 }).map((i) => `m${i}` as MemberId)
const post = fc.integer({ min: 0, max: 6 }).map((i) => `P${i}` as PostId)
const amount = fc.bigInt({ min: 1n, max: 50n })

type Op = (s: ForumState) => void
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.tuple(member, amount).map(([m, x]): Op => (s) => { account(s, m).rep += x }),
  fc.tuple(member, amount).map(([m, x]): Op => (s) => { const a = s.accounts.get(m); if (a) a.credits += x }),
  fc.tuple(post, member).map(([id, m]): Op => (s) => {
    s.posts.set(id, { id, sender: m, authors: [{ member: m, weightPpm: 1_000_000 }], citations: [], value: 0n, createdSlot: s.slot })
  }),
  fc.tuple(post, amount).map(([id, x]): Op => (s) => { const p = s.posts.get(id); if (p) p.value += x }),
  post.map((id): Op => (s) => { s.posts.delete(id) }),
  amount.map((x): Op => (s) => { for (const p of s.posts.values()) p.value += x }),
  amount.map((x): Op => (s) => { for (const [, a] of s.accounts) a.locked += x }),
  member.map((m): Op => (s) => { s.freeTxs.bySender.set(m, (s.freeTxs.bySender.get(m) ?? 0) + 1); s.freeTxs.total++ }),
  fc.constant<Op>((s) => { s.freeTxs = { total: 0, bySender: new Map() } }),
  fc.constant<Op>((s) => { s.posts = new Map([...s.posts].map(([k, p]) => [k, { ...p }])) }),
  fc.tuple(member, amount).map(([m, x]): Op => (s) => { s.availability.set(m, { amount: x, unlockEpoch: 9 }) }),
  fc.constant<Op>((s) => { s.slot++ }),
  amount.map((x): Op => (s) => { s.totals.minted += x }),
  fc.constant<Op>((s) => { s.accounts.clear() }),
)

const root = (s: ForumState) => toHex(stateRoot(s))

describe('forum state root', () => {
  it('the incremental root equals the root of a fresh copy after any mutations; a change changes it', () => {
    fc.assert(fc.property(fc.array(fc.tuple(opArb, fc.boolean()), { maxLength: 40 }), (steps) => {
      const s = createState({ rep: { m0: 100n, m1: 50n }, credits: { m0: 5n } })
      for (const [op, check] of steps) {
        op(s)
        // restore() builds plain maps: its root is computed from scratch.
        if (check) expect(root(restore(snapshot(s)))).toBe(root(s))
      }
      expect(root(restore(snapshot(s)))).toBe(root(s))
    }), { numRuns: 150 })
  })

  it('any single change of content changes the root', () => {
    const s = createState({ rep: { m0: 100n, m1: 50n } })
    s.posts.set('P1' as PostId, { id: 'P1' as PostId, sender: 'm0' as MemberId, authors: [], citations: [], value: 3n, createdSlot: 0 })
    const r0 = root(s)
    const changes: Op[] = [
      (x) => { x.accounts.get('m1' as MemberId)!.rep += 1n },
      (x) => { x.posts.get('P1' as PostId)!.value = 4n },
      (x) => { x.posts.delete('P1' as PostId) },
      (x) => { x.slot = 1 },
      (x) => { x.params = { ...x.params, committeeSize: x.params.committeeSize + 1 } },
      (x) => { x.freeTxs.bySender.set('m0' as MemberId, 1) },
    ]
    for (const [i, change] of changes.entries()) {
      const c = restore(snapshot(s))
      expect(root(c)).toBe(r0)
      change(c)
      expect(root(c), `change ${i}`).not.toBe(r0)
    }
    expect(root(s)).toBe(r0)
  })
})
