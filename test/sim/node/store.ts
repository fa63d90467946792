// In-memory KvStore whose crash loses exactly the unsynced writes: a write with { sync: true } makes
// itself and every earlier write durable (as an fsync of RocksDB's write-ahead log does); crash() drops
// the rest. Reads see everything written (bytewise key order, atomic batches, like RocksStore).
import type { BatchOp, KvStore, RangeOptions, WriteOptions } from '../../../validator/infra/db/kv.ts'
import { compareBytes, fromHex, toHex } from '../../../core/bytes.ts'

export class SimStore implements KvStore {
  private live = new Map<string, Uint8Array>()
  private durable = new Map<string, Uint8Array>()
  private pending: BatchOp[] = []
  /** Writes lost by crashes so far (the invariants report it; a lost synced write would be a bug). */
  lost = 0

  async get(key: Uint8Array) { return this.live.get(toHex(key)) }
  async put(key: Uint8Array, value: Uint8Array, opts?: WriteOptions) { this.write([{ type: 'put', key, value }], opts) }
  async del(key: Uint8Array, opts?: WriteOptions) { this.write([{ type: 'del', key }], opts) }
  async batch(ops: readonly BatchOp[], opts?: WriteOptions) { this.write(ops, opts) }

  private write(ops: readonly BatchOp[], opts?: WriteOptions): void {
    const copy = ops.map((o): BatchOp => (o.type === 'put' ? { type: 'put', key: o.key.slice(), value: o.value.slice() } : { type: 'del', key: o.key.slice() }))
    apply(this.live, copy)
    this.pending.push(...copy)
    if (opts?.sync) { apply(this.durable, this.pending); this.pending = [] }
  }

  async *range(opts: RangeOptions): AsyncIterable<[Uint8Array, Uint8Array]> {
    let keys = [...this.live.keys()].map(fromHex)
      .filter((k) => (!opts.gte || compareBytes(k, opts.gte) >= 0) && (!opts.lt || compareBytes(k, opts.lt) < 0))
      .sort(compareBytes)
    if (opts.reverse) keys.reverse()
    if (opts.limit !== undefined && opts.limit >= 0) keys = keys.slice(0, opts.limit)
    for (const k of keys) { const v = this.live.get(toHex(k)); if (v) yield [k, v.slice()] }
  }

  async close() {}

  /** Power loss: everything not yet synced is gone. */
  crash(): void {
    this.lost += this.pending.length
    this.pending = []
    this.live = new Map(this.durable)
  }
}

function apply(m: Map<string, Uint8Array>, ops: readonly BatchOp[]): void {
  for (const o of ops) if (o.type === 'put') m.set(toHex(o.key), o.value); else m.delete(toHex(o.key))
}
