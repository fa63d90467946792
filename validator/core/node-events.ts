// Node events and the API's read model: publishes NodeEvents (blocks, final scores, pool outcomes,
// certified epochs) to subscribers and keeps the cached view fresh (one refresh at a time, coalesced).
import type { NodeEvent, NodeEvents, NodeView } from '../api/view.ts'
import type { BlockStore } from '../infra/db/block-store.ts'
import type { LedgerView } from './importer.ts'
import { dtoEpoch } from './node-view.ts'

export interface NodeEventBus extends NodeEvents {
  emit(e: NodeEvent): void
  /** The epoch record changed: refresh the view; `certified` also announces it. */
  epochChanged(epoch: number, certified: boolean): void
  refreshView(): void
}

export function createNodeEventBus(m: { readonly view: NodeView & { refresh(): Promise<void> }; readonly blocks: BlockStore; readonly ledger: LedgerView }): NodeEventBus {
  const listeners = new Set<(e: NodeEvent) => void>()
  const emit = (e: NodeEvent) => { for (const l of listeners) { try { l(e) } catch { /* a subscriber's bug is not ours */ } } }
  let refreshing: Promise<void> | undefined
  let stale = false
  function refreshView(): void {
    if (refreshing) { stale = true; return }
    refreshing = m.view.refresh().catch(() => undefined).finally(() => {
      refreshing = undefined
      if (stale) { stale = false; refreshView() }
    })
  }
  return {
    subscribe(fn) { listeners.add(fn); return () => listeners.delete(fn) },
    emit,
    refreshView,
    epochChanged(epoch, certified) {
      refreshView()
      // A record certified while the node stops may find the store closed: nobody is left to tell, and an
      // unhandled rejection here killed the node on its way out (DB_CLOSED after `checkpoint certified`).
      if (certified) void m.blocks.getEpoch(epoch).then((rec) => { if (rec) emit({ type: 'certifiedEpoch', epoch: dtoEpoch(m.ledger, rec) }) }, () => undefined)
    },
  }
}
