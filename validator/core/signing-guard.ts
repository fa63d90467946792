// Signing guard: the doppelgänger guard with its observations wired in. A node whose signer store is
// fresh signs nothing until the network showed no twin; any message signed by our keys that we did not
// make (a commit in a decided block, a consensus or parsig message from another peer) trips it.
import type { Logger } from '../infra/log.ts'
import { createDoppelgangerGuard, type DoppelgangerGuard } from './doppelganger.ts'
import type { Imported } from './importer.ts'

export interface SigningGuard {
  readonly guard: DoppelgangerGuard
  canSign(): boolean
  observe(signer: string, slot: number): void
  /** The slot clock moved; `seeing`: the node is caught up with its peers (only such slots are watched). */
  onSlot(slot: number, seeing?: boolean): void
  /** The importer's subscriber: a commit by our key that we did not make (we sign nothing while watching). */
  onImported(i: Imported): void
}

export function createSigningGuard(m: { readonly self: string; readonly log: Logger; readonly freshSignerStore: boolean; readonly startSlot: number; readonly guardSlots: number }): SigningGuard {
  // A network younger than the guard has had nothing signed to watch for (every node starts fresh).
  const guard = createDoppelgangerGuard({ self: m.self, freshSignerStore: m.freshSignerStore && m.startSlot > m.guardSlots, startSlot: m.startSlot, guardSlots: m.guardSlots })
  if (guard.state === 'watching') m.log.warn({ startSlot: m.startSlot, guardSlots: m.guardSlots }, 'doppelgänger guard: empty signer store; watching for our own keys before signing')
  const observe = (signer: string, slot: number) => {
    const before = guard.state
    guard.observe(signer, slot)
    if (before !== guard.state) m.log.error({ slot }, 'doppelgänger: a message signed by our keys came from another node; this node will not sign')
  }
  return {
    guard,
    canSign: () => guard.canSign(),
    observe,
    onSlot(slot, seeing) {
      const wasWatching = guard.state === 'watching'
      guard.onSlot(slot, seeing)
      if (wasWatching && guard.canSign()) m.log.info({ slot }, 'doppelgänger guard clear; signing')
    },
    onImported({ block, certificate }) {
      if (certificate.commits.some((c) => c.signer === m.self)) observe(m.self, block.slot)
    },
  }
}
