// The key-value interface every repository is written against. RocksStore is the product;
// MemoryStore exists for pure tests and the simulator only.
import type { Journal } from './journal.ts'
export type BatchOp =
  | { readonly type: 'put'; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly type: 'del'; readonly key: Uint8Array }

export interface WriteOptions {
  /** fsync the write-ahead log before resolving: for data that must survive a crash (kill -9, power). */
  readonly sync?: boolean
}

export interface RangeOptions {
  readonly gte?: Uint8Array
  readonly lt?: Uint8Array
  readonly reverse?: boolean
  readonly limit?: number
}

export interface KvStore {
  get(key: Uint8Array): Promise<Uint8Array | undefined>
  put(key: Uint8Array, value: Uint8Array, opts?: WriteOptions): Promise<void>
  del(key: Uint8Array, opts?: WriteOptions): Promise<void>
  /** All operations apply atomically, or none do. */
  batch(ops: readonly BatchOp[], opts?: WriteOptions): Promise<void>
  /** Entries in key order (bytewise), or reverse order. */
  range(opts: RangeOptions): AsyncIterable<[Uint8Array, Uint8Array]>
  /**
   * An append-only journal of this store's own, beside it (one per name, closed with the store): for small
   * records that must be durable before the node acts, with no write-ahead log shared with bulk writes.
   * Optional: the signer store keeps its records in RocksDB buckets on a store without one.
   */
  journal?(name: string): Journal
  close(): Promise<void>
}
