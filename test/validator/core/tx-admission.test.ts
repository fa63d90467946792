// Gossip tx admission under spam: cheap checks before the signature. Fresh keys with no credits get at
// most the epoch's fee-waived slots (counting what is already pending), everything past them is IGNORE
// TX_FEE_UNPAID without an ed25519 verification; bad bytes are REJECT before any verification.
import { describe, expect, it } from 'vitest'
import { encode } from '../../../core/encoding.ts'
import { fromHex } from '../../../core/bytes.ts'
import type { SignedTx } from '../../../ledger/txs.ts'
import { TxErrorCode } from '../../../ledger/admission.ts'
import type { GossipEnvelope } from '../../../validator/infra/p2p/envelope.ts'
import type { ContentVerdict } from '../../../validator/infra/p2p/gossip.ts'
import type { Metrics } from '../../../validator/infra/metrics/metrics.ts'
import type { Fetcher } from '../../../validator/core/fetcher.ts'
import { createTxAdmission } from '../../../validator/core/tx-admission.ts'
import { createMempool } from '../../../validator/core/mempool-policy.ts'
import { MempoolErrorCode } from '../../../validator/core/mempool.ts'
import { createTxVerifier, txHead, type TxVerifier } from '../../../validator/core/tx-verifier.ts'
import { fatPost } from '../../helpers/spam-load.ts'
import { chain, ids, keys } from '../../ledger/chain.ts'
import { signTx, txIdOf } from '../../../ledger/txs.ts'
import { userPostId } from '../../../ledger/ids.ts'

const env = (payload: unknown): GossipEnvelope => ({ payload: encode(payload) }) as unknown as GossipEnvelope
const signed = (p: ReturnType<typeof fatPost>): SignedTx =>
  ({ body: new Uint8Array(Buffer.from(p.tx.body, 'base64')), publicKey: fromHex(p.tx.publicKey.slice(2)), signature: fromHex(p.tx.signature.slice(2)) })

const FREE_PER_EPOCH = 6
const FREE_PER_SENDER = 2

function rig() {
  const c = chain({ balances: ['100', '100', '100', '100', '10'], credits: ['0', '0', '0', '0', '0.0025'], params: { freeTxsPerEpoch: FREE_PER_EPOCH, freeTxsPerSender: FREE_PER_SENDER } })
  const inner = createTxVerifier()
  let verifications = 0, heads = 0
  const verifier: TxVerifier = { head: (t) => { heads++; return inner.head(t) }, verified: (t) => { verifications++; return inner.verified(t) } }
  const metrics = { txRefused: { inc() {} }, mempoolTxs: { set() {} } } as unknown as Metrics
  const validators = new Set(ids.slice(0, 4))
  const mempool = createMempool({ self: ids[0]!, ledger: c.s, isValidator: (m) => validators.has(m) })
  const a = createTxAdmission({ ledger: c.s, mempool, verifier, fetcher: { remember() {} } as unknown as Fetcher, modules: { remember: () => true }, metrics, isValidator: (m) => validators.has(m) })
  const forum = a.handler('forum')
  // As gossip does: one envelope object through validate, then onMessage when accepted.
  const verdict = (t: SignedTx) => {
    const e = env({ tx: t })
    const r = forum.validate!(e, {} as never) as 'accept' | ContentVerdict
    if (r === 'accept') forum.onMessage(e, {} as never)
    return r
  }
  return { c, mempool, forum, verdict, verifications: () => verifications, heads: () => heads }
}

