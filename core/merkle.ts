// An authenticated map: a compressed 16-ary sparse Merkle tree over 32-byte paths (sha256 of the key),
// one nibble per level. The shape depends only on the content (a subtree holding one leaf is that leaf),
// so equal maps have equal roots whatever the order of updates.
//   leaf   = sha256(0x00 ‖ path ‖ value bytes)      branch = sha256(0x01 ‖ child_0 ‖ … ‖ child_15)
//   empty  = 32 zero bytes
// The tree is mutable and lives in a few typed arrays (no object per leaf or branch: the GC never walks a
// million-leaf tree). Each branch keeps its hash preimage, so an update writes one slot and flags the
// branches above it; a root rehashes only flagged branches: O(changed keys · log16 n) hash calls.
import { sha256, sha256Into } from './hash.ts'

const EMPTY = new Uint8Array(32)
const LEAF = 0
const BRANCH = 1
const ARITY = 16
/** Bytes of a branch's preimage: the tag and 16 child hashes. */
const PRE = 1 + ARITY * 32
/** Bytes per leaf record: path ‖ hash. */
const LEAF_BYTES = 64
/** Paths are 64 nibbles: no two keys share a full path (sha256 collisions aside). */
const PATH_NIBBLES = 64

/** The path of a key in the tree: sha256 of its UTF-8 bytes. */
export const pathOf = (key: string): Uint8Array => sha256(key)

/** The hash of the leaf holding `value` (canonical bytes) at `path`. */
export function leafHash(path: Uint8Array, value: Uint8Array): Uint8Array {
  const b = new Uint8Array(33 + value.length)
  b[0] = LEAF
  b.set(path, 1)
  b.set(value, 33)
  return sha256(b)
}

const nibble = (path: Uint8Array, depth: number): number => (depth & 1 ? path[depth >> 1]! & 15 : path[depth >> 1]! >> 4)

type Typed = Uint8Array | Uint16Array | Int32Array
/** `a`, or a copy twice as long (or more) when shorter than `need`. */
function grow<T extends Typed>(a: T, need: number): T {
  if (need <= a.length) return a
  let n = a.length * 2
  while (n < need) n *= 2
  const b = new (a.constructor as new (n: number) => T)(n)
  b.set(a as never)
  return b
}

// A node reference: 0 is empty, b + 1 is branch b, -(l + 1) is leaf l.
const branchRef = (b: number): number => b + 1
const leafRef = (l: number): number => -(l + 1)

export class MerkleTree {
  /** Per leaf: path ‖ hash. */
  private leaves = new Uint8Array(LEAF_BYTES * 64)
  private leafTop = 0
  private readonly freeLeaves: number[] = []
  /** Per branch: 16 child references. */
  private kids = new Int32Array(ARITY * 16)
  /** Per branch: its hash preimage (a slot marked in `stale` is rewritten at the next root). */
  private pre = new Uint8Array(PRE * 16)
  /** Per branch: bit i set when child i is a branch whose hash (in slot i) is stale. */
  private stale = new Uint16Array(16)
  /** The branches met by the last walk from the top, and the slot taken in each (scratch). */
  private readonly walkB = new Int32Array(PATH_NIBBLES)
  private readonly walkS = new Int32Array(PATH_NIBBLES)
  private branchTop = 0
  private readonly freeBranches: number[] = []
  private top = 0
  private rootHash: Uint8Array | null = EMPTY
  private count = 0
  /** Work done so far (benchmarks and profiles): leaves written or deleted, branches hashed. */
  readonly work = { leafWrites: 0, branchHashes: 0 }

  /** Number of leaves. */
  get size(): number { return this.count }

  /** The leaf hash stored at `path`, if any (no hashing). */
  get(path: Uint8Array): Uint8Array | undefined {
    const l = this.find(path)
    return l < 0 ? undefined : this.leaves.slice(l * LEAF_BYTES + 32, l * LEAF_BYTES + 64)
  }

