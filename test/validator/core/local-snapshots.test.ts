// Restart from a local snapshot: the node writes one every N decided blocks; on restart it starts from the
// newest one the decided log confirms and replays only the blocks above it, reaching the same root as a
// full replay; a snapshot that is corrupted, or that the next decided block contradicts, is refused and the
// node replays from genesis (or its certified base) instead.
import { describe, expect, it } from 'vitest'
import { applyBlock, ledgerStateRoot, type LedgerState } from '../../../ledger/ledger.ts'
import { verifyTx } from '../../../ledger/txs.ts'
import type { Block } from '../../../ledger/block.ts'
import { snapshotLedger } from '../../../ledger/snapshot.ts'
import type { CommitCertificate } from '../../../validator/consensus/index.ts'
import { BlockStore } from '../../../validator/infra/db/block-store.ts'
import { MemoryStore } from '../../../validator/infra/db/memory.ts'
import { createImporter } from '../../../validator/core/importer.ts'
import { keepLocalSnapshots } from '../../../validator/core/local-snapshots.ts'
import { Schedule } from '../../../validator/core/scheduler.ts'
import { createTxVerifier } from '../../../validator/core/tx-verifier.ts'
import { startState } from '../../../validator/app/start-state.ts'
import type { Logger } from '../../../validator/infra/log.ts'
import { chain, ids } from '../../ledger/chain.ts'

const cert = { commits: [] } as unknown as CommitCertificate
const fresh = () => chain({ balances: ['100', '100', '100', '100', '10'], credits: ['0', '0', '0', '0', '100'] })
const genesis = fresh().genesis
const quiet = { warn: () => undefined, info: () => undefined } as unknown as Logger
const importerOver = (ledger: LedgerState, blocks: BlockStore) =>
  createImporter({ ledger, blocks, schedule: new Schedule(0, ledger.forum.params.slotMs, ledger.forum.params.epochSlots), verifier: createTxVerifier() })

/** `n` decided blocks with a submission in each, imported live into `store`, snapshotting every `every`. */
async function decided(n: number, every: number, payload = 'payload'): Promise<{ store: BlockStore; root: string }> {
  const ref = fresh()
  const store = new BlockStore(new MemoryStore())
  const live = importerOver(fresh().s, store)
  keepLocalSnapshots({ importer: live, blocks: store, log: quiet, every })
  for (let i = 1; i <= n; i++) {
    const { body, publicKey, signature } = ref.submission(`${payload}-${i}`).tx
    const txs = [{ body, publicKey, signature }]
    const block: Block = { height: ref.s.height + 1, slot: i * 2, prevHash: ref.s.lastBlockHash, prevStateRoot: ledgerStateRoot(ref.s), proposer: ids[0]!, txs }
    applyBlock(ref.s, block, txs.map(verifyTx))
    await live.importDecided(block, cert)
    await new Promise((r) => setImmediate(r)) // let the snapshot write land
  }
  return { store, root: ledgerStateRoot(ref.s) }
}

async function restart(store: BlockStore, warnings: string[] = []) {
  const start = await startState(store, genesis, (w) => warnings.push(w))
  const imp = importerOver(start.ledger, store)
  const fromHeight = start.ledger.height
  await imp.replay()
  return { from: start.from, fromHeight, root: imp.root(), height: imp.view.height }
}

describe('local snapshots', () => {
  it('a restart starts from the newest snapshot and replays only the blocks above it', async () => {
    const { store, root } = await decided(11, 4)
    expect((await store.getLocalSnapshot())?.height).toBe(8)
    const r = await restart(store)
    expect(r).toEqual({ from: 'local-snapshot', fromHeight: 8, root, height: 11 })
  })

  it('a snapshot at the tip is used when no block follows it', async () => {
    const { store, root } = await decided(8, 4)
    expect(await restart(store)).toEqual({ from: 'local-snapshot', fromHeight: 8, root, height: 8 })
  })

  it('a snapshot whose bytes do not give its root is refused: full replay, same root', async () => {
    const { store, root } = await decided(11, 4)
    const snap = (await store.getLocalSnapshot())!
    const other = fresh() // the genesis state: a valid snapshot of another height and root
    await store.putLocalSnapshot({ ...snap, bytes: snapshotLedger(other.s) })
    const warnings: string[] = []
    expect(await restart(store, warnings)).toEqual({ from: 'genesis', fromHeight: 0, root, height: 11 })
    expect(warnings.join()).toMatch(/local snapshot at height 8 not used/)
  })

  it('a snapshot the next decided block contradicts is refused', async () => {
    const { store, root } = await decided(11, 4)
    // Height 8 of another log: consistent with itself (its root re-derives), not with this node's log.
    const { store: other } = await decided(8, 4, 'other')
    await store.putLocalSnapshot((await other.getLocalSnapshot())!)
    const warnings: string[] = []
    expect(await restart(store, warnings)).toEqual({ from: 'genesis', fromHeight: 0, root, height: 11 })
    expect(warnings.join()).toMatch(/decided block 9 names another parent state/)
  })

  it('a snapshot above the stored log is refused', async () => {
    const { store: long } = await decided(8, 4)
    const { store, root } = await decided(6, 100)
    await store.putLocalSnapshot((await long.getLocalSnapshot())!)
    const warnings: string[] = []
    expect(await restart(store, warnings)).toEqual({ from: 'genesis', fromHeight: 0, root, height: 6 })
    expect(warnings.join()).toMatch(/no decided block at height 8 \+ 1/)
  })
})
