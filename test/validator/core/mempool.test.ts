// The mempool's budget: lanes bounded in count and bytes, a quota per sender, outsiders evicted by
// priority (fee, then age) but never our own duty txs, and proposals bounded by bytes in nonce order.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { encode } from '../../../core/encoding.ts'
import { FREE, Mempool, MempoolErrorCode, txWireBytes, type MempoolLane } from '../../../validator/core/mempool.ts'
import type { VerifiedTx } from '../../../ledger/txs.ts'
import type { TxHead } from '../../../validator/core/tx-verifier.ts'

let counter = 0
function fakeTx(sender: string, nonce: number, size: number, extra: Record<string, unknown> = {}): VerifiedTx {
  const id = (counter++).toString(16).padStart(64, '0')
  return { id, sender, nonce, tx: { type: 'Post', ...extra } as never, signed: { body: new Uint8Array(size), publicKey: new Uint8Array(32), signature: new Uint8Array(64) } }
}

const SELF = 'self'
const laneOf = (t: TxHead): MempoolLane => (t.sender === SELF ? 'own' : t.sender.startsWith('val') ? 'duty' : 'user')
const feeOf = (t: TxHead): bigint => BigInt((t.tx as { fee?: number }).fee ?? 0)
const charge = (t: TxHead) => ({ fee: feeOf(t), waived: false })
const small = { own: { maxTxs: 6, maxBytes: 4_000 }, duty: { maxTxs: 6, maxBytes: 4_000, perSenderTxs: 3 }, user: { maxTxs: 10, maxBytes: 6_000, perSenderTxs: 4, perSenderBytes: 2_500 } }

describe('mempool budget', () => {
  it('refuses a sender over its quota, a full lane of equal fees, and evicts the lowest fee for a higher one', () => {
    const pool = new Mempool({ lanes: small }, { laneOf, charge })
    for (let n = 0; n < 4; n++) expect(pool.add(fakeTx('alice', n, 100))).toBe(true)
    const over = pool.admit(fakeTx('alice', 9, 100))
    expect(over.ok ? undefined : [over.error.code, over.error.verdict]).toEqual([MempoolErrorCode.SENDER_QUOTA, 'ignore'])
    for (let i = 0; i < 6; i++) expect(pool.add(fakeTx(`u${i}`, 0, 100))).toBe(true)
    const full = pool.admit(fakeTx('late', 0, 100))
    expect(full.ok ? undefined : full.error.code).toBe(MempoolErrorCode.FULL)
    const rich = fakeTx('rich', 0, 100, { fee: 5 })
    const r = pool.admit(rich)
    expect(r.ok && r.evicted.length).toBe(1)
    expect(pool.has(rich.id)).toBe(true)
    expect(pool.laneUsage('user').txs).toBe(10)
  })

  it('keeps the duty lane for its owners: a full user lane never refuses our own tx', () => {
    const pool = new Mempool({ lanes: small }, { laneOf, charge })
    for (let i = 0; i < 10; i++) expect(pool.add(fakeTx(`spam${i}`, 0, 400, { fee: 100 }))).toBe(true)
    expect(pool.admit(fakeTx('spam-late', 0, 100, { fee: 1 })).ok).toBe(false)
    const own = fakeTx(SELF, 1, 100)
    expect(pool.admit(own).ok).toBe(true)
    expect(pool.select({ maxBytes: txWireBytes(own.signed) })[0]?.id).toBe(own.id)
  })

  it('refuses at admission and prunes after a block what the ledger says can never apply', () => {
    let lastNonce = 5
    const pool = new Mempool({}, { charge: (t) => (t.nonce <= lastNonce ? { code: 'STALE_NONCE', verdict: 'ignore' } as const : FREE) })
    const stale = pool.admit(fakeTx('bob', 3, 10))
    expect(stale.ok ? undefined : [stale.error.code, stale.error.ledgerCode]).toEqual([MempoolErrorCode.CANNOT_APPLY, 'STALE_NONCE'])
    const later = fakeTx('bob', 7, 10)
    expect(pool.add(later)).toBe(true)
    lastNonce = 7
    pool.prune([])
    expect(pool.has(later.id)).toBe(false)
  })

  it('selects by bytes: a proposal never exceeds maxBytes', () => {
    const pool = new Mempool()
    for (let i = 0; i < 50; i++) pool.add(fakeTx(`s${i}`, 0, 4_000))
    const one = txWireBytes(fakeTx('x', 0, 4_000).signed)
    const picked = pool.select({ maxBytes: 10 * one + one - 1 })
    expect(picked.length).toBe(10)
  })
})

