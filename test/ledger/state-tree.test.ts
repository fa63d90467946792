// The authenticated tree (core/merkle.ts) and the ledger's proofs: an incrementally updated tree has the
// root of one built from scratch over the same content whatever the order of updates; proofs of present
// and absent keys verify against the root and fail for any other value.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { toHex, utf8 } from '../../core/bytes.ts'
import { MerkleTree, leafHash, pathOf, treeVerify } from '../../core/merkle.ts'
import { leafBytes } from '../../core/state-tree.ts'
import { createState } from '../../forum/index.ts'
import { emptyEvalState } from '../../ledger/evaluations.ts'
import type { LedgerState } from '../../ledger/ledger.ts'
import { ledgerStateRoot, proveKey, verifyProof } from '../../ledger/state-tree.ts'

const keyArb = fc.integer({ min: 0, max: 40 }).map((i) => `k${i}`)
const opArb = fc.oneof(
  fc.record({ set: keyArb, value: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ del: keyArb }),
  fc.record({ root: fc.constant(true) }),
)

function fromScratch(content: Map<string, number>): MerkleTree {
  const t = new MerkleTree()
  for (const k of [...content.keys()].sort().reverse()) t.set(pathOf(k), leafHash(pathOf(k), utf8(String(content.get(k)))))
  return t
}

describe('authenticated tree', () => {
  it('an incremental tree has the from-scratch root; proofs verify present and absent keys', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 120 }), (ops) => {
      const t = new MerkleTree()
      const content = new Map<string, number>()
      for (const op of ops) {
        if ('set' in op) { t.set(pathOf(op.set), leafHash(pathOf(op.set), utf8(String(op.value)))); content.set(op.set, op.value) }
        else if ('del' in op) { t.delete(pathOf(op.del)); content.delete(op.del) }
        // Hashes computed between updates must not go stale.
        else expect(toHex(t.root())).toBe(toHex(fromScratch(content).root()))
      }
      const root = t.root()
      expect(t.size).toBe(content.size)
      expect(toHex(root)).toBe(toHex(fromScratch(content).root()))
      if (content.size === 0) expect(toHex(root)).toBe('00'.repeat(32))
      for (let i = 0; i <= 40; i++) {
        const k = `k${i}`
        const path = pathOf(k)
        const proof = t.prove(path)
        const v = content.get(k)
        if (v === undefined) {
          expect(t.get(path)).toBeUndefined()
          expect(treeVerify(root, path, null, proof)).toBe(true)
          expect(treeVerify(root, path, utf8('0'), proof)).toBe(false)
        } else {
          expect(treeVerify(root, path, utf8(String(v)), proof)).toBe(true)
          expect(treeVerify(root, path, utf8(String(v + 1)), proof)).toBe(false)
          expect(treeVerify(root, path, null, proof)).toBe(false)
        }
      }
    }), { numRuns: 150 })
  })

  it('large trees: batches of sets and deletes (slots reused) keep the from-scratch root', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
      let x = seed
      const rnd = (k: number) => { x = (Math.imul(x, 1103515245) + 12345) >>> 0; return (x >>> 8) % k }
      const t = new MerkleTree()
      const content = new Map<string, number>()
      for (let batch = 0; batch < 6; batch++) {
        for (let i = 0; i < 400; i++) {
          const k = `k${rnd(1500)}`
          if (rnd(3) === 0) { t.delete(pathOf(k)); content.delete(k) }
          else { const v = rnd(4); t.set(pathOf(k), leafHash(pathOf(k), utf8(String(v)))); content.set(k, v) }
        }
        expect(toHex(t.root()), `seed ${seed} batch ${batch}`).toBe(toHex(fromScratch(content).root()))
      }
    }), { numRuns: 8 })
  })
})

describe('ledger state proofs', () => {
  const ledger = (): LedgerState => {
    const forum = createState({ rep: { a: 5n, b: 7n }, credits: { a: 1n } })
    return {
      height: 3, lastBlockHash: '11'.repeat(32), lastSlot: 9, forum, evals: emptyEvalState(), nonces: new Map([['a', 4], ['b', 2]]),
      genesisChallenges: [], validatorKeys: new Map(), epochSeed: '22'.repeat(32), prevEpochSeed: '33'.repeat(32), challengeTable: [],
    }
  }

  it('proves forum and ledger keys, present and absent, against the header root', () => {
    const s = ledger()
    const root = ledgerStateRoot(s)
    for (const key of ['forum/account/a', 'forum/account/zz', 'forum/meta', 'nonce/a', 'nonce/zz', 'meta', 'miner/0']) {
      const p = proveKey(s, key)
      expect(verifyProof(root, key, p.value, p), key).toBe(true)
      const other = p.value === null ? leafBytes(1) : null
      expect(verifyProof(root, key, other, p), key).toBe(false)
    }
    expect(proveKey(s, 'forum/account/a').value).toEqual(leafBytes([5n, 0n, 1n]))
    expect(proveKey(s, 'nonce/b').value).toEqual(leafBytes(2))
    // A proof is for one key and one root.
    const p = proveKey(s, 'nonce/a')
    expect(verifyProof(root, 'nonce/b', p.value, p)).toBe(false)
    s.nonces.set('a', 5)
    expect(verifyProof(ledgerStateRoot(s), 'nonce/a', p.value, p)).toBe(false)
  })
})
