// The Importer: the only writer of the ledger. Live application and start-up replay of the same decided
// log give the same state root; a block at the wrong height is refused without touching store or state.
import { describe, expect, it } from 'vitest'
import { ledgerStateRoot, applyBlock, type LedgerState } from '../../../ledger/ledger.ts'
import { verifyTx } from '../../../ledger/txs.ts'
import type { Block } from '../../../ledger/block.ts'
import type { CommitCertificate } from '../../../validator/consensus/index.ts'
import { BlockStore } from '../../../validator/infra/db/block-store.ts'
import { MemoryStore } from '../../../validator/infra/db/memory.ts'
import { createImporter, type Imported } from '../../../validator/core/importer.ts'
import { Schedule } from '../../../validator/core/scheduler.ts'
import { createTxVerifier } from '../../../validator/core/tx-verifier.ts'
import { chain, ids } from '../../ledger/chain.ts'

const cert = { commits: [] } as unknown as CommitCertificate
const fresh = () => chain({ balances: ['100', '100', '100', '100', '10'], credits: ['0', '0', '0', '0', '100'] })
const importerOver = (ledger: LedgerState, blocks: BlockStore) =>
  createImporter({ ledger, blocks, schedule: new Schedule(0, ledger.forum.params.slotMs, ledger.forum.params.epochSlots), verifier: createTxVerifier() })

/** A decided log of `n` blocks with a submission in each, built on a reference ledger. */
function log(n: number): { blocks: Block[]; root: string } {
  const ref = fresh()
  const out: Block[] = []
  for (let i = 1; i <= n; i++) {
    const { body, publicKey, signature } = ref.submission(`payload-${i}`).tx
    const txs = [{ body, publicKey, signature }]
    const block: Block = { height: ref.s.height + 1, slot: i * 2, prevHash: ref.s.lastBlockHash, prevStateRoot: ledgerStateRoot(ref.s), proposer: ids[0]!, txs }
    applyBlock(ref.s, block, txs.map(verifyTx))
    out.push(block)
  }
  return { blocks: out, root: ledgerStateRoot(ref.s) }
}

describe('importer', () => {
  it('replay of the stored log gives the same root as live application', async () => {
    const { blocks, root } = log(12)
    const store = new BlockStore(new MemoryStore())
    const live = importerOver(fresh().s, store)
    const seen: Imported[] = []
    live.subscribeImported((i) => seen.push(i))
    for (const b of blocks) await live.importDecided(b, cert)
    expect(live.root()).toBe(root)
    expect(seen.map((i) => i.block.height)).toEqual(blocks.map((b) => b.height))
    expect(Object.isFrozen(seen[0])).toBe(true)
    const replayed = importerOver(fresh().s, store)
    expect(await replayed.replay()).toBe(blocks.length)
    expect(replayed.root()).toBe(root)
    expect(replayed.view.height).toBe(blocks.length)
  })

  it('refuses a block at the wrong height: nothing stored, applied or announced', async () => {
    const { blocks } = log(3)
    const store = new BlockStore(new MemoryStore())
    const imp = importerOver(fresh().s, store)
    const seen: number[] = []
    imp.subscribeImported((i) => seen.push(i.block.height))
    const before = imp.root()
    await imp.importDecided(blocks[1]!, cert) // height 2 on a ledger at 0
    expect(imp.root()).toBe(before)
    expect(await store.lastHeight()).toBe(0)
    expect(seen).toEqual([])
    await imp.importDecided(blocks[0]!, cert)
    await imp.importDecided(blocks[0]!, cert) // a duplicate of the applied height
    expect(seen).toEqual([1])
  })

  it('adopts a snapshot in place: readers holding the view see it, subscribers are told', async () => {
    const { blocks, root } = log(4)
    const ref = fresh()
    for (const b of blocks) applyBlock(ref.s, b, b.txs.map(verifyTx))
    const imp = importerOver(fresh().s, new BlockStore(new MemoryStore()))
    const view = imp.view
    let adopted = 0
    imp.subscribeAdopted(() => adopted++)
    imp.adopt(ref.s, root)
    expect(view.height).toBe(4)
    expect(imp.root()).toBe(ledgerStateRoot(view as LedgerState))
    expect(adopted).toBe(1)
  })
})
