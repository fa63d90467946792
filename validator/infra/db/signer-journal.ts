// The consensus SignerStore on its own journal (journal.ts): each vote is one record appended and
// fdatasync'd on the calling thread before it is signed, with no RocksDB WAL or thread pool in between.
// Every record is also held in memory (the journal is read once, at open); a compaction keeps the
// newest heights only. A node that ran on the RocksDB buckets before has their newest heights copied in.
import { equalBytes, readU64be, toHex, u64be } from '../../../core/bytes.ts'
import { decode, encode } from '../../../core/encoding.ts'
import { AgoraError } from '../../../core/errors.ts'
import type { Journal } from './journal.ts'
import type { KvStore } from './kv.ts'
import { Bucket, Repository, bytesKey, bytesValue, cborValue, uintKey } from './repository.ts'
import { signerRecordKey, type PreparedState, type ResumeState, type SignerStore, type VoteType } from '../../consensus/index.ts'
import { BlockSchema, type Block } from '../../../ledger/block.ts'

/**
 * Heights whose signed records a compaction keeps below the highest one. The node signs only at the height
 * after its durable ledger (and keeps the instance before it to hand out DECIDED, which signs nothing), so
 * a height this far down is decided and stored and never voted on again.
 */
export const JOURNAL_HEIGHTS_KEPT = 64
/** Prepared states a compaction keeps (a proposal-sized value each): only the newest heights run an instance. */
export const JOURNAL_PREPARED_KEPT = 2
/** Journal size that triggers a compaction (rewrites the kept records: a few hundred KiB at most). */
export const JOURNAL_COMPACT_BYTES = 16 << 20

/** A record's first element (part of the file format: never renumber). */
const Kind = { signed: 0, prepared: 1, migrated: 2 } as const
type JournalRecord =
  | [typeof Kind.signed, number, number, VoteType, Uint8Array]
  | [typeof Kind.prepared, number, PreparedState<Block>]
  | [typeof Kind.migrated]

interface HeightRecords { readonly signed: Map<string, Uint8Array>; round: number | undefined; prepared: PreparedState<Block> | undefined }

export interface JournalSignerOptions { readonly compactBytes?: number }

export function journalSignerStore(journal: Journal, legacy: KvStore, opts: JournalSignerOptions = {}): SignerStore<Block> {
  const compactBytes = opts.compactBytes ?? JOURNAL_COMPACT_BYTES
  const heights = new Map<number, HeightRecords>()
  let highest = 0
  const at = (h: number): HeightRecords => {
    let r = heights.get(h)
    if (!r) { r = { signed: new Map(), round: undefined, prepared: undefined }; heights.set(h, r); highest = Math.max(highest, h) }
    return r
  }
  const apply = (rec: JournalRecord): void => {
    if (rec[0] === Kind.signed) {
      const [, h, round, type, v] = rec
      const r = at(h)
      r.signed.set(toHex(signerRecordKey(h, round, type)), v)
      r.round = Math.max(round, r.round ?? 0)
    } else if (rec[0] === Kind.prepared) {
      const r = at(rec[1])
      if (!r.prepared || r.prepared.round <= rec[2].round) r.prepared = rec[2]
    }
  }
  const write = (rec: JournalRecord, sync: boolean): void => {
    journal.append(encode(rec), sync)
    apply(rec)
  }

  let migrated = false
  for (const bytes of journal.records) {
    const rec = parseRecord(bytes)
    if (rec[0] === Kind.migrated) migrated = true
    apply(rec)
  }
  // The buckets are read once, the first time this node opens its journal; then never again.
  const ready = migrated ? Promise.resolve() : copyFromBuckets(legacy).then((recs) => {
    for (const rec of recs) write(rec, false)
    write([Kind.migrated], true)
  })

  /** Keep the newest heights only, once the journal has grown past `compactBytes`. */
  function maybeCompact(): void {
    if (journal.size <= compactBytes) return
    const keep: JournalRecord[] = [[Kind.migrated]]
    for (const [h, r] of [...heights].sort(([a], [b]) => a - b)) {
      if (h < highest - JOURNAL_HEIGHTS_KEPT) { heights.delete(h); continue }
      for (const [k, v] of r.signed) keep.push(signedRecord(k, v))
      if (r.prepared && h >= highest - JOURNAL_PREPARED_KEPT) keep.push([Kind.prepared, h, r.prepared])
      else r.prepared = undefined
    }
    journal.rewrite(keep.map((rec) => encode(rec)))
  }

  return {
    recordSigned: async (height, round, type, valueHash) => {
      await ready
      const prev = heights.get(height)?.signed.get(toHex(signerRecordKey(height, round, type)))
      if (prev) return equalBytes(prev, valueHash)
      write([Kind.signed, height, round, type, valueHash], true)
      maybeCompact()
      return true
    },
    // Appended without its own fdatasync: the COMMIT's record that follows it is synced, and that makes
    // every earlier record of the file durable too, so the lock is on disk before that COMMIT is signed.
    // Lost without a COMMIT after it, it is as if we never prepared: nothing we sent depends on it.
    savePrepared: async (height, p) => {
      await ready
      const r = heights.get(height)
      if (r?.prepared && r.prepared.round > p.round) return
      write([Kind.prepared, height, p], false)
    },
    loadResume: async (height): Promise<ResumeState<Block> | undefined> => {
      await ready
      const r = heights.get(height)
      if (r?.round === undefined) return undefined
      return r.prepared ? { round: r.round, prepared: r.prepared } : { round: r.round }
    },
  }
}

/** A signed row back from its in-memory key (the RocksDB record key: height, round, type). */
function signedRecord(hexKey: string, v: Uint8Array): JournalRecord {
  const k = Uint8Array.from(Buffer.from(hexKey, 'hex'))
  return [Kind.signed, Number(readU64be(k, 0, 8)), Number(readU64be(k, 8, 4)), k[12]! as VoteType, v]
}

function parseRecord(bytes: Uint8Array): JournalRecord {
  const rec = decode<unknown[]>(bytes)
  if (!Array.isArray(rec)) throw new AgoraError('DB_CORRUPT', 'signer journal record is not an array')
  if (rec[0] === Kind.prepared) {
    const p = rec[2] as PreparedState<Block>
    return [Kind.prepared, rec[1] as number, { ...p, value: BlockSchema.parse(p.value) as Block }]
  }
  return rec as JournalRecord
}

/** The newest JOURNAL_HEIGHTS_KEPT heights of the RocksDB buckets a node wrote before it had the journal. */
async function copyFromBuckets(store: KvStore): Promise<JournalRecord[]> {
  const signed = new Repository<Uint8Array, Uint8Array>(store, Bucket.consensusSigner, bytesKey, bytesValue)
  const prepared = new Repository<number, PreparedState<Block>>(store, Bucket.consensusPrepared, uintKey, cborValue())
  const [s, p] = await Promise.all([signed.last(), prepared.last()])
  const top = Math.max(s ? Number(readU64be(s[0], 0, 8)) : 0, p ? p[0] : 0)
  if (top === 0) return []
  const from = Math.max(0, top - JOURNAL_HEIGHTS_KEPT)
  const out: JournalRecord[] = []
  for (const [k, v] of await signed.entries({ gte: u64be(from) })) out.push(signedRecord(toHex(k), v))
  for (const [h, v] of await prepared.entries({ gte: from })) out.push([Kind.prepared, h, { ...v, value: BlockSchema.parse(v.value) as Block }])
  return out
}
