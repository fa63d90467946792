// Importer: the only writer of the ledger and its state root. Start-up replay, block sync, checkpoint
// adoption and live decided blocks all go through it, one block at a time; everyone else reads the
// ledger through `view` and learns of changes from its subscriptions.
import type { CommitCertificate } from '../consensus/index.ts'
import type { ForumEvent } from '../../forum/index.ts'
import { applyBlock, ledgerStateRoot, type ApplyResult, type LedgerState } from '../../ledger/ledger.ts'
import type { Block } from '../../ledger/block.ts'
import type { BlockStore } from '../infra/db/block-store.ts'
import type { Schedule } from './scheduler.ts'
import type { TxVerifier } from './tx-verifier.ts'

/** Blocks read from the store per batch during replay. */
export const REPLAY_BATCH = 256

/** The ledger as everyone but the importer sees it: read it, never write it. */
export type LedgerView = Readonly<LedgerState>

export interface Imported { readonly block: Block; readonly certificate: CommitCertificate; readonly result: ApplyResult }

export interface Importer {
  readonly view: LedgerView
  root(): string
  /** Apply the stored decided log above the current height (start-up); returns the last height. */
  replay(): Promise<number>
  /** A decided block (our consensus or sync): written (not fsync'd: BlockStore.putBlock), then applied; a block at another height is refused. */
  importDecided(block: Block, certificate: CommitCertificate): Promise<void>
  /** Replace the state with a certified snapshot whose root is `root` (checkpoint sync). */
  adopt(restored: LedgerState, root: string): void
  subscribeImported(fn: (i: Imported) => void): void
  subscribeAdopted(fn: () => void): void
}

export interface ImporterModules {
  readonly ledger: LedgerState
  readonly blocks: BlockStore
  readonly schedule: Schedule
  readonly verifier: TxVerifier
}

export function createImporter(m: ImporterModules): Importer {
  const ledger = m.ledger
  let root = ledgerStateRoot(ledger)
  const imported: ((i: Imported) => void)[] = []
  const adopted: (() => void)[] = []
  let queue: Promise<unknown> = Promise.resolve()

  // Governed slot/epoch lengths move the schedule in replay and live alike.
  function apply(block: Block): ApplyResult {
    const result = applyBlock(ledger, block, block.txs.map((t) => m.verifier.verified(t)))
    root = result.stateRoot
    for (const e of result.events) if (e.type === 'forum') followSchedule(m.schedule, ledger, e.event)
    return result
  }

  async function importOne(block: Block, certificate: CommitCertificate): Promise<void> {
    if (block.height !== ledger.height + 1) return
    await m.blocks.putBlock({ block, certificate })
    const i: Imported = Object.freeze({ block, certificate, result: apply(block) })
    for (const fn of imported) fn(i)
  }

  return {
    view: ledger,
    root: () => root,
    async replay() {
      const last = await m.blocks.lastHeight()
      for (let h = ledger.height + 1; h <= last; h += REPLAY_BATCH) {
        for (const { block } of await m.blocks.range(h, Math.min(last, h + REPLAY_BATCH - 1))) apply(block)
      }
      return last
    },
    importDecided(block, certificate) {
      const p = queue.then(() => importOne(block, certificate))
      queue = p.catch(() => undefined)
      return p
    },
    adopt(restored, r) {
      // In place: every reader holds this one object, so none is left with a stale copy.
      Object.assign(ledger, restored)
      root = r
      for (const fn of adopted) fn()
    },
    subscribeImported: (fn) => { imported.push(fn) },
    subscribeAdopted: (fn) => { adopted.push(fn) },
  }
}

/** Slot and epoch lengths are governed: when a change activates at a boundary, the clock's schedule follows. */
export function followSchedule(schedule: Schedule, ledger: LedgerView, e: ForumEvent): void {
  if (e.type === 'ParamsActivated' && ('slotMs' in e.changes || 'epochSlots' in e.changes)) {
    schedule.changeFromEpoch(e.epoch, ledger.forum.params.slotMs, ledger.forum.params.epochSlots)
  }
}
