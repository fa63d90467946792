// Where a (re)starting node's ledger begins: its newest local snapshot when the decided log confirms it,
// else the certified base it once synced from, else genesis. The Importer then replays only the blocks
// above that height, so a restart costs the blocks since the last snapshot, not the whole history.
import { createGenesisLedger, ledgerStateRoot, type LedgerState } from '../../ledger/ledger.ts'
import type { Genesis } from '../../ledger/genesis.ts'
import { restoreLedger } from '../../ledger/snapshot.ts'
import type { BlockStore, LocalSnapshot } from '../infra/db/block-store.ts'
import { errorMessage } from '../../core/errors.ts'

export interface StartState {
  readonly ledger: LedgerState
  readonly from: 'local-snapshot' | 'certified-base' | 'genesis'
  /** True when no decided state exists here at all (a node recreated from its mnemonic). */
  readonly empty: boolean
}

export async function startState(blocks: BlockStore, genesis: Genesis, warn: (why: string) => void): Promise<StartState> {
  const base = await blocks.getBase()
  const baseLedger = base ? restoreLedger(base) : undefined
  const local = await blocks.getLocalSnapshot()
  if (local && local.height > (baseLedger?.height ?? 0)) {
    try {
      return { ledger: await verifiedLocal(blocks, local), from: 'local-snapshot', empty: false }
    } catch (e) {
      warn(`local snapshot at height ${local.height} not used: ${errorMessage(e)}`)
    }
  }
  if (baseLedger) return { ledger: baseLedger, from: 'certified-base', empty: false }
  return { ledger: createGenesisLedger(genesis), from: 'genesis', empty: (await blocks.lastHeight()) === 0 }
}

/**
 * A local snapshot is used only when it re-derives the root it was written with and the decided log agrees:
 * the block at its height hashes as its `lastBlockHash` names, and a decided block after it (whose root the
 * quorum certified) names the same root. A torn or bit-rotted snapshot fails here, and the node replays.
 */
async function verifiedLocal(blocks: BlockStore, local: LocalSnapshot): Promise<LedgerState> {
  const ledger = restoreLedger(local.bytes)
  if (ledger.height !== local.height) throw new Error(`snapshot holds height ${ledger.height}, not ${local.height}`)
  const root = ledgerStateRoot(ledger)
  if (root !== local.stateRoot) throw new Error('state root differs from the one it was written with')
  const next = await blocks.getBlock(local.height + 1)
  if (next && (next.block.prevStateRoot !== root || next.block.prevHash !== ledger.lastBlockHash)) {
    throw new Error(`decided block ${local.height + 1} names another parent state`)
  }
  if (!next && (await blocks.lastHeight()) !== local.height) throw new Error(`no decided block at height ${local.height} + 1`)
  return ledger
}
