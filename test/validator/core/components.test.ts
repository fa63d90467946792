// Core components without libp2p: gossip tx admission answers each refusal with its verdict and code
// (and counts it), block header rules throw a typed BlockError per code, health turns not-ready and
// not-live on a stall, and the largest report fits the batch size limits.ts assumes.
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../../core/clock.ts'
import { cidOfBytes, encode } from '../../../core/encoding.ts'
import { utf8 } from '../../../core/bytes.ts'
import { checkBlock, BlockErrorCode, type Block } from '../../../ledger/block.ts'
import type { GossipEnvelope } from '../../../validator/infra/p2p/envelope.ts'
import type { Metrics } from '../../../validator/infra/metrics/metrics.ts'
import { createTxAdmission, type TxTopicKind } from '../../../validator/core/tx-admission.ts'
import { createMempool } from '../../../validator/core/mempool-policy.ts'
import { MempoolErrorCode } from '../../../validator/core/mempool.ts'
import { createTxVerifier } from '../../../validator/core/tx-verifier.ts'
import { createHealth } from '../../../validator/core/health.ts'
import { Schedule } from '../../../validator/core/scheduler.ts'
import { BEHIND_SLOTS, MAX_REPORT_BYTES, STALL_SLOTS } from '../../../validator/core/limits.ts'
import type { Fetcher } from '../../../validator/core/fetcher.ts'
import type { DoppelgangerGuard } from '../../../validator/core/doppelganger.ts'
import type { Genesis } from '../../../ledger/genesis.ts'
import { chain, ids } from '../../ledger/chain.ts'
import { TxErrorCode } from '../../../ledger/admission.ts'

const env = (payload: unknown): GossipEnvelope => ({ payload: encode(payload) }) as unknown as GossipEnvelope
const strip = ({ body, publicKey, signature }: { body: Uint8Array; publicKey: Uint8Array; signature: Uint8Array }) => ({ body, publicKey, signature })

function admissionRig() {
  const c = chain({ balances: ['100', '100', '100', '100', '10'], credits: ['0', '0', '0', '0', '1000'] })
  const refused: string[] = []
  const metrics = { txRefused: { inc: (l: { topic: string; code: string }) => refused.push(`${l.topic}:${l.code}`) }, mempoolTxs: { set() {} } } as unknown as Metrics
  const validators = new Set(ids.slice(0, 4))
  const mempool = createMempool({ self: ids[0]!, ledger: c.s, isValidator: (m) => validators.has(m) })
  const fetcher = { remember() {} } as unknown as Fetcher
  const a = createTxAdmission({ ledger: c.s, mempool, verifier: createTxVerifier(), fetcher, modules: { remember: () => true }, metrics, isValidator: (m) => validators.has(m) })
  const verdict = (kind: TxTopicKind, e: GossipEnvelope) => a.handler(kind).validate!(e, {} as never)
  return { c, a, verdict, refused }
}

describe('gossip tx admission', () => {
  it('accepts a valid submission with its payload; refuses each bad input with its verdict and code', () => {
    const { c, verdict, refused } = admissionRig()
    const payload = utf8('payload-1')
    const sub = strip(c.submission('payload-1').tx)
    expect(verdict('submissions', env({ tx: sub, payload }))).toBe('accept')
    // Pending already: IGNORE before any other check, a forged copy included (it costs no verification).
    expect(verdict('submissions', env({ tx: { ...sub, signature: new Uint8Array(64).fill(7) }, payload }))).toEqual({ verdict: 'ignore', code: MempoolErrorCode.KNOWN })
    const other = strip(c.submission('payload-3').tx)
    expect(verdict('submissions', env({ nope: 1 }))).toEqual({ verdict: 'reject', code: 'MALFORMED' })
    expect(verdict('submissions', env({ tx: other }))).toEqual({ verdict: 'reject', code: TxErrorCode.PAYLOAD_MISSING })
    expect(verdict('submissions', env({ tx: other, payload: utf8('other') }))).toEqual({ verdict: 'reject', code: TxErrorCode.PAYLOAD_MISMATCH })
    expect(verdict('forum', env({ tx: other, payload: utf8('payload-3') }))).toEqual({ verdict: 'reject', code: 'WRONG_TOPIC' })
    const forged = { ...other, signature: new Uint8Array(other.signature).fill(7) }
    expect(verdict('submissions', env({ tx: forged, payload: utf8('payload-3') }))).toMatchObject({ verdict: 'reject' })
    // Evaluations from a sender not in OUR set: we may be behind a set change (IGNORE).
    const evals = strip(c.commit(4, c.submission('payload-9').id, 5))
    expect(verdict('evaluations', env({ tx: evals }))).toEqual({ verdict: 'ignore', code: 'SENDER_NOT_IN_SET' })
    expect(verdict('evaluations', env({ tx: sub }))).toEqual({ verdict: 'reject', code: 'WRONG_TOPIC' })
    expect(refused).toContain('submissions:MALFORMED')
    expect(refused).toContain('forum:WRONG_TOPIC')
    expect(refused.length).toBe(8)
  })

  it('a submission to a challenge not active (yet) is IGNORE, never REJECT', () => {
    const { c, verdict } = admissionRig()
    const bytes = utf8('p')
    const t = strip(c.tx(4, { type: 'Submission', challenge: 'later', payloadCid: cidOfBytes(bytes), payloadBytes: bytes.length }))
    expect(verdict('submissions', env({ tx: t, payload: bytes }))).toEqual({ verdict: 'ignore', code: TxErrorCode.CHALLENGE_NOT_ACTIVE })
  })

  it('a tx whose nonce the ledger already used is IGNORE (we may be ahead of the sender), not REJECT', () => {
    const { c, verdict } = admissionRig()
    const t = c.submission('payload-2').tx
    c.apply(2, [strip(t)])
    expect(verdict('submissions', env({ tx: strip(t), payload: utf8('payload-2') }))).toEqual({ verdict: 'ignore', code: TxErrorCode.STALE_NONCE })
  })
})

