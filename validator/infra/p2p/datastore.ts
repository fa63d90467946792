// The DHT's datastore: an interface-datastore adapter over the node's KvStore (RocksDB), so records and
// provider entries survive restarts, bounded in records and bytes in all and per remote peer. The peer
// of a put is the DHT stream it arrived on (`runAsPeer`, set by the host); our own puts are not charged.
import { AsyncLocalStorage } from 'node:async_hooks'
import { Key, type Batch, type Datastore, type KeyQuery, type Pair, type Query } from 'interface-datastore'
import { concatBytes, fromUtf8, utf8 } from '../../../core/bytes.ts'
import { AgoraError } from '../../../core/errors.ts'
import type { Clock } from '../../../core/clock.ts'
import type { KvStore } from '../db/kv.ts'
import { createRateLimiter, type RateLimit } from './rate-limit.ts'

const KiB = 1024
const MiB = 1024 * KiB

export interface DhtStoreLimits {
  /** Entries in all (records, provider entries). */
  readonly maxEntries: number
  /** Bytes of values in all: blobs up to MAX_DHT_BLOB each, so a few dozen of them. */
  readonly maxBytes: number
  /** Entries one remote peer may have written (since our start). */
  readonly perPeerEntries: number
  readonly perPeerBytes: number
  /** Puts per remote peer over time. */
  readonly perPeerRate: RateLimit
}

export const DEFAULT_DHT_STORE_LIMITS: DhtStoreLimits = {
  maxEntries: 16_384,
  maxBytes: 128 * MiB,
  perPeerEntries: 1_024,
  perPeerBytes: 16 * MiB,
  perPeerRate: { perSecond: 10, burst: 100 },
}

export const DhtStoreErrorCode = {
  FULL: 'DHT_STORE_FULL',
  PEER_QUOTA: 'DHT_STORE_PEER_QUOTA',
  PEER_RATE: 'DHT_STORE_PEER_RATE',
  INVALID: 'DHT_STORE_INVALID',
} as const
export type DhtStoreErrorCode = (typeof DhtStoreErrorCode)[keyof typeof DhtStoreErrorCode]

export class DhtStoreError extends AgoraError {
  declare readonly code: DhtStoreErrorCode
  constructor(code: DhtStoreErrorCode, message: string) {
    super(code, message)
    this.name = 'DhtStoreError'
  }
}

export interface DhtStoreOptions {
  /** First byte of every key in the KvStore (the DHT's bucket). */
  readonly bucket: number
  readonly limits?: Partial<DhtStoreLimits>
  /** Checks an entry before it is stored (throws to refuse); kad-dht has checked record signatures already. */
  readonly validate?: (key: string, value: Uint8Array) => void
}

export interface BoundedDatastore extends Datastore {
  /** Run `fn` with puts charged to `peer` (the host wraps the DHT's inbound stream handler in it). */
  runAsPeer<T>(peer: string, fn: () => T): T
  readonly usage: { readonly entries: number; readonly bytes: number }
}

const notFound = (key: Key): Error => Object.assign(new Error(`${key.toString()} not found`), { name: 'NotFoundError' })

