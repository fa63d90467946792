// Keeps a state's authenticated tree (./merkle.ts) in step with the state's maps. Each keyed collection
// is a section: leaf `<prefix>/<key>` = sha256 of the canonical encoding of the entry's row. A section
// held in a TrackedMap rehashes only the keys it marked; a map that was replaced or is untracked (fresh
// from createState, restore, or a reset) is resynced whole once and swapped for a tracked copy, so a
// root is always correct and only its cost depends on tracking.
import { hash as nodeHash } from 'node:crypto'
import { MerkleTree, pathOf } from './merkle.ts'
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

/** Set the leaf `key` to the row's hash, `leafHash(path, leafBytes(row))`, without copying the bytes. */
function put(tree: MerkleTree, key: string, row: unknown): void {
  const path = pathOf(key)
  const pre = rowBytesAt(row, 33)
  pre[0] = 0
  pre.set(path, 1)
  tree.set(path, nodeHash('sha256', pre, 'buffer'))
}

/** Bring the tree of `s` up to date and return it (mutates only the cache and swaps untracked maps). */
export function syncTree<S extends object>(spec: TreeSpec<S>, s: S): MerkleTree {
  let c = caches.get(s)
  if (!c) { c = { tree: new MerkleTree(), maps: new Map(), arrays: new Map() }; caches.set(s, c) }
  const tree = c.tree
  for (const sec of spec.sections) {
    let m = sec.read(s)
    const known = c.maps.get(sec.prefix)
    let keys: Iterable<string | number>
    if (m instanceof TrackedMap && known === m) {
      keys = m.drainChanged()
    } else {
      // Replaced or untracked: every key the old map held or changed, and every key of the new one.
      const tracked = TrackedMap.of(peekEntries(m), sec.mutableValues)
      sec.replace(s, tracked)
      if (known instanceof TrackedMap) {
        const all = new Set<string | number>(known.keys())
        for (const k of known.changedKeys()) all.add(k)
        for (const k of tracked.keys()) all.add(k)
        keys = all
      } else keys = tracked.keys() // first sync of this section: no old keys to drop
      m = tracked
    }
    c.maps.set(sec.prefix, m)
    for (const k of keys) {
      const v = peek(m, k)
      const key = `${sec.prefix}/${k}`
      if (v === undefined) tree.delete(pathOf(key))
      else put(tree, key, sec.row(v))
    }
  }
  for (const a of spec.arrays) {
    const arr = a.read(s)
    const known = c.arrays.get(a.prefix)
    let from = 0
    if (known && known.ref === arr && arr.length >= known.length) from = known.length
    else if (known) for (let i = arr.length; i < known.length; i++) tree.delete(pathOf(`${a.prefix}/${i}`))
    for (let i = from; i < arr.length; i++) put(tree, `${a.prefix}/${i}`, arr[i])
    c.arrays.set(a.prefix, { ref: arr, length: arr.length })
  }
  put(tree, 'meta', spec.meta(s))
  return tree
}

/** The root of the tree of `s` (see syncTree). */
export const syncedRoot = <S extends object>(spec: TreeSpec<S>, s: S): Uint8Array => syncTree(spec, s).root()