describe('checkBlock', () => {
  const tip = { height: 5, lastBlockHash: 'a'.repeat(64), stateRoot: 'b'.repeat(64), lastSlot: 10 }
  const good: Block = { height: 6, slot: 11, prevHash: tip.lastBlockHash, prevStateRoot: tip.stateRoot, proposer: 'p', txs: [] }
  const code = (f: () => void) => { try { f(); return 'ok' } catch (e) { return (e as { code: string }).code } }
  it('passes a block on the tip and names each broken rule', () => {
    expect(code(() => checkBlock(tip, 6, good, 11))).toBe('ok')
    expect(code(() => checkBlock(tip, 7, { ...good, height: 7 }, 11))).toBe(BlockErrorCode.WRONG_HEIGHT)
    expect(code(() => checkBlock(tip, 6, { ...good, prevHash: 'c'.repeat(64) }, 11))).toBe(BlockErrorCode.WRONG_PARENT)
    expect(code(() => checkBlock(tip, 6, { ...good, prevStateRoot: 'c'.repeat(64) }, 11))).toBe(BlockErrorCode.WRONG_STATE_ROOT)
    expect(code(() => checkBlock(tip, 6, { ...good, slot: 10 }, 11))).toBe(BlockErrorCode.SLOT_NOT_AFTER_PARENT)
    expect(code(() => checkBlock(tip, 6, { ...good, slot: 13 }, 11))).toBe(BlockErrorCode.SLOT_IN_FUTURE)
  })
})

describe('health', () => {
  it('turns not-ready after BEHIND_SLOTS and not-live after STALL_SLOTS without a block, while connected', () => {
    const clock = new ManualClock(0)
    const genesis = { genesisTime: 0, validators: [{}, {}] } as unknown as Genesis
    const ledger = { lastSlot: 0 } as never
    const schedule = new Schedule(0, 1000, 100)
    const guard = { state: 'clear', canSign: () => true } as unknown as DoppelgangerGuard
    let peers = 3
    const h = createHealth({ genesis, ledger, schedule, clock, guard, caughtUp: () => true, peers: () => peers })
    expect(h.ready()).toEqual({ ready: true })
    clock.advance((BEHIND_SLOTS + 1) * 1000)
    expect(h.ready().ready).toBe(false)
    expect(h.live()).toBe(true)
    clock.advance(STALL_SLOTS * 1000)
    expect(h.slotsSinceBlock()).toBeGreaterThan(STALL_SLOTS)
    expect(h.live()).toBe(false)
    peers = 0 // cut off: restarting does not help, so still live
    expect(h.live()).toBe(true)
  })

  it('a detected doppelgänger is the reason given first, even while behind or catching up', () => {
    const clock = new ManualClock((BEHIND_SLOTS + 5) * 1000)
    const genesis = { genesisTime: 0, validators: [{}, {}] } as unknown as Genesis
    const guard = { state: 'doppelganger', canSign: () => false } as unknown as DoppelgangerGuard
    const h = createHealth({ genesis, ledger: { lastSlot: 0 } as never, schedule: new Schedule(0, 1000, 100), clock, guard, caughtUp: () => false, peers: () => 1 })
    expect(h.ready()).toEqual({ ready: false, reason: expect.stringContaining('doppelgänger') })
  })
})

describe('limits', () => {
  it('the largest report encodes within MAX_REPORT_BYTES', () => {
    const hex = 'f'.repeat(64)
    const report = { submission: hex, score: 1_000_000, fuelUsed: (2n ** 64n - 1n).toString(), outputHash: hex, ok: false, salt: hex }
    expect(encode(report).length).toBeLessThanOrEqual(MAX_REPORT_BYTES)
  })
})
