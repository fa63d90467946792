// Mempool: verified transactions waiting for a block, in lanes with their own budgets. The node's own
// duty txs and the validators' evaluations never compete with outsiders; outsiders compete by fee, then
// age, and the lowest is evicted when the lane is full. Fees are charged against what a sender already
// has pending, so credits and fee-waived slots are never promised twice. Proposals take txs by bytes,
// per sender in nonce order. `precheck` answers from a tx's unverified head, before its signature is checked.
import { AgoraError } from '../../core/errors.ts'
import type { SignedTx, VerifiedTx } from '../../ledger/txs.ts'
import type { TxHead } from './tx-verifier.ts'
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

/** What a tx pays: `fee` credits (its priority in the lane), or nothing from a fee-waived slot (`waived`). */
export interface Charge { readonly fee: bigint; readonly waived: boolean }
export const FREE: Charge = { fee: 0n, waived: false }

/** What is already pending for a tx's sender (all lanes): the next tx is charged on top of it. */
export interface Pending {
  /** Fees in credits the sender's pending txs will pay. */
  readonly fees: bigint
  /** The sender's pending txs that use a fee-waived slot. */
  readonly waived: number
  /** Pending txs of every sender that use a fee-waived slot. */
  readonly waivedTotal: number
}

export type Admission = { readonly ok: true; readonly evicted: readonly string[] } | { readonly ok: false; readonly error: MempoolError }

export interface MempoolOptions {
  readonly lanes?: Partial<Record<MempoolLane, Partial<LaneLimits>>>
}

export interface MempoolModules {
  /** Which lane a tx waits in; default `user`. */
  laneOf?(tx: TxHead): MempoolLane
  /**
   * From the ledger view, given what the sender has pending: what the tx pays, or why it can never apply
   * (stale nonce, fee unpaid). Asked at admission and again, for everything pending, in `prune`. Default FREE.
   */
  charge?(tx: TxHead, pending: Pending): Charge | Unappliable
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
  readonly waived: boolean
}

/** Where a tx would go, or why not (see `precheck`). */
type Plan = { readonly entry: Entry; readonly victims: readonly Entry[] } | { readonly error: MempoolError }

const isUnappliable = (r: Charge | Unappliable): r is Unappliable => 'code' in r

/** Length of a CBOR head for a byte string or text of `n` bytes (RFC 8949 §3). */
const cborHead = (n: number): number => (n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n < 0x100000000 ? 5 : 9)
/** The map head and its three text keys: `body`, `publicKey`, `signature` (canonical order, by length then bytes). */
const TX_MAP_OVERHEAD = 1 + (1 + 4) + (1 + 9) + (1 + 9)

/**
 * Bytes a tx takes inside an encoded block (its CBOR map `{body, publicKey, signature}` in the block's tx
 * array), from the three lengths: encoding a fat post only to measure it cost 0.25 ms, twice per admission.
 */
export const txWireBytes = (t: SignedTx): number =>
  TX_MAP_OVERHEAD + cborHead(t.body.length) + t.body.length + cborHead(t.publicKey.length) + t.publicKey.length + cborHead(t.signature.length) + t.signature.length

/** Higher priority first: lane, then fee (descending), then age (ascending). */
const before = (a: Entry, b: Entry): boolean =>
  LANE_RANK[a.lane] !== LANE_RANK[b.lane] ? LANE_RANK[a.lane] < LANE_RANK[b.lane] : a.fee !== b.fee ? a.fee > b.fee : a.seq < b.seq

export class Mempool {
  private readonly entries = new Map<string, Entry>()
  private readonly lanes: Record<MempoolLane, { limits: LaneLimits; txs: number; bytes: number }>
  private readonly senders = new Map<string, { txs: number; bytes: number }>() // key: lane|sender
  private readonly payers = new Map<string, { fees: bigint; waived: number }>() // key: sender
  private waivedTotal = 0
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

  /**
   * Whether a tx with this head would be admitted now, from its unverified head alone (cheap: no
   * signature check): the refusal `admit` would give, or undefined. Every refusal here is IGNORE.
   */
  precheck(head: TxHead): MempoolError | undefined {
    const p = this.plan(head)
    return 'error' in p ? p.error : undefined
  }

  /** Add a verified tx, evicting lower-priority outsiders if the user lane is full; or say why not. */
  admit(tx: VerifiedTx): Admission {
    const p = this.plan(tx)
    if ('error' in p) return { ok: false, error: p.error }
    for (const v of p.victims) this.remove(v.tx.id)
    this.insert({ ...p.entry, tx, seq: this.seq++ })
    return { ok: true, evicted: p.victims.map((v) => v.tx.id) }
  }

