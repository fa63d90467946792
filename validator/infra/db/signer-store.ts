// The consensus SignerStore on RocksDB: what this node signed per (height, round, type), synced before the
// vote leaves, plus the prepared state per height. A restart resumes from it and cannot equivocate.
// Heights this process has touched are also held in memory, so a vote costs one synced write and no read
// (reads, each a trip through libuv's thread pool, were most of the waiting before a vote left).
import { equalBytes, readU64be, toHex, u64be } from '../../../core/bytes.ts'
import type { KvStore } from './kv.ts'
import { Bucket, Repository, bytesKey, bytesValue, cborValue, uintKey } from './repository.ts'
import { signerRecordKey, type PreparedState, type ResumeState, type SignerStore } from '../../consensus/index.ts'
import type { Block } from '../../../ledger/block.ts'
import { BlockSchema } from '../../../ledger/block.ts'
import { journalSignerStore } from './signer-journal.ts'

/** Heights kept in memory below the highest one touched (an instance runs at the newest one or two). */
export const SIGNER_HEIGHTS_KEPT = 64

/** Everything recorded at one height (complete: the database holds nothing else for it). */
interface HeightRecords { readonly signed: Map<string, Uint8Array>; round: number | undefined; prepared: PreparedState<Block> | undefined }

/** The node's signer store: on the store's journal when it has one (journalSignerStore), else in its buckets. */
export function rocksSignerStore(store: KvStore): SignerStore<Block> {
  const journal = store.journal?.(SIGNER_JOURNAL)
  return journal ? journalSignerStore(journal, store) : bucketSignerStore(store)
}

/** Name of the signer store's journal (part of the data directory's layout). */
export const SIGNER_JOURNAL = 'consensus-signer'

/** The records in two RocksDB buckets, each vote one synced write (a store without a journal: the simulator's). */
export function bucketSignerStore(store: KvStore): SignerStore<Block> {
  const signed = new Repository<Uint8Array, Uint8Array>(store, Bucket.consensusSigner, bytesKey, bytesValue)
  const prepared = new Repository<number, PreparedState<Block>>(store, Bucket.consensusPrepared, uintKey, cborValue())
  let tail: Promise<unknown> = Promise.resolve()
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = tail.then(fn, fn)
    tail = p.catch(() => undefined)
    return p
  }
  // Heights above `storedTop` have no rows written before this process (this process is the only writer:
  // RocksDB locks its directory); a height dropped from memory raises it, so it is read again if asked.
  let storedTop: Promise<number> | undefined
  // Both buckets count: a height can hold a prepared state and no signed row yet (a property test found
  // it: prepared, restart, then a vote at that height resumed without its prepared state, i.e. its lock).
  const top = () => (storedTop ??= Promise.all([signed.last(), prepared.last()])
    .then(([s, p]) => Math.max(s ? Number(readU64be(s[0], 0, 8)) : 0, p ? p[0] : 0)))
  const heights = new Map<number, HeightRecords>()
  let highest = 0

  /** The complete records of `height`: from memory, or (once) from the database. Called only in `serial`. */
  async function recordsOf(height: number): Promise<HeightRecords> {
    const known = heights.get(height)
    if (known) return known
    const r: HeightRecords = { signed: new Map(), round: undefined, prepared: undefined }
    if (height <= (await top())) {
      const rows = await signed.entries({ gte: u64be(height), lt: u64be(height + 1) })
      for (const [k, v] of rows) r.signed.set(toHex(k), v)
      if (rows.length > 0) r.round = Math.max(...rows.map(([k]) => Number(readU64be(k, 8, 4))))
      const p = await prepared.get(height)
      if (p) r.prepared = { ...p, value: BlockSchema.parse(p.value) as Block }
    }
    heights.set(height, r)
    if (height > highest) highest = height
    let dropped = await top()
    for (const h of [...heights.keys()]) {
      if (h >= highest - SIGNER_HEIGHTS_KEPT) continue
      heights.delete(h)
      dropped = Math.max(dropped, h)
    }
    storedTop = Promise.resolve(dropped)
    return r
  }

  return {
    recordSigned: (height, round, type, valueHash) => serial(async () => {
      const r = await recordsOf(height)
      const key = signerRecordKey(height, round, type)
      const prev = r.signed.get(toHex(key))
      if (prev) return equalBytes(prev, valueHash)
      await signed.put(key, valueHash, { sync: true })
      r.signed.set(toHex(key), valueHash)
      r.round = Math.max(round, r.round ?? 0)
      return true
    }),
    // Written to the WAL without its own fsync: the COMMIT's recordSigned that follows is a synced write,
    // and a synced write makes every earlier WAL record durable too, so the prepared state is on disk
    // before that COMMIT is signed (one fsync on the path to a decision instead of two). Lost without a
    // COMMIT after it, it is as if we never prepared: nothing we sent depends on it.
    savePrepared: (height, p) => serial(async () => {
      const r = await recordsOf(height)
      if (r.prepared && r.prepared.round > p.round) return
      await prepared.put(height, p)
      r.prepared = p
    }),
    loadResume: (height) => serial(async (): Promise<ResumeState<Block> | undefined> => {
      const r = await recordsOf(height)
      if (r.round === undefined) return undefined
      return r.prepared ? { round: r.round, prepared: r.prepared } : { round: r.round }
    }),
  }
}