  /** Set the leaf at `path` to `hash` (from `leafHash`); setting the hash it holds changes nothing. */
  set(path: Uint8Array, hash: Uint8Array): void {
    if (hash.length !== 32 || path.length !== 32) throw new Error('merkle: paths and hashes are 32 bytes')
    // One walk down (memory latency, not hashing, is what a set costs in a large tree).
    const depth = this.walk(path)
    const ref = depth === 0 ? this.top : this.kids[this.walkB[depth - 1]! * ARITY + this.walkS[depth - 1]!]!
    let next: number
    if (ref === 0) { next = leafRef(this.newLeaf(path, hash)); this.count++ }
    else if (this.samePath(-ref - 1, path)) {
      const o = (-ref - 1) * LEAF_BYTES + 32
      let same = true
      for (let i = 0; i < 32; i++) if (this.leaves[o + i] !== hash[i]) { same = false; break }
      if (same) return
      this.leaves.set(hash, o)
      next = ref
    } else { next = this.join(-ref - 1, this.newLeaf(path, hash), depth); this.count++ }
    this.work.leafWrites++
    if (depth === 0) this.top = next
    else this.link(this.walkB[depth - 1]!, this.walkS[depth - 1]!, next)
    this.flagWalk(depth)
  }

  /** Remove the leaf at `path` (nothing happens if absent). */
  delete(path: Uint8Array): void {
    const depth = this.walk(path)
    const ref = depth === 0 ? this.top : this.kids[this.walkB[depth - 1]! * ARITY + this.walkS[depth - 1]!]!
    if (ref >= 0 || !this.samePath(-ref - 1, path)) return
    this.flagWalk(depth)
    this.work.leafWrites++
    this.count--
    this.freeLeaves.push(-ref - 1)
    let replacement = 0
    for (let k = depth - 1; k >= -1; k--) {
      if (k < 0) { this.top = replacement; break }
      const b = this.walkB[k]!
      this.link(b, this.walkS[k]!, replacement)
      // Keep the canonical shape: a branch left empty disappears, one left with a single leaf becomes it.
      let n = 0
      let only = 0
      for (let i = 0; i < ARITY; i++) { const c = this.kids[b * ARITY + i]!; if (c !== 0) { n++; only = c } }
      if (n > 1 || (n === 1 && only > 0)) break
      this.freeBranches.push(b)
      replacement = n === 0 ? 0 : only
    }
  }

  /**
   * Fill an empty tree with `paths.length / 32` leaves at once (paths and hashes packed 32 bytes each, in
   * any order, no path twice): the tree that as many `set`s would give, but built top-down by nibble
   * buckets, each branch created once and hashed once (a restored state's first root).
   */
  fill(paths: Uint8Array, hashes: Uint8Array): void {
    if (this.count !== 0) throw new Error('merkle: fill needs an empty tree')
    const n = paths.length / 32
    if (!Number.isInteger(n) || hashes.length !== paths.length) throw new Error('merkle: paths and hashes are 32 bytes')
    if (n === 0) return
    // Room for n leaves and an eighth more before the first doubling copy.
    const room = n + (n >> 3)
    this.leaves = new Uint8Array(room * LEAF_BYTES)
    this.freeLeaves.length = 0
    for (let l = 0; l < n; l++) {
      this.leaves.set(paths.subarray(l * 32, l * 32 + 32), l * LEAF_BYTES)
      this.leaves.set(hashes.subarray(l * 32, l * 32 + 32), l * LEAF_BYTES + 32)
    }
    this.leafTop = n
    this.work.leafWrites += n
    const idx = new Int32Array(n)
    for (let l = 0; l < n; l++) idx[l] = l
    this.top = this.fillRange(idx, new Int32Array(n), 0, n, 0, new Int32Array(17 * PATH_NIBBLES))
    this.count = n
    this.rootHash = null
  }

