// The API's forum dry run: a client's forum tx is applied to a copy of the decided forum state plus the
// API txs admitted since, so a tx that would fail (unknown post, closed pool, REP locked) never enters
// the mempool. One copy per decided block, not one per tx: a copy is O(forum state), which made each
// refused or accepted post cost more as spam piled up (5.5 ms per post at 1,000 fat posts).
import * as forum from '../../forum/index.ts'
import type { ForumTx } from '../../forum/index.ts'
import type { LedgerView } from './importer.ts'

export type DryRunResult = { readonly ok: true } | { readonly ok: false; readonly code: string; readonly message: string }

export interface ForumDryRun {
  /** Applies `tx` to the pending copy: on success the copy keeps it (later txs see it), on failure nothing changes. */
  check(tx: ForumTx): DryRunResult
}

export function createForumDryRun(ledger: LedgerView): ForumDryRun {
  let base: { forum: object; height: number; hash: string } | undefined
  let pending: forum.ForumState | undefined
  return {
    check(tx) {
      // A new decided block, or an adopted snapshot (another forum object): copy again.
      if (!pending || base?.forum !== ledger.forum || base.height !== ledger.height || base.hash !== ledger.lastBlockHash) {
        pending = forum.cloneState(ledger.forum)
        base = { forum: ledger.forum, height: ledger.height, hash: ledger.lastBlockHash }
      }
      const r = forum.applyTx(pending, tx, { slot: Math.max(pending.slot, ledger.lastSlot) })
      return r.ok ? { ok: true } : { ok: false, code: r.code, message: r.message }
    },
  }
}
