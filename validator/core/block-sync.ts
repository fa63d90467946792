// Block sync from one peer: ask for the blocks after ours in batches, check each against its commit
// certificate (the set we hold), and import it through the Importer, as if our consensus had decided it;
// until a batch comes back short or empty (the peer has nothing more) or a block does not follow ours.
import { decode } from '../../core/encoding.ts'
import { errorMessage } from '../../core/errors.ts'
import { verifyCertificate, type CommitCertificate } from '../consensus/index.ts'
import { BlockSchema, blockHashBytes, type Block } from '../../ledger/block.ts'
import type { SyncModules } from './sync.ts'

export const MAX_SYNC_BATCH = 64
/** Batches per sync from one peer (64 × 64 blocks); the next sync goes on from there. */
const MAX_SYNC_ROUNDS = 64

type Modules = Pick<SyncModules, 'host' | 'importer' | 'log' | 'validatorSet' | 'afterSync'>

export async function syncBlocksFrom(m: Modules, peer: string, stopped: () => boolean): Promise<void> {
  const ledger = m.importer.view
  try {
    for (let rounds = 0; rounds < MAX_SYNC_ROUNDS && !stopped(); rounds++) {
      const from = ledger.height + 1
      const got = await m.host.requestBlocks(peer, from, from + MAX_SYNC_BATCH - 1)
      if (got.length === 0) break
      for (const bytes of got) {
        const raw = decode<{ block: unknown; certificate: CommitCertificate }>(bytes)
        const block = BlockSchema.parse(raw.block) as Block
        if (block.height !== ledger.height + 1) break
        if (!verifyCertificate(blockHashBytes(block), raw.certificate, m.validatorSet())) throw new Error(`block ${block.height} from ${peer} has an invalid certificate`)
        // The same path as a block decided by our own consensus.
        await m.importer.importDecided(block, raw.certificate)
      }
      m.afterSync()
      if (got.length < MAX_SYNC_BATCH) break
    }
  } catch (e) {
    m.log.warn({ peer, err: errorMessage(e) }, 'block sync failed')
  }
}
