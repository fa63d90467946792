// One repository per bucket (Lodestar's shape): a 1-byte bucket prefix, typed keys and values.
// Numeric keys are big-endian so range scans come back in numeric order.
import type { BatchOp, KvStore, WriteOptions } from './kv.ts'
import { concatBytes, u64be, readU64be, utf8, fromUtf8 } from '../../../core/bytes.ts'
import { encode, decode } from '../../../core/encoding.ts'

/** Bucket numbers are part of the on-disk format: never reuse or renumber one (gaps are fine). */
export const Bucket = {
  block: 0x02, // height → decided block with its commit certificate
  dutyDecided: 0x04, // slashing protection: (duty, key) → the one value signed
  consensusSigner: 0x05, // (height, round, type) → the value hash signed
  epochResult: 0x0d, // epoch → weights hash, weight signatures, chain tx, checkpoint
  consensusPrepared: 0x0f, // height → prepared state (re-proposed after a restart)
  ledgerBase: 0x10, // 0 → the certified ledger snapshot a node started from (blocks after it are in `block`)
  localSnapshot: 0x12, // 0 → the newest ledger snapshot this node wrote itself (restart without a full replay)
  dhtStore: 0x11, // DHT datastore key (utf8) → record or provider entry (validator/infra/p2p/datastore.ts)
  test: 0x7f,
} as const

export interface KeyCodec<K> { encode(k: K): Uint8Array; decode(b: Uint8Array): K }
export interface ValueCodec<V> { encode(v: V): Uint8Array; decode(b: Uint8Array): V }

export const uintKey: KeyCodec<number> = { encode: (k) => u64be(k), decode: (b) => Number(readU64be(b)) }
export const stringKey: KeyCodec<string> = { encode: utf8, decode: fromUtf8 }
export const bytesKey: KeyCodec<Uint8Array> = { encode: (k) => k, decode: (b) => b }
export const cborValue = <V>(): ValueCodec<V> => ({ encode: (v) => encode(v), decode: (b) => decode<V>(b) })
export const bytesValue: ValueCodec<Uint8Array> = { encode: (v) => v, decode: (b) => b }

export class Repository<K, V> {
  private readonly prefix: Uint8Array
  constructor(
    private readonly store: KvStore,
    bucket: number,
    private readonly keys: KeyCodec<K>,
    private readonly values: ValueCodec<V>,
  ) {
    this.prefix = new Uint8Array([bucket])
  }

  private dbKey(k: K): Uint8Array { return concatBytes(this.prefix, this.keys.encode(k)) }

  async get(k: K): Promise<V | undefined> {
    const v = await this.store.get(this.dbKey(k))
    return v === undefined ? undefined : this.values.decode(v)
  }
  put(k: K, v: V, opts?: WriteOptions): Promise<void> { return this.store.put(this.dbKey(k), this.values.encode(v), opts) }
  del(k: K, opts?: WriteOptions): Promise<void> { return this.store.del(this.dbKey(k), opts) }

  putOp(k: K, v: V): BatchOp { return { type: 'put', key: this.dbKey(k), value: this.values.encode(v) } }
  delOp(k: K): BatchOp { return { type: 'del', key: this.dbKey(k) } }

  /** Entries with gte ≤ key < lt (in key-encoding order), optionally reversed and limited. */
  async entries(opts: { gte?: K; lt?: K; reverse?: boolean; limit?: number } = {}): Promise<[K, V][]> {
    const end = new Uint8Array([this.prefix[0]! + 1])
    const out: [K, V][] = []
    for await (const [k, v] of this.store.range({
      gte: opts.gte === undefined ? this.prefix : this.dbKey(opts.gte),
      lt: opts.lt === undefined ? end : this.dbKey(opts.lt),
      reverse: opts.reverse, limit: opts.limit,
    })) out.push([this.keys.decode(k.subarray(1)), this.values.decode(v)])
    return out
  }

  async last(): Promise<[K, V] | undefined> { return (await this.entries({ reverse: true, limit: 1 }))[0] }
}
