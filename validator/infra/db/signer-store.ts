// The consensus SignerStore on RocksDB: what this node signed per (height, round, type), synced before the
// vote leaves, plus the prepared state per height. A restart resumes from it and cannot equivocate.
import { equalBytes, readU64be, u64be } from '../../../core/bytes.ts'
import type { KvStore } from './kv.ts'
import { Bucket, Repository, bytesKey, bytesValue, cborValue, uintKey } from './repository.ts'
import { signerRecordKey, type PreparedState, type SignerStore } from '../../consensus/index.ts'
import type { Block } from '../../../ledger/block.ts'
import { BlockSchema } from '../../../ledger/block.ts'

export function rocksSignerStore(store: KvStore): SignerStore<Block> {
  const signed = new Repository<Uint8Array, Uint8Array>(store, Bucket.consensusSigner, bytesKey, bytesValue)
  const prepared = new Repository<number, PreparedState<Block>>(store, Bucket.consensusPrepared, uintKey, cborValue())
  let tail: Promise<unknown> = Promise.resolve()
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = tail.then(fn, fn)
    tail = p.catch(() => undefined)
    return p
  }
  return {
    recordSigned: (height, round, type, valueHash) => serial(async () => {
      const key = signerRecordKey(height, round, type)
      const prev = await signed.get(key)
      if (prev) return equalBytes(prev, valueHash)
      await signed.put(key, valueHash, { sync: true })
      return true
    }),
    // Written to the WAL without its own fsync: the COMMIT's recordSigned that follows is a synced write,
    // and a synced write makes every earlier WAL record durable too, so the prepared state is on disk
    // before that COMMIT is signed (one fsync on the path to a decision instead of two). Lost without a
    // COMMIT after it, it is as if we never prepared: nothing we sent depends on it.
    async savePrepared(height, p) {
      const prev = await prepared.get(height)
      if (!prev || prev.round <= p.round) await prepared.put(height, p)
    },
    async loadResume(height) {
      const rows = await signed.entries({ gte: u64be(height), lt: u64be(height + 1) })
      if (rows.length === 0) return undefined
      const round = Math.max(...rows.map(([k]) => Number(readU64be(k, 8, 4))))
      const p = await prepared.get(height)
      if (!p) return { round }
      return { round, prepared: { ...p, value: BlockSchema.parse(p.value) as Block } }
    },
  }
}
