// Mempool: verified transactions waiting for a block, in lanes with their own budgets. The node's own
// duty txs and the validators' evaluations never compete with outsiders; outsiders compete by fee, then
// age, and the lowest is evicted when the lane is full. Proposals take txs by bytes, per sender in nonce order.
import { encode } from '../../core/encoding.ts'
import { AgoraError } from '../../core/errors.ts'
import type { SignedTx, VerifiedTx } from '../../ledger/txs.ts'
import {
  MAX_PROPOSAL_TXS, MEMPOOL_DUTY_MAX_BYTES, MEMPOOL_DUTY_MAX_TXS, MEMPOOL_MAX_BYTES, MEMPOOL_MAX_BYTES_PER_SENDER,
  MEMPOOL_MAX_TXS, MEMPOOL_MAX_TXS_PER_SENDER,
} from './limits.ts'

/** Kept for callers of the first version: the outsider lane's count and a proposal's tx count. */
export const MAX_MEMPOOL_TXS = MEMPOOL_MAX_TXS
export const MAX_BLOCK_TXS = MAX_PROPOSAL_TXS

/** `own`: signed by this node; `duty`: another validator's duty tx; `user`: everybody else. */
export type MempoolLane = 'own' | 'duty' | 'user'
const LANE_RANK: Record<MempoolLane, number> = { own: 0, duty: 1, user: 2 }

export interface LaneLimits {
  readonly maxTxs: number
  readonly maxBytes: number
  readonly perSenderTxs: number
  readonly perSenderBytes: number
}

/** Our own duty txs are few per slot; their lane only guards against a bug flooding it. */
export const DEFAULT_LANE_LIMITS: Readonly<Record<MempoolLane, LaneLimits>> = {
  own: { maxTxs: MEMPOOL_DUTY_MAX_TXS, maxBytes: MEMPOOL_DUTY_MAX_BYTES, perSenderTxs: MEMPOOL_DUTY_MAX_TXS, perSenderBytes: MEMPOOL_DUTY_MAX_BYTES },
  duty: { maxTxs: MEMPOOL_DUTY_MAX_TXS, maxBytes: MEMPOOL_DUTY_MAX_BYTES, perSenderTxs: MEMPOOL_DUTY_MAX_TXS / 4, perSenderBytes: MEMPOOL_DUTY_MAX_BYTES / 4 },
  user: { maxTxs: MEMPOOL_MAX_TXS, maxBytes: MEMPOOL_MAX_BYTES, perSenderTxs: MEMPOOL_MAX_TXS_PER_SENDER, perSenderBytes: MEMPOOL_MAX_BYTES_PER_SENDER },
}

export const MempoolErrorCode = {
  /** Already pending. */
  KNOWN: 'MEMPOOL_KNOWN',
  /** The sender's share of its lane is used up. */
  SENDER_QUOTA: 'MEMPOOL_SENDER_QUOTA',
  /** The lane is full of txs of at least this priority. */
  FULL: 'MEMPOOL_FULL',
  /** The ledger says the tx can never apply (stale nonce, no credits, unknown target). */
  CANNOT_APPLY: 'MEMPOOL_CANNOT_APPLY',
} as const
export type MempoolErrorCode = (typeof MempoolErrorCode)[keyof typeof MempoolErrorCode]

/** A refusal; `verdict` is what gossip answers (a full pool is our state, not the sender's fault). */
export class MempoolError extends AgoraError {
  declare readonly code: MempoolErrorCode
  constructor(code: MempoolErrorCode, message: string, readonly verdict: 'ignore' | 'reject' = 'ignore', readonly ledgerCode?: string) {
    super(code, message)
    this.name = 'MempoolError'
  }
}

/** Why the ledger would never apply a tx (its own code), and whether that is the sender's fault. */
export interface Unappliable { readonly code: string; readonly verdict: 'ignore' | 'reject' }

export type Admission = { readonly ok: true; readonly evicted: readonly string[] } | { readonly ok: false; readonly error: MempoolError }

export interface MempoolOptions {
  readonly lanes?: Partial<Record<MempoolLane, Partial<LaneLimits>>>
}

export interface MempoolModules {
  /** Which lane a tx waits in; default `user`. */
  laneOf?(tx: VerifiedTx): MempoolLane
  /** The fee a tx pays (its priority within the lane); default 0. */
  feeOf?(tx: VerifiedTx): bigint
  /** From the ledger view: why the tx can never apply, or undefined. Checked at admission and in `prune`. */
  cannotApply?(tx: VerifiedTx): Unappliable | undefined
}

