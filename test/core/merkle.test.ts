// The bulk build of the authenticated tree (core/merkle.ts `fill`) and the state tree's use of it
// (core/state-tree.ts): a filled tree has the root, proofs and later updates of a tree built by sets,
// and a state's first root (gathered into one fill) equals the root of the same state reached by updates.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { toHex, utf8 } from '../../core/bytes.ts'
import { MerkleTree, leafHash, pathOf, treeVerify } from '../../core/merkle.ts'
import { syncedRoot, type TreeSpec } from '../../core/state-tree.ts'

const leaf = (k: string, v: number) => leafHash(pathOf(k), utf8(String(v)))

function bySets(content: Map<string, number>): MerkleTree {
  const t = new MerkleTree()
  for (const [k, v] of content) t.set(pathOf(k), leaf(k, v))
  return t
}

function byFill(content: Map<string, number>): MerkleTree {
  const keys = [...content.keys()]
  const paths = new Uint8Array(32 * keys.length)
  const hashes = new Uint8Array(32 * keys.length)
  keys.forEach((k, i) => { paths.set(pathOf(k), 32 * i); hashes.set(leaf(k, content.get(k)!), 32 * i) })
  const t = new MerkleTree()
  t.fill(paths, hashes)
  return t
}

/** A seeded PRNG (the seed is in every failure message). */
const lcg = (seed: number) => { let x = seed >>> 0; return (k: number) => { x = (Math.imul(x, 1103515245) + 12345) >>> 0; return (x >>> 8) % k } }

describe('merkle fill', () => {
  it('a filled tree has the root and proofs of one built by sets, and stays equal under further updates', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 3000 }), (seed, n) => {
      const rnd = lcg(seed)
      const content = new Map<string, number>()
      for (let i = 0; i < n; i++) content.set(`k${rnd(4 * n + 1)}`, rnd(5))
      const a = byFill(content)
      const b = bySets(content)
      expect(a.size, `seed ${seed}`).toBe(content.size)
      expect(toHex(a.root()), `seed ${seed} n ${n}`).toBe(toHex(b.root()))
      for (let i = 0; i < 20; i++) {
        const k = `k${rnd(4 * n + 1)}`
        const v = content.get(k)
        const proof = a.prove(pathOf(k))
        expect(treeVerify(a.root(), pathOf(k), v === undefined ? null : utf8(String(v)), proof), `seed ${seed} key ${k}`).toBe(true)
      }
      // Sets and deletes after a fill (new branches, slots reused, arrays grown) keep both trees equal.
      for (let i = 0; i < 300; i++) {
        const k = `k${rnd(4 * n + 40)}`
        if (rnd(3) === 0) { a.delete(pathOf(k)); b.delete(pathOf(k)); content.delete(k) }
        else { const v = rnd(5); a.set(pathOf(k), leaf(k, v)); b.set(pathOf(k), leaf(k, v)); content.set(k, v) }
      }
      expect(toHex(a.root()), `seed ${seed} after updates`).toBe(toHex(b.root()))
      expect(toHex(a.root()), `seed ${seed} from scratch`).toBe(toHex(byFill(content).root()))
    }), { numRuns: 20 })
  })

  it('refuses a non-empty tree and a path given twice', () => {
    const t = bySets(new Map([['a', 1]]))
    expect(() => t.fill(pathOf('b'), leaf('b', 1))).toThrow(/empty/)
    const twice = new Uint8Array(64)
    twice.set(pathOf('a'), 0); twice.set(pathOf('a'), 32)
    expect(() => new MerkleTree().fill(twice, new Uint8Array(64))).toThrow(/one path/)
  })
})

interface Toy { items: Map<string, number[]>; log: number[]; note: string }
const TOY: TreeSpec<Toy> = {
  sections: [{ prefix: 'item', mutableValues: true, read: (s: Toy) => s.items as Map<string | number, unknown>, replace: (s: Toy, m: Map<string | number, unknown>) => { s.items = m as Toy['items'] }, row: (v: unknown) => v }],
  arrays: [{ prefix: 'log', read: (s: Toy) => s.log }],
  meta: (s: Toy) => [s.note],
}

describe('state tree first sync', () => {
  it('a state first rooted whole (one fill) has the root of the same state reached by incremental syncs', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
      const rnd = lcg(seed)
      const clone = (s: Toy): Toy => ({ items: new Map([...s.items].map(([k, v]) => [k, [...v]])), log: [...s.log], note: s.note })
      const live: Toy = { items: new Map(), log: [], note: 'x' }
      syncedRoot(TOY, live)
      let twin: Toy | null = null // filled at step 2, then updated alongside `live`
      for (let step = 0; step < 8; step++) {
        for (let i = 0; i < 60; i++) {
          const k = `i${rnd(200)}`
          const del = rnd(4) === 0
          const v = [rnd(9), rnd(9)]
          const push = rnd(5) === 0 ? rnd(100) : null
          for (const s of twin ? [live, twin] : [live]) {
            if (del) s.items.delete(k); else s.items.set(k, [...v])
            if (push !== null) s.log.push(push)
          }
        }
        live.note = `n${step}`
        if (twin) twin.note = live.note
        const incremental = syncedRoot(TOY, live)
        expect(toHex(syncedRoot(TOY, clone(live))), `seed ${seed} step ${step}`).toBe(toHex(incremental))
        if (twin) expect(toHex(syncedRoot(TOY, twin)), `seed ${seed} step ${step} twin`).toBe(toHex(incremental))
        if (step === 2) { twin = clone(live); syncedRoot(TOY, twin) }
      }
    }), { numRuns: 15 })
  })
})
