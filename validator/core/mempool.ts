// Mempool: verified transactions waiting for a block, plus the payload bytes of pending submissions.
// Per sender, transactions leave in nonce order so out-of-order gossip arrival does not fail them.
import type { VerifiedTx } from '../../ledger/txs.ts'

export const MAX_MEMPOOL_TXS = 20_000
export const MAX_BLOCK_TXS = 2_000

export class Mempool {
  private readonly txs = new Map<string, VerifiedTx>()
  private readonly arrival = new Map<string, number>()
  private seq = 0

  get size(): number { return this.txs.size }
  has(id: string): boolean { return this.txs.has(id) }

  /** Add a verified tx; false if it is known or the pool is full. */
  add(tx: VerifiedTx): boolean {
    if (this.txs.has(tx.id) || this.txs.size >= MAX_MEMPOOL_TXS) return false
    this.txs.set(tx.id, tx)
    this.arrival.set(tx.id, this.seq++)
    return true
  }

  /** Drop what a decided block included (and anything now stale, via `isStale`). */
  prune(includedIds: Iterable<string>, isStale?: (tx: VerifiedTx) => boolean): void {
    for (const id of includedIds) { this.txs.delete(id); this.arrival.delete(id) }
    if (isStale) for (const [id, tx] of this.txs) if (isStale(tx)) { this.txs.delete(id); this.arrival.delete(id) }
  }

  /**
   * Up to `max` transactions for a proposal: senders in order of their oldest waiting tx, each sender's
   * txs in nonce order.
   */
  select(max = MAX_BLOCK_TXS): VerifiedTx[] {
    const bySender = new Map<string, VerifiedTx[]>()
    for (const tx of this.txs.values()) {
      const l = bySender.get(tx.sender) ?? []
      l.push(tx)
      bySender.set(tx.sender, l)
    }
    const queues = [...bySender.values()].map((l) => l.sort((a, b) => a.nonce - b.nonce || (a.id < b.id ? -1 : 1)))
    queues.sort((a, b) => Math.min(...a.map((t) => this.arrival.get(t.id)!)) - Math.min(...b.map((t) => this.arrival.get(t.id)!)))
    const out: VerifiedTx[] = []
    // Round-robin across senders so one busy sender cannot fill a block.
    for (let i = 0; out.length < max; i++) {
      let any = false
      for (const q of queues) if (i < q.length && out.length < max) { out.push(q[i]!); any = true }
      if (!any) break
    }
    return out
  }
}