export interface SelectLimits {
  /** Sum of `txWireBytes` of the selected txs stays at or below this. */
  readonly maxBytes?: number
  readonly maxTxs?: number
}

interface Entry {
  readonly tx: VerifiedTx
  readonly bytes: number
  readonly seq: number
  readonly lane: MempoolLane
  readonly fee: bigint
}

/** Bytes a tx takes inside an encoded block (its CBOR map in the block's tx array). */
export const txWireBytes = (t: SignedTx): number => encode({ body: t.body, publicKey: t.publicKey, signature: t.signature }).length

/** Higher priority first: lane, then fee (descending), then age (ascending). */
const before = (a: Entry, b: Entry): boolean =>
  LANE_RANK[a.lane] !== LANE_RANK[b.lane] ? LANE_RANK[a.lane] < LANE_RANK[b.lane] : a.fee !== b.fee ? a.fee > b.fee : a.seq < b.seq

export class Mempool {
  private readonly entries = new Map<string, Entry>()
  private readonly lanes: Record<MempoolLane, { limits: LaneLimits; txs: number; bytes: number }>
  private readonly senders = new Map<string, { txs: number; bytes: number }>() // key: lane|sender
  private seq = 0

  constructor(opts: MempoolOptions = {}, private readonly m: MempoolModules = {}) {
    const lane = (l: MempoolLane) => ({ limits: { ...DEFAULT_LANE_LIMITS[l], ...opts.lanes?.[l] }, txs: 0, bytes: 0 })
    this.lanes = { own: lane('own'), duty: lane('duty'), user: lane('user') }
  }

  get size(): number { return this.entries.size }
  /** Bytes waiting, all lanes. */
  get bytes(): number { return this.lanes.own.bytes + this.lanes.duty.bytes + this.lanes.user.bytes }
  has(id: string): boolean { return this.entries.has(id) }
  laneUsage(lane: MempoolLane): { readonly txs: number; readonly bytes: number } {
    return { txs: this.lanes[lane].txs, bytes: this.lanes[lane].bytes }
  }

  /** Add a verified tx; false if refused (see `admit` for why). */
  add(tx: VerifiedTx): boolean { return this.admit(tx).ok }

  /** Add a verified tx, evicting lower-priority outsiders if the user lane is full; or say why not. */
  admit(tx: VerifiedTx): Admission {
    const refuse = (code: MempoolErrorCode, msg: string, verdict: 'ignore' | 'reject' = 'ignore', ledgerCode?: string): Admission =>
      ({ ok: false, error: new MempoolError(code, msg, verdict, ledgerCode) })
    if (this.entries.has(tx.id)) return refuse(MempoolErrorCode.KNOWN, `tx ${tx.id.slice(0, 12)} is already pending`)
    const never = this.m.cannotApply?.(tx)
    if (never) return refuse(MempoolErrorCode.CANNOT_APPLY, `tx ${tx.id.slice(0, 12)} can never apply: ${never.code}`, never.verdict, never.code)
    const e: Entry = { tx, bytes: txWireBytes(tx.signed), seq: this.seq++, lane: this.m.laneOf?.(tx) ?? 'user', fee: this.m.feeOf?.(tx) ?? 0n }
    const lane = this.lanes[e.lane]
    const s = this.senders.get(`${e.lane}|${tx.sender}`) ?? { txs: 0, bytes: 0 }
    if (s.txs + 1 > lane.limits.perSenderTxs || s.bytes + e.bytes > lane.limits.perSenderBytes) {
      return refuse(MempoolErrorCode.SENDER_QUOTA, `sender ${tx.sender} has ${s.txs} txs (${s.bytes} bytes) pending in the ${e.lane} lane`)
    }
    const evicted: string[] = []
    if (lane.txs + 1 > lane.limits.maxTxs || lane.bytes + e.bytes > lane.limits.maxBytes) {
      const victims = e.lane === 'user' ? this.victimsFor(e) : undefined
      if (!victims) return refuse(MempoolErrorCode.FULL, `the ${e.lane} lane is full (${lane.txs} txs, ${lane.bytes} bytes)`)
      for (const v of victims) { this.remove(v.tx.id); evicted.push(v.tx.id) }
    }
    this.entries.set(tx.id, e)
    lane.txs++
    lane.bytes += e.bytes
    this.senders.set(`${e.lane}|${tx.sender}`, { txs: s.txs + 1, bytes: s.bytes + e.bytes })
    return { ok: true, evicted }
  }