/** Open the store: counts what the bucket already holds, so the bounds hold across restarts. */
export async function openKvDatastore(kv: KvStore, opts: DhtStoreOptions, modules: { clock: Clock }): Promise<BoundedDatastore> {
  const limits = { ...DEFAULT_DHT_STORE_LIMITS, ...opts.limits }
  const prefix = new Uint8Array([opts.bucket])
  const end = new Uint8Array([opts.bucket + 1])
  const kvKey = (k: Key) => concatBytes(prefix, utf8(k.toString()))
  const peerOf = new AsyncLocalStorage<string>()
  const rate = createRateLimiter(limits.perPeerRate, modules.clock)
  const perPeer = new Map<string, { entries: number; bytes: number }>()
  const sizes = new Map<string, number>() // key → value bytes: in memory, ≤ maxEntries
  let bytes = 0
  for await (const [k, v] of kv.range({ gte: prefix, lt: end })) {
    sizes.set(fromUtf8(k.subarray(1)), v.length)
    bytes += v.length
  }

  function admit(key: Key, value: Uint8Array): void {
    const k = key.toString()
    opts.validate?.(k, value)
    const old = sizes.get(k)
    const peer = peerOf.getStore()
    if (peer !== undefined) {
      if (!rate.take(peer)) throw new DhtStoreError(DhtStoreErrorCode.PEER_RATE, `peer ${peer} puts too fast`)
      const p = perPeer.get(peer) ?? { entries: 0, bytes: 0 }
      if (p.entries + 1 > limits.perPeerEntries || p.bytes + value.length > limits.perPeerBytes) {
        throw new DhtStoreError(DhtStoreErrorCode.PEER_QUOTA, `peer ${peer} has written ${p.entries} entries (${p.bytes} bytes)`)
      }
    }
    const entries = sizes.size + (old === undefined ? 1 : 0)
    if (entries > limits.maxEntries || bytes - (old ?? 0) + value.length > limits.maxBytes) {
      throw new DhtStoreError(DhtStoreErrorCode.FULL, `DHT store full (${sizes.size} entries, ${bytes} bytes)`)
    }
  }

  function account(key: Key, value: Uint8Array | undefined): void {
    const k = key.toString()
    bytes -= sizes.get(k) ?? 0
    if (value === undefined) { sizes.delete(k); return }
    sizes.set(k, value.length)
    bytes += value.length
    const peer = peerOf.getStore()
    if (peer !== undefined) {
      if (perPeer.size >= limits.maxEntries && !perPeer.has(peer)) perPeer.delete(perPeer.keys().next().value!)
      const p = perPeer.get(peer) ?? { entries: 0, bytes: 0 }
      perPeer.set(peer, { entries: p.entries + 1, bytes: p.bytes + value.length })
    }
  }

  async function get(key: Key): Promise<Uint8Array> {
    const v = await kv.get(kvKey(key))
    if (v === undefined) throw notFound(key)
    return v
  }
  async function put(key: Key, value: Uint8Array): Promise<Key> {
    admit(key, value)
    await kv.put(kvKey(key), value)
    account(key, value)
    return key
  }
  async function del(key: Key): Promise<void> {
    await kv.del(kvKey(key))
    account(key, undefined)
  }

  async function* scan(q: { prefix?: string }): AsyncGenerator<Pair> {
    const gte = q.prefix ? concatBytes(prefix, utf8(q.prefix)) : prefix
    const lt = q.prefix ? concatBytes(gte, new Uint8Array([0xff])) : end
    for await (const [k, v] of kv.range({ gte, lt })) yield { key: new Key(fromUtf8(k.subarray(1))), value: v }
  }
  async function* query<T>(q: Query | KeyQuery, map: (p: Pair) => T, filters: ((x: T) => boolean)[] = [], orders: ((a: T, b: T) => -1 | 0 | 1)[] = []): AsyncGenerator<T> {
    const all: T[] = []
    for await (const p of scan(q)) { const x = map(p); if (filters.every((f) => f(x))) all.push(x) }
    for (const o of [...orders].reverse()) all.sort(o)
    const from = q.offset ?? 0
    yield* all.slice(from, q.limit === undefined ? undefined : from + q.limit)
  }

  return {
    runAsPeer: (peer, fn) => peerOf.run(peer, fn),
    get usage() { return { entries: sizes.size, bytes } },
    get,
    put,
    delete: del,
    has: (key) => sizes.has(key.toString()),
    async *putMany(source) { for await (const { key, value } of source) { await put(key, value); yield key } },
    async *getMany(source) { for await (const key of source) yield { key, value: await get(key) } },
    async *deleteMany(source) { for await (const key of source) { await del(key); yield key } },
    batch(): Batch {
      const ops: ({ key: Key; value: Uint8Array } | { key: Key; value?: undefined })[] = []
      return {
        put: (key, value) => { ops.push({ key, value }) },
        delete: (key) => { ops.push({ key }) },
        async commit() {
          for (const op of ops) if (op.value) admit(op.key, op.value)
          await kv.batch(ops.map((op) => (op.value ? { type: 'put' as const, key: kvKey(op.key), value: op.value } : { type: 'del' as const, key: kvKey(op.key) })))
          for (const op of ops) account(op.key, op.value)
        },
      }
    },
    query: (q) => query(q, (p) => p, q.filters, q.orders),
    queryKeys: (q) => query(q, (p) => p.key, q.filters, q.orders),
  }
}
