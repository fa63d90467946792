// Proposer and block validation: the block this node proposes at a height (mempool txs under the byte
// budget, nonces still unused), and whether a proposed block may be voted for (ledger checkBlock, then
// every tx verifies).
import type { Clock } from '../../core/clock.ts'
import { checkBlock, type Block } from '../../ledger/block.ts'
import type { Importer } from './importer.ts'
import { PROPOSAL_TX_BYTES } from './limits.ts'
import type { Mempool } from './mempool.ts'
import type { Schedule } from './scheduler.ts'
import type { TxVerifier } from './tx-verifier.ts'

export interface Proposer { build(height: number): Block }
export interface BlockValidator { valid(height: number, block: Block): boolean }

interface Modules { readonly importer: Importer; readonly schedule: Schedule; readonly clock: Clock; readonly self: string }

export function createProposer(m: Modules & { readonly mempool: Mempool }): Proposer {
  const ledger = m.importer.view
  return {
    build: (height) => ({
      height, slot: Math.max(m.schedule.slotAt(m.clock.now()), ledger.lastSlot + 1), prevHash: ledger.lastBlockHash,
      prevStateRoot: m.importer.root(), proposer: m.self,
      txs: m.mempool.select({ maxBytes: PROPOSAL_TX_BYTES }).filter((t) => t.nonce > (ledger.nonces.get(t.sender) ?? -1)).map((t) => t.signed),
    }),
  }
}

export function createBlockValidator(m: Modules & { readonly verifier: TxVerifier }): BlockValidator {
  const ledger = m.importer.view
  return {
    valid(height, block) {
      try {
        checkBlock({ height: ledger.height, lastBlockHash: ledger.lastBlockHash, stateRoot: m.importer.root(), lastSlot: ledger.lastSlot }, height, block, m.schedule.slotAt(m.clock.now()))
        for (const t of block.txs) m.verifier.verified(t)
        return true
      } catch {
        return false
      }
    },
  }
}