describe('gossip tx admission: cheap checks first', () => {
  it('a burst from fresh keys fills only the free quota; the rest is IGNORE TX_FEE_UNPAID, never verified', () => {
    const { mempool, verdict, verifications } = rig()
    const posts = Array.from({ length: 16 }, (_, i) => signed(fatPost(`adm-${i}`, 1)))
    const verdicts = posts.map(verdict)
    expect(verdicts.filter((v) => v === 'accept').length).toBe(FREE_PER_EPOCH)
    expect(new Set(verdicts.map((v) => (v === 'accept' ? v : `${v.verdict}:${v.code}`)))).toEqual(new Set(['accept', `ignore:${TxErrorCode.FEE_UNPAID}`]))
    expect(mempool.size).toBe(FREE_PER_EPOCH)
    // Each admitted post is verified once, by validate (onMessage reuses what validate admitted).
    expect(verifications()).toBe(FREE_PER_EPOCH)
  })

  it('one fresh key gets its per-sender free slots, then IGNORE; a sender with credits pays for as many as it can', () => {
    const { verdict, verifications } = rig()
    const mine = Array.from({ length: 4 }, (_, n) => signed(fatPost('adm-one', 10 + n)))
    expect(mine.map(verdict).map((v) => (v === 'accept' ? v : v.code))).toEqual(['accept', 'accept', TxErrorCode.FEE_UNPAID, TxErrorCode.FEE_UNPAID])
    expect(verifications()).toBe(FREE_PER_SENDER)
    // Key 4 has credits for two post fees (2.5 × 1,000,000), then two free slots, then nothing.
    const c = rig()
    expect(c.c.s.forum.accounts.get(ids[4] as never)?.credits).toBe(5n * BigInt(c.c.s.forum.params.postFee) / 2n)
    const txs = [1, 2, 3, 4, 5].map((nonce) => signTx(keys[4]!.ed25519Seed, keys[4]!.ed25519PublicKey,
      { type: 'Post', sender: ids[4], nonce, id: userPostId(ids[4]!, nonce), authors: { [ids[4]!]: 1_000_000 }, citations: {} }))
    expect(txs.map(c.verdict).map((v) => (v === 'accept' ? v : v.code))).toEqual(['accept', 'accept', 'accept', 'accept', TxErrorCode.FEE_UNPAID])
  })

  it('through gossip (precheck, validate, onMessage on one envelope) a post is decoded to its head once and verified once', () => {
    const { mempool, forum, verifications, heads } = rig()
    const e = env({ tx: signed(fatPost('adm-once', 1)) })
    expect(forum.precheck!(e)).toBeUndefined()
    expect(forum.validate!(e, {} as never)).toBe('accept')
    forum.onMessage(e, {} as never)
    expect([heads(), verifications(), mempool.size]).toEqual([1, 1, 1])
  })

  it('after a block, everything pending is charged again: waived txs past the slots the block used are dropped', () => {
    const { c, mempool, verdict } = rig()
    for (let i = 0; i < FREE_PER_EPOCH; i++) expect(verdict(signed(fatPost(`adm-pend-${i}`, 1)))).toBe('accept')
    // Another proposer's block spends 4 of the epoch's fee-waived slots on txs we never had.
    const r = c.apply(1, Array.from({ length: 4 }, (_, i) => signed(fatPost(`adm-else-${i}`, 1))))
    expect(r.outcomes.every((o) => o.ok)).toBe(true)
    mempool.prune([])
    expect(mempool.size).toBe(FREE_PER_EPOCH - 4)
  })

  it('a tx already pending, or with a used nonce, is IGNORE before its signature is checked', () => {
    const { c, mempool, verdict, verifications } = rig()
    const p = signed(fatPost('adm-dup', 1))
    expect(verdict(p)).toBe('accept')
    const before = verifications()
    expect(verdict({ ...p, signature: new Uint8Array(64) })).toEqual({ verdict: 'ignore', code: MempoolErrorCode.KNOWN })
    c.apply(1, [p])
    mempool.prune([txIdOf(p)])
    expect(verdict(signed(fatPost('adm-dup', 1)))).toEqual({ verdict: 'ignore', code: TxErrorCode.STALE_NONCE })
    expect(verifications()).toBe(before)
  })

  it('bytes that can never be a tx are REJECT before any verification: oversize, not a map, sender not the key', () => {
    const { verdict, verifications } = rig()
    const p = signed(fatPost('adm-bad', 1))
    expect(verdict({ ...p, body: new Uint8Array(64 * 1024 + 1) })).toEqual({ verdict: 'reject', code: 'MALFORMED' })
    expect(verdict({ ...p, body: encode([1, 2, 3]) })).toEqual({ verdict: 'reject', code: 'MALFORMED' })
    expect(verdict({ ...p, publicKey: keys[4]!.ed25519PublicKey })).toEqual({ verdict: 'reject', code: 'BAD_SIGNATURE' })
    expect(verdict({ ...p, publicKey: new Uint8Array(31) })).toEqual({ verdict: 'reject', code: 'BAD_SIGNATURE' })
    expect(() => txHead({ ...p, body: encode({ type: 'Post', sender: 'x', nonce: -1 }) })).toThrow(/type, sender and nonce/)
    expect(verifications()).toBe(0)
  })
})