  /** The subtree of leaves `idx[lo, hi)` from `depth` on, its branches hashed (reorders that range). */
  private fillRange(idx: Int32Array, tmp: Int32Array, lo: number, hi: number, depth: number, counts: Int32Array): number {
    if (hi - lo === 1) return leafRef(idx[lo]!)
    if (depth >= PATH_NIBBLES) throw new Error('merkle: two leaves with one path')
    // Counting sort of the range by this level's nibble; counts[c + 1] ends as the start of bucket c + 1.
    const c = depth * 17
    counts.fill(0, c, c + 17)
    const leaves = this.leaves
    const byte = depth >> 1
    const shift = depth & 1 ? 0 : 4
    const nib = (l: number): number => (leaves[l * LEAF_BYTES + byte]! >> shift) & 15
    for (let i = lo; i < hi; i++) counts[c + 1 + nib(idx[i]!)]!++
    counts[c] = lo
    for (let k = 1; k <= ARITY; k++) counts[c + k] = counts[c + k]! + counts[c + k - 1]!
    for (let i = lo; i < hi; i++) { const l = idx[i]!; tmp[counts[c + nib(l)]!++] = l }
    idx.set(tmp.subarray(lo, hi), lo)
    const br = this.newBranch()
    let start = lo
    for (let k = 0; k < ARITY; k++) {
      // After the scatter counts[c + k] is the end of bucket k.
      const end = counts[c + k]!
      if (end === start) continue
      const ref = this.fillRange(idx, tmp, start, end, depth + 1, counts)
      this.kids[br * ARITY + k] = ref
      const o = br * PRE + 1 + k * 32
      if (ref < 0) this.pre.set(this.leaves.subarray((-ref - 1) * LEAF_BYTES + 32, (-ref - 1) * LEAF_BYTES + 64), o)
      else { sha256Into(this.pre.subarray((ref - 1) * PRE, ref * PRE), this.pre, o); this.work.branchHashes++ }
      start = end
    }
    return branchRef(br)
  }

  /** The root hash (rehashes only the branches changed since the last root). */
  root(): Uint8Array {
    if (this.rootHash === null) {
      const t = this.top
      if (t > 0) { const h = new Uint8Array(32); this.rehash(t - 1, h, 0); this.rootHash = h }
      else this.rootHash = t === 0 ? EMPTY : this.leafHashAt(-t - 1)
    }
    return this.rootHash.slice()
  }

  /** A proof for `path` (see MerkleProof). */
  prove(path: Uint8Array): MerkleProof {
    this.root()
    const levels: Uint8Array[][] = []
    let ref = this.top
    for (let d = 0; ref > 0; d++) {
      const b = ref - 1
      const level: Uint8Array[] = []
      for (let i = 0; i < ARITY; i++) level.push(this.pre.slice(b * PRE + 1 + i * 32, b * PRE + 33 + i * 32))
      levels.push(level)
      ref = this.kids[b * ARITY + nibble(path, d)]!
    }
    if (ref < 0 && !this.samePath(-ref - 1, path)) {
      const o = (-ref - 1) * LEAF_BYTES
      return { levels, other: { path: this.leaves.slice(o, o + 32), hash: this.leaves.slice(o + 32, o + 64) } }
    }
    return { levels }
  }

  /** Walk from the top towards `path` through branches, recording them; returns how many. */
  private walk(path: Uint8Array): number {
    let ref = this.top
    let d = 0
    while (ref > 0) {
      const b = ref - 1
      const i = nibble(path, d)
      this.walkB[d] = b
      this.walkS[d] = i
      ref = this.kids[b * ARITY + i]!
      d++
    }
    return d
  }

  /** Mark the hashes of the first `depth` walked branches stale (each in its parent's slot). */
  private flagWalk(depth: number): void {
    this.rootHash = null
    for (let k = 1; k < depth; k++) this.stale[this.walkB[k - 1]!] |= 1 << this.walkS[k - 1]!
  }

