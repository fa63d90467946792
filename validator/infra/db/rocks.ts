// RocksDB-backed KvStore over the npm `rocksdb` binding (callback API wrapped once, here).
import { mkdirSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import rocksdb from 'rocksdb'
import type { BatchOp, KvStore, RangeOptions, WriteOptions } from './kv.ts'
import { AgoraError } from '../../../core/errors.ts'
import { openFileJournal, type Journal } from './journal.ts'

type Cb<T = void> = (err: Error | undefined | null, v?: T) => void
interface RocksIterator { next(cb: (err: Error | null, k?: Buffer, v?: Buffer) => void): void; end(cb: Cb): void }
interface RocksDb {
  open(opts: object, cb: Cb): void
  close(cb: Cb): void
  get(k: Buffer, opts: object, cb: Cb<Buffer>): void
  put(k: Buffer, v: Buffer, opts: object, cb: Cb): void
  del(k: Buffer, opts: object, cb: Cb): void
  batch(ops: object[], opts: object, cb: Cb): void
  iterator(opts: object): RocksIterator
}

const buf = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)
const call = <T = void>(fn: (cb: Cb<T>) => void) =>
  new Promise<T>((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v as T))))

export class RocksStore implements KvStore {
  private closed = false
  // Native calls not yet answered: close() waits for them, and refuses new ones, because the binding
  // asserts (and aborts the process) on a read after close instead of returning an error.
  private inflight = 0
  private drained: (() => void) | null = null
  private readonly journals = new Map<string, Journal>()
  private constructor(private readonly db: RocksDb, readonly path: string) {}

  static async open(path: string): Promise<RocksStore> {
    mkdirSync(path, { recursive: true })
    const db = (rocksdb as unknown as (p: string) => RocksDb)(path)
    try {
      await call((cb) => db.open({ createIfMissing: true }, cb))
    } catch (e) {
      throw new AgoraError('DB_OPEN', `open rocksdb at ${path}: ${(e as Error).message}`, { cause: e })
    }
    return new RocksStore(db, path)
  }

  /** Run one native call unless the store is closed (DB_CLOSED), counting it until it answers. */
  private guard<T>(fn: (cb: Cb<T>) => void): Promise<T> {
    if (this.closed) return Promise.reject(new AgoraError('DB_CLOSED', `rocksdb at ${this.path} is closed`))
    this.inflight++
    return call(fn).finally(() => { if (--this.inflight === 0) this.drained?.() })
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    try {
      const v = await this.guard<Buffer>((cb) => this.db.get(buf(key), { asBuffer: true, fillCache: true }, cb))
      return new Uint8Array(v.buffer, v.byteOffset, v.byteLength)
    } catch (e) {
      // The binding reports a missing key as message "NotFound: " with no code.
      if (/^NotFound/.test((e as Error).message)) return undefined
      throw e
    }
  }

  put(key: Uint8Array, value: Uint8Array, opts: WriteOptions = {}): Promise<void> {
    return this.guard((cb) => this.db.put(buf(key), buf(value), { sync: !!opts.sync }, cb))
  }

  del(key: Uint8Array, opts: WriteOptions = {}): Promise<void> {
    return this.guard((cb) => this.db.del(buf(key), { sync: !!opts.sync }, cb))
  }

  batch(ops: readonly BatchOp[], opts: WriteOptions = {}): Promise<void> {
    const rops = ops.map((o) => (o.type === 'put' ? { type: 'put', key: buf(o.key), value: buf(o.value) } : { type: 'del', key: buf(o.key) }))
    return this.guard((cb) => this.db.batch(rops, { sync: !!opts.sync }, cb))
  }

  async *range(opts: RangeOptions): AsyncIterable<[Uint8Array, Uint8Array]> {
    if (this.closed) throw new AgoraError('DB_CLOSED', `rocksdb at ${this.path} is closed`)
    const it = this.db.iterator({
      ...(opts.gte ? { gte: buf(opts.gte) } : {}),
      ...(opts.lt ? { lt: buf(opts.lt) } : {}),
      reverse: !!opts.reverse, limit: opts.limit ?? -1, keyAsBuffer: true, valueAsBuffer: true,
    })
    try {
      for (;;) {
        const [k, v] = await this.guard<[Buffer?, Buffer?]>((cb) => it.next((err, k, v) => cb(err, [k, v])))
        if (k === undefined || v === undefined) return
        yield [new Uint8Array(k), new Uint8Array(v)]
      }
    } finally {
      // After close() the binding has ended the iterator itself.
      if (!this.closed) await call((cb) => it.end(cb))
    }
  }

  /** `<dir>/<db>-<name>.journal` beside the database (RocksDB's directory lock covers it: one writer). */
  journal(name: string): Journal {
    if (this.closed) throw new AgoraError('DB_CLOSED', `rocksdb at ${this.path} is closed`)
    // Two handles on one file would write over each other's records.
    if (this.journals.has(name)) throw new AgoraError('DB_JOURNAL_OPEN', `journal ${name} of ${this.path} is open already`)
    const j = openFileJournal(join(dirname(this.path), `${basename(this.path)}-${name}.journal`))
    this.journals.set(name, j)
    return j
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    for (const j of this.journals.values()) j.close()
    if (this.inflight > 0) await new Promise<void>((resolve) => { this.drained = resolve })
    await call((cb) => this.db.close(cb))
  }
}
