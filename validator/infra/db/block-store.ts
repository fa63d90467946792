// Persistence of the decided log: blocks with their commit certificates (written before they are applied),
// and per-epoch results (weights, certificates, chain tx, checkpoint). State is re-derived by replay.
import type { KvStore } from './kv.ts'
import { Bucket, Repository, bytesValue, cborValue, uintKey } from './repository.ts'
import type { CommitCertificate } from '../../consensus/index.ts'
import type { Block } from '../../../ledger/block.ts'
import { BlockSchema } from '../../../ledger/block.ts'
import type { EpochWeights } from '../../../ledger/evaluations.ts'
import { AgoraError } from '../../../core/errors.ts'

export interface StoredBlock { block: Block; certificate: CommitCertificate }

export interface EpochRecord {
  epoch: number
  weightsHash?: string
  /**
   * The epoch's weights as decided (uids, each uid's miner, weights; index-aligned): the ledger keeps results
   * for 8 epochs only (its state must not grow with history), this record keeps them for the API.
   */
  result?: EpochWeights
  /** EVM signatures (0x) of validators over the weights digest, by peer id. */
  weightSignatures?: Record<string, string>
  chainTx?: string
  checkpoint?: { height: number; stateRoot: string; blockHash: string; signers: string[]; cid?: string }
}

/** A ledger snapshot this node wrote at `height`, with the state root it had then. */
export interface LocalSnapshot { height: number; stateRoot: string; bytes: Uint8Array }

export class BlockStore {
  private readonly blocks: Repository<number, StoredBlock>
  private readonly epochs: Repository<number, EpochRecord>
  private readonly base: Repository<number, Uint8Array>
  private readonly local: Repository<number, LocalSnapshot>
  constructor(private readonly store: KvStore) {
    this.blocks = new Repository(store, Bucket.block, uintKey, cborValue<StoredBlock>())
    this.epochs = new Repository(store, Bucket.epochResult, uintKey, cborValue<EpochRecord>())
    this.base = new Repository(store, Bucket.ledgerBase, uintKey, bytesValue)
    this.local = new Repository(store, Bucket.localSnapshot, uintKey, cborValue<LocalSnapshot>())
  }

  /**
   * In RocksDB's write-ahead log (the OS has it: it survives kill -9) when it resolves, not fsync'd: that
   * flush was one of the four on the path to each decision. A power loss can lose the newest blocks, never a
   * block below a kept one (the log is replayed in order); the node syncs them again from its peers, and
   * what it signed for them is in the signer journal, synced before each vote. Nothing else needs a decided
   * block on this disk: it is decided by its certificate, held by the validators that signed it.
   */
  putBlock(b: StoredBlock): Promise<void> { return this.blocks.put(b.block.height, b) }

  /** Many decided blocks in one atomic, durable write (a store filled from a trusted source in bulk). */
  putBlocks(bs: readonly StoredBlock[]): Promise<void> {
    return this.store.batch(bs.map((b) => this.blocks.putOp(b.block.height, b)), { sync: true })
  }

  async getBlock(height: number): Promise<StoredBlock | undefined> {
    const b = await this.blocks.get(height)
    return b ? normalizeStored(b) : undefined
  }

  async range(from: number, to: number): Promise<StoredBlock[]> {
    return (await this.blocks.entries({ gte: from, lt: to + 1 })).map(([, b]) => normalizeStored(b))
  }

  async lastHeight(): Promise<number> { return (await this.blocks.last())?.[0] ?? 0 }

  /** The certified snapshot this node started from (checkpoint sync), if it did not start from genesis. */
  getBase(): Promise<Uint8Array | undefined> { return this.base.get(0) }
  putBase(snapshot: Uint8Array): Promise<void> { return this.base.put(0, snapshot, { sync: true }) }

  /** The newest snapshot this node wrote of its own state (checked against the log before it is used). */
  getLocalSnapshot(): Promise<LocalSnapshot | undefined> { return this.local.get(0) }
  putLocalSnapshot(s: LocalSnapshot): Promise<void> { return this.local.put(0, s) }
  deleteLocalSnapshot(): Promise<void> { return this.local.del(0, { sync: true }) }

  getEpoch(e: number): Promise<EpochRecord | undefined> { return this.epochs.get(e) }
  async updateEpoch(e: number, patch: Partial<EpochRecord>): Promise<EpochRecord> {
    const next = { ...(await this.epochs.get(e) ?? { epoch: e }), ...patch }
    await this.epochs.put(e, next)
    return next
  }
  async epochRecords(): Promise<EpochRecord[]> { return (await this.epochs.entries()).map(([, v]) => v) }
}

/** Decoded CBOR gives numbers where we hold numbers already; re-validate the block shape. */
function normalizeStored(b: StoredBlock): StoredBlock {
  const r = BlockSchema.safeParse(b.block)
  if (!r.success) throw new AgoraError('DB_CORRUPT', `stored block is malformed: ${r.error.issues[0]?.message}`)
  return { block: r.data, certificate: b.certificate }
}