  /** The leaf index at `path`, or -1. */
  private find(path: Uint8Array): number {
    let ref = this.top
    for (let d = 0; ref > 0; d++) ref = this.kids[(ref - 1) * ARITY + nibble(path, d)]!
    return ref < 0 && this.samePath(-ref - 1, path) ? -ref - 1 : -1
  }

  private samePath(l: number, path: Uint8Array): boolean {
    const o = l * LEAF_BYTES
    for (let i = 0; i < 32; i++) if (this.leaves[o + i] !== path[i]) return false
    return true
  }

  private leafHashAt(l: number): Uint8Array { return this.leaves.slice(l * LEAF_BYTES + 32, l * LEAF_BYTES + 64) }

  /** Put `ref` in `slot` of branch `parent`; a leaf's hash goes in the slot now. */
  private link(parent: number, slot: number, ref: number): void {
    this.kids[parent * ARITY + slot] = ref
    const o = parent * PRE + 1 + slot * 32
    // A branch's hash is written at the next root: its slot is stale until then.
    if (ref > 0) { this.stale[parent] |= 1 << slot; return }
    this.stale[parent] &= ~(1 << slot)
    if (ref < 0) this.pre.set(this.leaves.subarray((-ref - 1) * LEAF_BYTES + 32, (-ref - 1) * LEAF_BYTES + 64), o)
    else this.pre.fill(0, o, o + 32)
  }

  private newLeaf(path: Uint8Array, hash: Uint8Array): number {
    const l = this.freeLeaves.pop() ?? this.leafTop++
    this.leaves = grow(this.leaves, (l + 1) * LEAF_BYTES)
    this.leaves.set(path, l * LEAF_BYTES)
    this.leaves.set(hash, l * LEAF_BYTES + 32)
    return l
  }

  private newBranch(): number {
    const b = this.freeBranches.pop() ?? this.branchTop++
    this.kids = grow(this.kids, (b + 1) * ARITY)
    this.pre = grow(this.pre, (b + 1) * PRE)
    this.stale = grow(this.stale, b + 1)
    this.kids.fill(0, b * ARITY, (b + 1) * ARITY)
    this.pre.fill(0, b * PRE, (b + 1) * PRE)
    this.pre[b * PRE] = BRANCH
    this.stale[b] = 0
    return b
  }

  /** The smallest subtree holding leaves `a` and `b` (different paths), from `depth` on. */
  private join(a: number, b: number, depth: number): number {
    if (depth >= PATH_NIBBLES) throw new Error('merkle: two leaves with one path')
    const o = (l: number) => this.leaves.subarray(l * LEAF_BYTES, l * LEAF_BYTES + 32)
    const br = this.newBranch()
    const na = nibble(o(a), depth)
    const nb = nibble(o(b), depth)
    if (na !== nb) { this.link(br, na, leafRef(a)); this.link(br, nb, leafRef(b)) } else this.link(br, na, this.join(a, b, depth + 1))
    return branchRef(br)
  }

  /** Write the hash of branch `b` at `out[o, o + 32)`, rehashing its stale descendants (into its own slots) first. */
  private rehash(b: number, out: Uint8Array, o: number): void {
    const m = this.stale[b]!
    if (m !== 0) {
      this.stale[b] = 0
      for (let i = 0; i < ARITY; i++) if (m & (1 << i)) this.rehash(this.kids[b * ARITY + i]! - 1, this.pre, b * PRE + 1 + i * 32)
    }
    this.work.branchHashes++
    sha256Into(this.pre.subarray(b * PRE, (b + 1) * PRE), out, o)
  }
}

/**
 * A proof for one path: per level from the root, the 16 child hashes of the branch the search passes
 * (its own slot is recomputed by the verifier); for an absent path whose search ends at another leaf,
 * that leaf's path and hash.
 */
export interface MerkleProof { readonly levels: readonly (readonly Uint8Array[])[]; readonly other?: { readonly path: Uint8Array; readonly hash: Uint8Array } }

const samePath = (a: Uint8Array, b: Uint8Array): boolean => {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return false
  return true
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
  const buf = new Uint8Array(PRE)
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
