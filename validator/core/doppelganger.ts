// Doppelgänger guard: a node that starts with an empty signer store (recreated from its mnemonic alone)
// cannot know what its keys signed before, so it signs nothing for a governed number of slots while it
// watches the network for messages signed by its own keys. If it sees one, another instance is running
// with the same keys: it refuses to sign for good (an operator must stop one of them and restart).

/** Where the guard is: watching (no signing), clear (sign), or twin-detected (never sign). */
export type GuardState = 'watching' | 'clear' | 'doppelganger'

export interface DoppelgangerGuardOptions {
  readonly self: string
  /** True when the node's signer store was empty at start (a node with history is not guarded). */
  readonly freshSignerStore: boolean
  /** First slot the guard counts from (the slot the node started in). */
  readonly startSlot: number
  /** Slots to watch (the governed `doppelgangerGuardSlots`, read when the guard starts). */
  readonly guardSlots: number
}

export interface DoppelgangerGuard {
  /** A message signed by `signer` (signature already verified) was made in `slot` (arrival, or a block's slot). */
  observe(signer: string, slot: number): void
  /**
   * The slot clock moved to `slot`. `seeing` is false while the node cannot watch the network yet (not
   * connected and caught up): such a slot is not watched, so the guard's slots start after it.
   */
  onSlot(slot: number, seeing?: boolean): void
  /** May the node sign now? */
  canSign(): boolean
  readonly state: GuardState
  /** The slot from which a guarded node may sign (if nothing is seen); moves while it cannot see. */
  readonly clearSlot: number
}

export function createDoppelgangerGuard(o: DoppelgangerGuardOptions): DoppelgangerGuard {
  let clearSlot = o.startSlot + o.guardSlots
  let state: GuardState = o.freshSignerStore && o.guardSlots > 0 ? 'watching' : 'clear'
  return {
    observe(signer, slot) {
      // Our own messages never come back to us through gossip: one signed by our keys is a twin's. After
      // the guard has cleared, a twin that started later is guarding itself; we keep signing. One from
      // before we started (our own history, e.g. commits in the blocks we sync) proves no twin.
      if (signer === o.self && state === 'watching' && slot >= o.startSlot) state = 'doppelganger'
    },
    onSlot(slot, seeing = true) {
      if (state !== 'watching') return
      // Slots spent starting up or syncing watched nothing: a twin's messages could not have reached us.
      if (!seeing) clearSlot = Math.max(clearSlot, slot + 1 + o.guardSlots)
      else if (slot >= clearSlot) state = 'clear'
    },
    canSign: () => state === 'clear',
    get state() { return state },
    get clearSlot() { return clearSlot },
  }
}