  /** Drop what a decided block included, then whatever can no longer apply (`isStale`, else `cannotApply`). */
  prune(includedIds: Iterable<string>, isStale?: (tx: VerifiedTx) => boolean): void {
    for (const id of includedIds) this.remove(id)
    const stale = isStale ?? (this.m.cannotApply ? (t: VerifiedTx) => this.m.cannotApply!(t) !== undefined : undefined)
    if (stale) for (const [id, e] of [...this.entries]) if (stale(e.tx)) this.remove(id)
  }

  /**
   * Transactions for a proposal: best lane, fee and age first, each sender's txs in nonce order, their
   * wire bytes summing to at most `maxBytes`. A sender whose next tx does not fit waits for the next block
   * (taking a later nonce instead would make the skipped one stale).
   */
  select(limit: number | SelectLimits = {}): VerifiedTx[] {
    const { maxTxs = MAX_PROPOSAL_TXS, maxBytes = Number.POSITIVE_INFINITY } = typeof limit === 'number' ? { maxTxs: limit } : limit
    const bySender = new Map<string, Entry[]>()
    for (const e of this.entries.values()) {
      const l = bySender.get(e.tx.sender)
      if (l) l.push(e); else bySender.set(e.tx.sender, [e])
    }
    const heap = new SenderHeap()
    for (const l of bySender.values()) {
      l.sort((a, b) => a.tx.nonce - b.tx.nonce || (a.tx.id < b.tx.id ? -1 : 1))
      heap.push({ queue: l, at: 0 })
    }
    const out: VerifiedTx[] = []
    let bytes = 0
    for (let q = heap.pop(); q && out.length < maxTxs; q = heap.pop()) {
      const e = q.queue[q.at]!
      if (bytes + e.bytes > maxBytes) continue
      out.push(e.tx)
      bytes += e.bytes
      if (++q.at < q.queue.length) heap.push(q)
    }
    return out
  }

  private remove(id: string): void {
    const e = this.entries.get(id)
    if (!e) return
    this.entries.delete(id)
    const lane = this.lanes[e.lane]
    lane.txs--
    lane.bytes -= e.bytes
    const k = `${e.lane}|${e.tx.sender}`
    const s = this.senders.get(k)!
    if (s.txs === 1) this.senders.delete(k)
    else this.senders.set(k, { txs: s.txs - 1, bytes: s.bytes - e.bytes })
  }

  /** The lowest user-lane entries whose removal makes room for `e`, all strictly below it; else undefined. */
  private victimsFor(e: Entry): Entry[] | undefined {
    const lane = this.lanes.user
    let lowest: Entry | undefined
    for (const x of this.entries.values()) if (x.lane === 'user' && (!lowest || before(lowest, x))) lowest = x
    if (!lowest || !before(e, lowest)) return undefined // cheap common case under spam: nothing to win
    const ranked = [...this.entries.values()].filter((x) => x.lane === 'user').sort((a, b) => (before(a, b) ? 1 : -1))
    const out: Entry[] = []
    let txs = lane.txs
    let bytes = lane.bytes
    for (const x of ranked) {
      if (txs + 1 <= lane.limits.maxTxs && bytes + e.bytes <= lane.limits.maxBytes) break
      if (!before(e, x)) return undefined
      out.push(x)
      txs--
      bytes -= x.bytes
    }
    return txs + 1 <= lane.limits.maxTxs && bytes + e.bytes <= lane.limits.maxBytes ? out : undefined
  }
}

interface SenderQueue { readonly queue: readonly Entry[]; at: number }

/** Binary heap of sender queues by the priority of their next tx. */
class SenderHeap {
  private readonly h: SenderQueue[] = []
  private less(i: number, j: number): boolean { return before(this.h[i]!.queue[this.h[i]!.at]!, this.h[j]!.queue[this.h[j]!.at]!) }
  private swap(i: number, j: number): void { const t = this.h[i]!; this.h[i] = this.h[j]!; this.h[j] = t }
  push(q: SenderQueue): void {
    this.h.push(q)
    for (let i = this.h.length - 1; i > 0;) {
      const p = (i - 1) >> 1
      if (!this.less(i, p)) break
      this.swap(i, p)
      i = p
    }
  }
  pop(): SenderQueue | undefined {
    const top = this.h[0]
    const last = this.h.pop()
    if (!top || !last || this.h.length === 0) return top
    this.h[0] = last
    for (let i = 0; ;) {
      const l = 2 * i + 1, r = l + 1
      let m = i
      if (l < this.h.length && this.less(l, m)) m = l
      if (r < this.h.length && this.less(r, m)) m = r
      if (m === i) break
      this.swap(i, m)
      i = m
    }
    return top
  }
}
