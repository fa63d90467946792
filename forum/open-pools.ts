// Open pools ordered by (end height, id), so finding the pools due at a block costs the pools due, not a
// scan of every pool ever opened (a pool is due once its end height and its end slot are both reached; on
// a chain of at most one block per slot the height comes last). A cache derived from `s.pools`, never
// replicated: kept per pools map, rebuilt by one scan when the map is new (createState, restore, clone,
// the root's tracked copy) or holds pools the index was not told about; a pool resolved by a transaction
// leaves it when it comes due.
import type { PoolId } from '../core/ids.ts'
import { peek, peekValues } from '../core/tracked-map.ts'
import type { ForumState, PoolRecord } from './state.ts'
import { poolDue } from './pool-window.ts'

interface Entry { readonly end: number; readonly id: PoolId }
interface Index {
  /** A binary min-heap by (end, id). */
  readonly heap: Entry[]
  /** Pools of the map accounted for (open or not): the map only ever grows. */
  seen: number
}

const indexes = new WeakMap<ReadonlyMap<PoolId, PoolRecord>, Index>()

const before = (a: Entry, b: Entry): boolean => a.end < b.end || (a.end === b.end && a.id < b.id)

function push(h: Entry[], e: Entry): void {
  let i = h.length
  h.push(e)
  while (i > 0) {
    const p = (i - 1) >> 1
    if (!before(e, h[p]!)) break
    h[i] = h[p]!
    i = p
  }
  h[i] = e
}

function pop(h: Entry[]): Entry {
  const top = h[0]!
  const last = h.pop()!
  if (h.length === 0) return top
  let i = 0
  for (;;) {
    const l = 2 * i + 1
    if (l >= h.length) break
    const c = l + 1 < h.length && before(h[l + 1]!, h[l]!) ? l + 1 : l
    if (!before(h[c]!, last)) break
    h[i] = h[c]!
    i = c
  }
  h[i] = last
  return top
}

function indexOf(s: ForumState): Index {
  const known = indexes.get(s.pools)
  if (known && known.seen === s.pools.size) return known
  const heap: Entry[] = []
  for (const p of peekValues(s.pools)) if (!p.outcome) push(heap, { end: p.endHeight, id: p.id })
  const idx: Index = { heap, seen: s.pools.size }
  indexes.set(s.pools, idx)
  return idx
}

/** Tell the index that `pool` was just added to `s.pools` (without it the next lookup rescans). */
export function noteOpened(s: ForumState, pool: PoolRecord): void {
  const idx = indexes.get(s.pools)
  if (!idx || idx.seen !== s.pools.size - 1) return
  push(idx.heap, { end: pool.endHeight, id: pool.id })
  idx.seen++
}

/** Ids of the open pools whose window has passed (`poolDue`), by (end height, id). Reads only (peeks). */
export function dueIds(s: ForumState): PoolId[] {
  const h = indexOf(s).heap
  const due: PoolId[] = []
  const notYet: Entry[] = []
  while (h.length > 0 && h[0]!.end <= s.height) {
    const e = pop(h)
    const p = peek(s.pools, e.id)
    if (!p || p.outcome) continue
    if (poolDue(s, p)) due.push(e.id)
    else notYet.push(e) // its end slot is still ahead (heights that ran ahead of slots)
  }
  // Still open until the caller resolves them: they stay indexed (popped in order, so pushed back cheaply).
  for (const id of due) push(h, { end: peek(s.pools, id)!.endHeight, id })
  for (const e of notYet) push(h, e)
  return due
}
