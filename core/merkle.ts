// An authenticated map: a compressed 16-ary sparse Merkle tree over 32-byte paths (sha256 of the key),
// one nibble per level. Nodes are immutable (updates copy the path, old trees stay valid) and hashes are
// computed lazily and memoised, so a root after k changes costs O(k · log16 n) hash calls (16-ary: a
// quarter of the calls of a binary tree, and calls, not bytes, dominate). The shape depends only on the
// content: a subtree holding one leaf is that leaf, so equal maps have equal roots whatever the order.
//   leaf   = sha256(0x00 ‖ path ‖ value bytes)      branch = sha256(0x01 ‖ child_0 ‖ … ‖ child_15)
//   empty  = 32 zero bytes
import { hash as nodeHash } from 'node:crypto'
import { utf8 } from './bytes.ts'

const EMPTY = new Uint8Array(32)
const LEAF = 0
const BRANCH = 1
const ARITY = 16
/** Paths are 64 nibbles: no two keys share a full path (sha256 collisions aside). */
const PATH_NIBBLES = 64

// Native sha256: a pure function, and several times faster per call than the JS one.
const sha256 = (b: Uint8Array): Uint8Array => nodeHash('sha256', b, 'buffer')
const branchScratch = new Uint8Array(1 + ARITY * 32)
branchScratch[0] = BRANCH

/** The path of a key in the tree. */
export const pathOf = (key: string): Uint8Array => sha256(utf8(key))

/** The hash of the leaf holding `value` (canonical bytes) at `path`. */
export function leafHash(path: Uint8Array, value: Uint8Array): Uint8Array {
  const b = new Uint8Array(33 + value.length)
  b[0] = LEAF
  b.set(path, 1)
  b.set(value, 33)
  return sha256(b)
}

class Leaf {
  constructor(readonly path: Uint8Array, readonly hash: Uint8Array) {}
}
class Branch {
  hash: Uint8Array | null = null
  constructor(readonly children: readonly (Node | null)[]) {}
}
type Node = Leaf | Branch

/** An immutable tree; `null` is the empty tree. */
export type MerkleTree = Node | null
export const emptyTree: MerkleTree = null

const nibble = (path: Uint8Array, depth: number): number => (depth & 1 ? path[depth >> 1]! & 15 : path[depth >> 1]! >> 4)
const samePath = (a: Uint8Array, b: Uint8Array): boolean => {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return false
  return true
}

/** The leaf hash stored at `path`, if any (no hashing). */
export function treeGet(t: MerkleTree, path: Uint8Array): Uint8Array | undefined {
  let n = t
  for (let d = 0; n; d++) {
    if (n instanceof Leaf) return samePath(n.path, path) ? n.hash : undefined
    n = n.children[nibble(path, d)]!
  }
  return undefined
}

/** A tree with the leaf at `path` set to `hash` (from `leafHash`). */
export function treeSet(t: MerkleTree, path: Uint8Array, hash: Uint8Array): MerkleTree {
  return insert(t, 0, new Leaf(path, hash))
}

const withChild = (n: Branch, i: number, c: Node | null): Branch => {
  const children = n.children.slice()
  children[i] = c
  return new Branch(children)
}

function insert(n: Node | null, depth: number, leaf: Leaf): Node {
  if (n === null) return leaf
  if (n instanceof Leaf) return samePath(n.path, leaf.path) ? leaf : join(n, leaf, depth)
  const i = nibble(leaf.path, depth)
  return withChild(n, i, insert(n.children[i]!, depth + 1, leaf))
}

/** The smallest subtree holding two leaves with different paths, from `depth` on. */
function join(a: Leaf, b: Leaf, depth: number): Node {
  if (depth >= PATH_NIBBLES) throw new Error('merkle: two leaves with one path')
  const children = new Array<Node | null>(ARITY).fill(null)
  const na = nibble(a.path, depth)
  const nb = nibble(b.path, depth)
  if (na !== nb) { children[na] = a; children[nb] = b } else children[na] = join(a, b, depth + 1)
  return new Branch(children)
}