type Cmd =
  | { kind: 'add'; sender: number; nonce: number; size: number; fee: number }
  | { kind: 'prune'; count: number }
  | { kind: 'select'; maxBytes: number }

const senderName = (i: number) => (i === 0 ? SELF : i < 3 ? `val${i}` : `user${i}`)
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('add' as const), sender: fc.integer({ min: 0, max: 9 }), nonce: fc.integer({ min: 0, max: 50 }), size: fc.integer({ min: 1, max: 1_500 }), fee: fc.integer({ min: 0, max: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('prune' as const), count: fc.integer({ min: 0, max: 5 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('select' as const), maxBytes: fc.integer({ min: 0, max: 8_000 }) }) },
)

describe('mempool invariants (property)', () => {
  it('bounds hold, own txs survive outsiders, select respects maxBytes and nonce order', () => {
    fc.assert(fc.property(fc.array(cmdArb, { maxLength: 120 }), (cmds) => {
      const pool = new Mempool({ lanes: small }, { laneOf, charge })
      const pending = new Map<string, VerifiedTx>()
      for (const c of cmds) {
        if (c.kind === 'add') {
          const tx = fakeTx(senderName(c.sender), c.nonce, c.size, { fee: c.fee })
          const ownBefore = [...pending.values()].filter((t) => t.sender === SELF)
          const r = pool.admit(tx)
          if (r.ok) {
            pending.set(tx.id, tx)
            for (const id of r.evicted) {
              const victim = pending.get(id)!
              expect(laneOf(victim)).toBe('user') // only outsiders are ever evicted
              expect(feeOf(victim) <= feeOf(tx)).toBe(true)
              pending.delete(id)
            }
          }
          if (laneOf(tx) === 'user') for (const o of ownBefore) expect(pool.has(o.id)).toBe(true)
        } else if (c.kind === 'prune') {
          const ids = [...pending.keys()].slice(0, c.count)
          pool.prune(ids)
          for (const id of ids) pending.delete(id)
        } else {
          const picked = pool.select({ maxBytes: c.maxBytes })
          expect(picked.reduce((s, t) => s + txWireBytes(t.signed), 0)).toBeLessThanOrEqual(c.maxBytes)
          const last = new Map<string, number>()
          for (const t of picked) {
            expect(pending.has(t.id)).toBe(true)
            expect(t.nonce).toBeGreaterThanOrEqual(last.get(t.sender) ?? -1)
            last.set(t.sender, t.nonce)
          }
        }
        expect(pool.size).toBe(pending.size)
        for (const lane of ['own', 'duty', 'user'] as const) {
          const u = pool.laneUsage(lane)
          const lim = { ...small[lane] }
          expect(u.txs).toBeLessThanOrEqual(lim.maxTxs)
          expect(u.bytes).toBeLessThanOrEqual(lim.maxBytes)
          const mine = [...pending.values()].filter((t) => laneOf(t) === lane)
          expect(mine.length).toBe(u.txs)
          expect(mine.reduce((s, t) => s + txWireBytes(t.signed), 0)).toBe(u.bytes)
        }
        const perSender = new Map<string, number>()
        for (const t of pending.values()) if (laneOf(t) === 'user') perSender.set(t.sender, (perSender.get(t.sender) ?? 0) + 1)
        for (const n of perSender.values()) expect(n).toBeLessThanOrEqual(small.user.perSenderTxs)
      }
    }), { numRuns: 200 })
  })
})

describe('txWireBytes', () => {
  it('is the length of the tx encoded as in a block, at every CBOR length boundary (property)', () => {
    const sizes = fc.oneof(fc.integer({ min: 0, max: 70_000 }), fc.constantFrom(0, 23, 24, 255, 256, 65_535, 65_536))
    fc.assert(fc.property(sizes, fc.constantFrom(0, 31, 32), fc.constantFrom(63, 64), (body, key, sig) => {
      const t = { body: new Uint8Array(body), publicKey: new Uint8Array(key), signature: new Uint8Array(sig) }
      expect(txWireBytes(t)).toBe(encode(t).length)
    }), { numRuns: 200 })
  })
})
