// Keeps a state's authenticated tree (./merkle.ts) in step with the state's maps. Each keyed collection
// is a section: leaf `<prefix>/<key>` = sha256 of the canonical encoding of the entry's row. A section
// held in a TrackedMap rehashes only the keys it marked; a map that was replaced or is untracked (fresh
// from createState, restore, or a reset) is resynced whole once and swapped for a tracked copy, so a
// root is always correct and only its cost depends on tracking.
import { MerkleTree, pathOf } from './merkle.ts'
import { sha256Into } from './hash.ts'
import { rowBytes, rowBytesAt } from './row-bytes.ts'
import { TrackedMap, peek, peekEntries } from './tracked-map.ts'

export interface Section<S, V> {
  /** Leaf keys are `${prefix}/${key}`. */
  readonly prefix: string
  /** False when values are immutable (numbers, strings, frozen rows): reads need not rehash them. */
  readonly mutableValues: boolean
  readonly read: (s: S) => Map<string | number, V>
  /** Puts the tracked copy of the section's map in place of the one `read` returned. */
  readonly replace: (s: S, m: Map<string | number, V>) => void
  readonly row: (v: V) => unknown
}

/** An append-only array section (`${prefix}/${index}`): only new entries are hashed. */
export interface ArraySection<S> {
  readonly prefix: string
  readonly read: (s: S) => readonly unknown[]
}

export interface TreeSpec<S> {
  readonly sections: readonly Section<S, unknown>[]
  readonly arrays: readonly ArraySection<S>[]
  /** Small state hashed whole into the leaf `meta` at every root. */
  readonly meta: (s: S) => unknown
}

interface Cache {
  tree: MerkleTree
  /** Per section prefix: the map (or array and its hashed length) the tree reflects. */
  maps: Map<string, Map<string | number, unknown>>
  arrays: Map<string, { ref: readonly unknown[]; length: number }>
}

const caches = new WeakMap<object, Cache>()

/** The canonical bytes of a leaf's value (what proofs carry): `encode(row)`. */
export const leafBytes = (row: unknown): Uint8Array => rowBytes(row)

/** The hash of the leaf `key` holding `row`, `leafHash(path, leafBytes(row))`, without copying the bytes. */
function leafHashOf(path: Uint8Array, row: unknown): Uint8Array {
  const pre = rowBytesAt(row, 33)
  pre[0] = 0
  pre.set(path, 1)
  const h = new Uint8Array(32)
  sha256Into(pre, h, 0)
  return h
}

/** Paths of recently written keys, two generations of at most PATH_CACHE each: accounts and busy pools
 *  recur block after block, and a Map lookup costs a fraction of a sha256 call. */
const PATH_CACHE = 1 << 14
let pathsNew = new Map<string, Uint8Array>()
let pathsOld = new Map<string, Uint8Array>()
function cachedPath(key: string): Uint8Array {
  let p = pathsNew.get(key)
  if (p !== undefined) return p
  p = pathsOld.get(key) ?? pathOf(key)
  if (pathsNew.size >= PATH_CACHE) { pathsOld = pathsNew; pathsNew = new Map() }
  pathsNew.set(key, p)
  return p
}

/**
 * Leaf writes of one sync. Into a non-empty tree they go one by one; into an empty one (a state's first
 * root: fresh, restored or replaced) they are gathered and the tree is built in one pass (`fill`).
 */
class Writes {
  private paths: Uint8Array | null
  private hashes: Uint8Array | null
  private n = 0
  constructor(private readonly tree: MerkleTree) {
    const gather = tree.size === 0
    this.paths = gather ? new Uint8Array(32 * 1024) : null
    this.hashes = gather ? new Uint8Array(32 * 1024) : null
  }

  put(key: string, row: unknown): void {
    if (this.paths === null) { const path = cachedPath(key); this.tree.set(path, leafHashOf(path, row)); return }
    const path = pathOf(key)
    const h = leafHashOf(path, row)
    if (this.n * 32 === this.paths.length) {
      const p = new Uint8Array(this.paths.length * 2); p.set(this.paths); this.paths = p
      const q = new Uint8Array(this.hashes!.length * 2); q.set(this.hashes!); this.hashes = q
    }
    this.paths.set(path, this.n * 32)
    this.hashes!.set(h, this.n * 32)
    this.n++
  }

  /** Nothing to delete while gathering: the tree was empty and each key is written once per sync. */
  delete(key: string): void { if (this.paths === null) this.tree.delete(cachedPath(key)) }

  done(): void { if (this.paths !== null && this.n > 0) this.tree.fill(this.paths.subarray(0, this.n * 32), this.hashes!.subarray(0, this.n * 32)) }
}

/** Bring the tree of `s` up to date and return it (mutates only the cache and swaps untracked maps). */
export function syncTree<S extends object>(spec: TreeSpec<S>, s: S): MerkleTree {
  let c = caches.get(s)
  if (!c) { c = { tree: new MerkleTree(), maps: new Map(), arrays: new Map() }; caches.set(s, c) }
  const tree = c.tree
  const w = new Writes(tree)
  for (const sec of spec.sections) {
    const m = sec.read(s)
    const known = c.maps.get(sec.prefix)
    if (m instanceof TrackedMap && known === m) { writeKeys(w, sec, m, m.drainChanged()); continue }
    // Replaced or untracked: every key the old map held or changed, and every key of the new one.
    const tracked = TrackedMap.of(peekEntries(m), sec.mutableValues)
    sec.replace(s, tracked)
    c.maps.set(sec.prefix, tracked)
    if (known instanceof TrackedMap) {
      const all = new Set<string | number>(known.keys())
      for (const k of known.changedKeys()) all.add(k)
      for (const k of tracked.keys()) all.add(k)
      writeKeys(w, sec, tracked, all)
    } else {
      // First sync of this section: no old keys to drop, and the entries need no lookups.
      for (const [k, v] of tracked.peekEntries()) w.put(`${sec.prefix}/${k}`, sec.row(v))
    }
  }
  for (const a of spec.arrays) {
    const arr = a.read(s)
    const known = c.arrays.get(a.prefix)
    let from = 0
    if (known && known.ref === arr && arr.length >= known.length) from = known.length
    else if (known) for (let i = arr.length; i < known.length; i++) w.delete(`${a.prefix}/${i}`)
    for (let i = from; i < arr.length; i++) w.put(`${a.prefix}/${i}`, arr[i])
    c.arrays.set(a.prefix, { ref: arr, length: arr.length })
  }
  w.put('meta', spec.meta(s))
  w.done()
  return tree
}

function writeKeys<S>(w: Writes, sec: Section<S, unknown>, m: Map<string | number, unknown>, keys: Iterable<string | number>): void {
  for (const k of keys) {
    const v = peek(m, k)
    if (v === undefined) w.delete(`${sec.prefix}/${k}`)
    else w.put(`${sec.prefix}/${k}`, sec.row(v))
  }
}

/** The root of the tree of `s` (see syncTree). */
export const syncedRoot = <S extends object>(spec: TreeSpec<S>, s: S): Uint8Array => syncTree(spec, s).root()
