// Local snapshots: every LOCAL_SNAPSHOT_EVERY_BLOCKS decided blocks the node writes its whole ledger with
// its state root, so a restart replays at most that many blocks (validator/app/start-state.ts checks the
// snapshot against the decided log before using it). Written after the block is durable; a crash while
// writing leaves the previous snapshot or none, never a wrong one in use.
import { snapshotLedger } from '../../ledger/snapshot.ts'
import type { BlockStore } from '../infra/db/block-store.ts'
import type { Logger } from '../infra/log.ts'
import type { Importer } from './importer.ts'
import { errorMessage } from '../../core/errors.ts'

/** At ~1 ms per replayed block this bounds a restart's replay near a second, for one snapshot encode per interval. */
export const LOCAL_SNAPSHOT_EVERY_BLOCKS = 1024

export function keepLocalSnapshots(m: { importer: Importer; blocks: BlockStore; log: Logger; every?: number }): void {
  const every = m.every ?? LOCAL_SNAPSHOT_EVERY_BLOCKS
  let writing = false
  m.importer.subscribeImported(({ block }) => {
    if (block.height % every !== 0 || writing) return
    // Encoded now, while the ledger is at this height; the write itself is asynchronous.
    const snapshot = { height: block.height, stateRoot: m.importer.root(), bytes: snapshotLedger(m.importer.view) }
    writing = true
    m.blocks.putLocalSnapshot(snapshot)
      .catch((e) => m.log.warn({ err: errorMessage(e), height: block.height }, 'local snapshot not written'))
      .finally(() => { writing = false })
  })
}
