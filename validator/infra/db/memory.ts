// In-memory KvStore with RocksStore's semantics (bytewise order, atomic batches). Pure tests only.
import type { BatchOp, KvStore, RangeOptions } from './kv.ts'
import { memoryJournals, type Journal } from './journal.ts'
import { compareBytes, toHex, fromHex } from '../../../core/bytes.ts'

export class MemoryStore implements KvStore {
  private readonly data = new Map<string, Uint8Array>()

  async get(key: Uint8Array) { return this.data.get(toHex(key)) }
  async put(key: Uint8Array, value: Uint8Array) { this.data.set(toHex(key), value.slice()) }
  async del(key: Uint8Array) { this.data.delete(toHex(key)) }
  async batch(ops: readonly BatchOp[]) {
    for (const o of ops) if (o.type === 'put') this.data.set(toHex(o.key), o.value.slice()); else this.data.delete(toHex(o.key))
  }
  async *range(opts: RangeOptions): AsyncIterable<[Uint8Array, Uint8Array]> {
    let keys = [...this.data.keys()].map(fromHex)
      .filter((k) => (!opts.gte || compareBytes(k, opts.gte) >= 0) && (!opts.lt || compareBytes(k, opts.lt) < 0))
      .sort(compareBytes)
    if (opts.reverse) keys.reverse()
    if (opts.limit !== undefined && opts.limit >= 0) keys = keys.slice(0, opts.limit)
    for (const k of keys) yield [k, this.data.get(toHex(k))!]
  }
  private readonly journals = memoryJournals()
  /** Each call reopens the journal (a restart): it sees every record appended before. */
  journal(name: string): Journal { return this.journals(name) }
  async close() {}
}
