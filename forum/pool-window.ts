// When a pool is open: `duration` slots from the block that opens it, and as many blocks. A chain decides
// at most one block per slot, so on a chain that keeps up the slot end comes first and the block count
// changes nothing; when blocks are fewer than slots (load, a validator hand-over) it holds the pool open
// until the members' stakes could land — a window in slots alone closed before any block could carry them.
import type { ForumState, PoolRecord } from './state.ts'

export type PoolWindow = Pick<PoolRecord, 'startSlot' | 'endSlot' | 'startHeight' | 'endHeight'>

/** The window of a pool opened at the state's block. */
export const poolWindow = (s: ForumState, duration: number): PoolWindow =>
  ({ startSlot: s.slot, endSlot: s.slot + duration, startHeight: s.height, endHeight: s.height + duration })

/** Whether `pool`'s window has passed at the state's block: both its end slot and its end height reached. */
export const poolDue = (s: ForumState, pool: PoolWindow): boolean => s.slot >= pool.endSlot && s.height >= pool.endHeight

/** Open for stakes: not resolved and its window not passed (the node's pool voter asks the same). */
export const poolOpen = (s: ForumState, pool: PoolRecord): boolean => !pool.outcome && !poolDue(s, pool)