  /**
   * Drop what a decided block included, then whatever can no longer apply (`isStale`, else `charge`).
   * With `charge`, every pending tx is charged again in admission order against the new ledger state.
   */
  prune(includedIds: Iterable<string>, isStale?: (tx: VerifiedTx) => boolean): void {
    for (const id of includedIds) this.remove(id)
    if (isStale) {
      for (const [id, e] of [...this.entries]) if (isStale(e.tx)) this.remove(id)
      return
    }
    if (!this.m.charge) return
    // Charged again in admission order (Map order is insertion order: admit and this loop only append),
    // against fresh per-sender tallies; entries stay in place unless they can no longer apply.
    const charge = this.m.charge
    this.payers.clear()
    this.waivedTotal = 0
    const drop: string[] = []
    for (const e of this.entries.values()) {
      const c = charge(e.tx, this.pendingOf(e.tx.sender))
      if (isUnappliable(c)) { drop.push(e.tx.id); continue }
      if (c.fee !== e.fee || c.waived !== e.waived) this.entries.set(e.tx.id, { ...e, fee: c.fee, waived: c.waived })
      this.pay(e.tx.sender, c.fee, c.waived)
    }
    for (const id of drop) this.remove(id, false)
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

  private pendingOf(sender: string): Pending {
    const p = this.payers.get(sender)
    return { fees: p?.fees ?? 0n, waived: p?.waived ?? 0, waivedTotal: this.waivedTotal }
  }

  private plan(head: TxHead): Plan {
    const refuse = (code: MempoolErrorCode, msg: string, verdict: 'ignore' | 'reject' = 'ignore', ledgerCode?: string): Plan =>
      ({ error: new MempoolError(code, msg, verdict, ledgerCode) })
    if (this.entries.has(head.id)) return refuse(MempoolErrorCode.KNOWN, `tx ${head.id.slice(0, 12)} is already pending`)
    const c = this.m.charge?.(head, this.pendingOf(head.sender)) ?? FREE
    if (isUnappliable(c)) return refuse(MempoolErrorCode.CANNOT_APPLY, `tx ${head.id.slice(0, 12)} can never apply: ${c.code}`, c.verdict, c.code)
    const e: Entry = { tx: head as VerifiedTx, bytes: txWireBytes(head.signed), seq: this.seq, lane: this.m.laneOf?.(head) ?? 'user', fee: c.fee, waived: c.waived }
    const lane = this.lanes[e.lane]
    const s = this.senders.get(`${e.lane}|${head.sender}`) ?? { txs: 0, bytes: 0 }
    if (s.txs + 1 > lane.limits.perSenderTxs || s.bytes + e.bytes > lane.limits.perSenderBytes) {
      return refuse(MempoolErrorCode.SENDER_QUOTA, `sender ${head.sender} has ${s.txs} txs (${s.bytes} bytes) pending in the ${e.lane} lane`)
    }
    if (lane.txs + 1 <= lane.limits.maxTxs && lane.bytes + e.bytes <= lane.limits.maxBytes) return { entry: e, victims: [] }
    const victims = e.lane === 'user' ? this.victimsFor(e) : undefined
    return victims ? { entry: e, victims } : refuse(MempoolErrorCode.FULL, `the ${e.lane} lane is full (${lane.txs} txs, ${lane.bytes} bytes)`)
  }

  private insert(e: Entry): void {
    this.entries.set(e.tx.id, e)
    const lane = this.lanes[e.lane]
    lane.txs++
    lane.bytes += e.bytes
    const k = `${e.lane}|${e.tx.sender}`
    const s = this.senders.get(k) ?? { txs: 0, bytes: 0 }
    this.senders.set(k, { txs: s.txs + 1, bytes: s.bytes + e.bytes })
    this.pay(e.tx.sender, e.fee, e.waived)
  }

  /** Count a pending tx's charge against its sender and the waived total. */
  private pay(sender: string, fee: bigint, waived: boolean): void {
    if (fee === 0n && !waived) return
    const p = this.payers.get(sender)
    this.payers.set(sender, { fees: (p?.fees ?? 0n) + fee, waived: (p?.waived ?? 0) + (waived ? 1 : 0) })
    if (waived) this.waivedTotal++
  }

  /** `charged`: false when the entry's charge was not counted (prune drops it before paying). */
  private remove(id: string, charged = true): void {
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
    if (!charged) return
    const p = this.payers.get(e.tx.sender) ?? { fees: 0n, waived: 0 }
    const left = { fees: p.fees - e.fee, waived: p.waived - (e.waived ? 1 : 0) }
    if (left.fees === 0n && left.waived === 0) this.payers.delete(e.tx.sender)
    else this.payers.set(e.tx.sender, left)
    if (e.waived) this.waivedTotal--
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