/** A tree without `path` (unchanged if absent). */
export function treeDelete(t: MerkleTree, path: Uint8Array): MerkleTree {
  return remove(t, 0, path)
}

function remove(n: Node | null, depth: number, path: Uint8Array): Node | null {
  if (n === null) return null
  if (n instanceof Leaf) return samePath(n.path, path) ? null : n
  const i = nibble(path, depth)
  const child = n.children[i]!
  const next = remove(child, depth + 1, path)
  if (next === child) return n
  const b = withChild(n, i, next)
  // Keep the canonical shape: a subtree with a single leaf is that leaf.
  let only: Node | null = null
  let count = 0
  for (const c of b.children) if (c !== null) { count++; only = c }
  if (count === 0) return null
  if (count === 1 && only instanceof Leaf) return only
  return b
}

function hashOf(n: Node | null): Uint8Array {
  if (n === null) return EMPTY
  if (n instanceof Leaf || n.hash) return n.hash!
  const hs = n.children.map(hashOf) // children first: they reuse the scratch buffer
  for (let i = 0; i < ARITY; i++) branchScratch.set(hs[i]!, 1 + i * 32)
  n.hash = sha256(branchScratch)
  return n.hash
}

/** The root hash (computes only the hashes not memoised yet). */
export const treeRoot = (t: MerkleTree): Uint8Array => hashOf(t)

/**
 * A proof for one path: per level from the root, the 16 child hashes of the branch the search passes
 * (its own slot is recomputed by the verifier); for an absent path whose search ends at another leaf,
 * that leaf's path and hash.
 */
export interface MerkleProof { readonly levels: readonly (readonly Uint8Array[])[]; readonly other?: { readonly path: Uint8Array; readonly hash: Uint8Array } }

export function treeProve(t: MerkleTree, path: Uint8Array): MerkleProof {
  const levels: Uint8Array[][] = []
  let n = t
  for (let d = 0; n instanceof Branch; d++) {
    levels.push(n.children.map(hashOf))
    n = n.children[nibble(path, d)]!
  }
  if (n instanceof Leaf && !samePath(n.path, path)) return { levels, other: { path: n.path, hash: n.hash } }
  return { levels }
}

/**
 * The root that `proof` implies for `path` holding `value` (canonical bytes), or being absent when
 * `value` is null; null when the proof is malformed. Compare it with a certified root (`treeVerify`).
 */
export function rootFromProof(path: Uint8Array, value: Uint8Array | null, proof: MerkleProof): Uint8Array | null {
  const depth = proof.levels.length
  if (depth > PATH_NIBBLES || path.length !== 32) return null
  let cur: Uint8Array
  if (value !== null) {
    if (proof.other) return null
    cur = leafHash(path, value)
  } else if (proof.other) {
    const o = proof.other
    if (o.path.length !== 32 || o.hash.length !== 32 || samePath(o.path, path)) return null
    // The other leaf must sit where the search for `path` ends: same first `depth` nibbles.
    for (let d = 0; d < depth; d++) if (nibble(o.path, d) !== nibble(path, d)) return null
    cur = o.hash
  } else {
    cur = EMPTY
  }
  const buf = new Uint8Array(1 + ARITY * 32)
  buf[0] = BRANCH
  for (let d = depth - 1; d >= 0; d--) {
    const level = proof.levels[d]!
    if (level.length !== ARITY) return null
    const own = nibble(path, d)
    for (let i = 0; i < ARITY; i++) {
      const h = i === own ? cur : level[i]!
      if (h.length !== 32) return null
      buf.set(h, 1 + i * 32)
    }
    cur = sha256(buf)
  }
  return cur
}

/** Whether `proof` shows `path` holding `value` (or absent, for null) under `root`. */
export function treeVerify(root: Uint8Array, path: Uint8Array, value: Uint8Array | null, proof: MerkleProof): boolean {
  const r = rootFromProof(path, value, proof)
  return r !== null && root.length === 32 && samePath(r, root)
}

/** Equal 32-byte hashes. */
export const sameHash = (a: Uint8Array, b: Uint8Array): boolean => a.length === 32 && b.length === 32 && samePath(a, b)
