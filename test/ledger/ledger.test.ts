// The ledger as a pure function of the decided log: equal logs give equal state roots (property test over
// random block sequences), a quorum of agreeing reports finalizes a score, a deviating report opens a
// dispute pool with its author's bond, an epoch closes into weights, and nonces cannot be replayed.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { deriveKeysFromSeed } from '../../core/crypto/keys.ts'
import { proveBlsPossession } from '../../core/crypto/sign.ts'
import { toHex, utf8 } from '../../core/bytes.ts'
import { cidOfBytes } from '../../core/encoding.ts'
import { sha256 } from '../../core/hash.ts'
import { ONE_REP } from '../../core/amount.ts'
import { GenesisSchema, type Genesis } from '../../ledger/genesis.ts'
import { applyBlock, createGenesisLedger, ledgerStateRoot, type LedgerState } from '../../ledger/ledger.ts'
import { memberIdOf, reportCommitment, signTx, verifyTx, type SignedTx } from '../../ledger/txs.ts'
import { submissionIdOf } from '../../ledger/evaluations.ts'
import type { Block } from '../../ledger/block.ts'

const keys = [1, 2, 3, 4, 5].map((i) => deriveKeysFromSeed(new Uint8Array(64).fill(i)))
const ids = keys.map((k) => memberIdOf(k.ed25519PublicKey))
const [v1, v2, v3, v4] = [0, 1, 2, 3]
const MINER = 4

const genesis: Genesis = GenesisSchema.parse({
  networkId: 'test', genesisTime: 0, params: { epochSlots: 10, committeeSize: 4 },
  balances: Object.fromEntries(ids.map((m) => [m, '1000'])),
  validators: keys.slice(0, 4).map((k, i) => ({
    peerId: ids[i], ed25519PublicKey: '0x' + toHex(k.ed25519PublicKey), blsPublicKey: '0x' + toHex(k.blsPublicKey),
    blsProof: '0x' + toHex(proveBlsPossession(k.blsSecretKey)), evmAddress: k.evmAddress, stake: '100',
  })),
  challenges: [{ id: 'pow', moduleHash: '0x' + '00'.repeat(32), module: 'pow.wasm', emissionSharePpm: 1_000_000 }],
})

let nonce = 1
const tx = (who: number, body: Record<string, unknown>): SignedTx =>
  signTx(keys[who]!.ed25519Seed, keys[who]!.ed25519PublicKey, { ...body, sender: ids[who], nonce: nonce++ })
const submission = (payload: string) => {
  const bytes = utf8(payload)
  return { tx: tx(MINER, { type: 'Submission', challenge: 'pow', payloadCid: cidOfBytes(bytes), payloadBytes: bytes.length }), id: submissionIdOf('pow', cidOfBytes(bytes)) }
}
const salt = (who: number, sub: string) => toHex(sha256(utf8(`salt-${who}-${sub}`)))
/** A report revealed by `who`, and its commitment (sent first, inside the commit window). */
const body = (who: number, sub: string, score: number, out = 'a') =>
  ({ submission: sub, score, fuelUsed: 10n, outputHash: toHex(sha256(utf8(out))), ok: true, salt: salt(who, sub) })
const commit = (who: number, sub: string, score: number, out = 'a') =>
  tx(who, { type: 'Evaluations', commits: [{ submission: sub, commitment: reportCommitment(ids[who]!, body(who, sub, score, out)) }] })
const reveal = (who: number, sub: string, score: number, out = 'a') => tx(who, { type: 'Evaluations', reports: [body(who, sub, score, out)] })

function apply(s: LedgerState, slot: number, txs: SignedTx[]) {
  const block: Block = { height: s.height + 1, slot, prevHash: s.lastBlockHash, prevStateRoot: ledgerStateRoot(s), proposer: ids[0]!, txs }
  return applyBlock(s, block, txs.map(verifyTx))
}

describe('ledger', () => {
  it('finalizes on a > 2/3 quorum, disputes the deviating report with its bond, closes the epoch into weights', () => {
    const s = createGenesisLedger(genesis)
    const a = submission('nonce-a')
    apply(s, 1, [a.tx])
    expect(s.evals.submissions.get(a.id)!.committee).toHaveLength(4)
    apply(s, 2, [commit(v1, a.id, 700_000), commit(v2, a.id, 700_000), commit(v3, a.id, 700_000), commit(v4, a.id, 123, 'lie')])
    apply(s, 4, [reveal(v1, a.id, 700_000), reveal(v2, a.id, 700_000)])
    expect(s.evals.submissions.get(a.id)!.final).toBeUndefined() // 2 of 4: not yet a quorum
    const r = apply(s, 5, [reveal(v3, a.id, 700_000), reveal(v4, a.id, 123, 'lie')])
    const sub = s.evals.submissions.get(a.id)!
    expect(sub.final).toMatchObject({ score: 700_000, rule: 'quorum', deviating: [ids[v4]] })
    expect(r.events.some((e) => e.type === 'dispute' && e.validator === ids[v4])).toBe(true)
    // The liar's report is bonded in the dispute pool (locked beside its availability stake).
    expect(s.forum.accounts.get(ids[v4] as never)!.locked).toBe(100n * ONE_REP + 10n * ONE_REP)
    const closed = apply(s, 10, [])
    const epoch = closed.events.find((e) => e.type === 'epochClosed')
    expect(epoch && epoch.type === 'epochClosed' && epoch.result).toMatchObject({ epoch: 0, uids: [0], weights: [65535] })
  })

  it('a late deviating report still opens a dispute; a replayed nonce does nothing', () => {
    const s = createGenesisLedger(genesis)
    const a = submission('nonce-b')
    apply(s, 1, [a.tx])
    apply(s, 2, [commit(v1, a.id, 5), commit(v2, a.id, 5), commit(v3, a.id, 5), commit(v4, a.id, 6, 'other')])
    apply(s, 4, [reveal(v1, a.id, 5), reveal(v2, a.id, 5), reveal(v3, a.id, 5)])
    expect(s.evals.submissions.get(a.id)!.final?.deviating).toEqual([])
    const late = reveal(v4, a.id, 6, 'other')
    const r = apply(s, 5, [late])
    expect(r.events.some((e) => e.type === 'dispute' && e.validator === ids[v4])).toBe(true)
    const again = apply(s, 6, [late])
    expect(again.outcomes[0]).toMatchObject({ ok: false, code: 'STALE_NONCE' })
  })

  it('commit–reveal: no reveal before the window closes, none that differs from its commitment, no commit after it', () => {
    const s = createGenesisLedger(genesis)
    const a = submission('nonce-c')
    apply(s, 1, [a.tx]) // reveal slot 4
    apply(s, 2, [commit(v1, a.id, 7), commit(v2, a.id, 7), commit(v3, a.id, 7)])
    const early = apply(s, 3, [reveal(v1, a.id, 7)])
    expect(early.outcomes[0]).toMatchObject({ ok: false, code: 'NO_EFFECT' })
    // A copier: commits nothing in time, or reveals what it did not commit.
    const lateCommit = apply(s, 4, [commit(v4, a.id, 7)])
    expect(lateCommit.outcomes[0]).toMatchObject({ ok: false, code: 'NO_EFFECT' })
    const mismatch = apply(s, 5, [reveal(v2, a.id, 8)])
    expect(mismatch.outcomes[0]).toMatchObject({ ok: false, code: 'NO_EFFECT' })
    expect(s.evals.submissions.get(a.id)!.reports).toHaveLength(0)
    apply(s, 6, [reveal(v1, a.id, 7), reveal(v3, a.id, 7)])
    expect(s.evals.submissions.get(a.id)!.reports.map((r) => r.validator)).toEqual([ids[v1], ids[v3]])
  })

  it('equal logs give equal state roots; any difference in the log shows in the root', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('sub' as const), p: fc.nat(20) }),
      fc.record({ kind: fc.constant('rep' as const), who: fc.nat(3), p: fc.nat(20), score: fc.nat(1_000_000) }),
      fc.record({ kind: fc.constant('stake' as const), who: fc.nat(4), amount: fc.integer({ min: 1, max: 50 }) }),
    )
    fc.assert(fc.property(fc.array(fc.array(op, { maxLength: 4 }), { minLength: 1, maxLength: 12 }), (blocks) => {
      const log: SignedTx[][] = blocks.map((b) => b.map((o) => {
        if (o.kind === 'sub') return submission(`p${o.p}`).tx
        if (o.kind === 'rep') return (o.score % 2 ? commit : reveal)(o.who, submission(`p${o.p}`).id, o.score >> 1)
        return tx(o.who, { type: 'StakeAvailability', amount: (BigInt(o.amount) * ONE_REP).toString(), epochs: 2 })
      }))
      const a = createGenesisLedger(genesis)
      const b = createGenesisLedger(genesis)
      log.forEach((txs, i) => { apply(a, 1 + i * 3, txs); apply(b, 1 + i * 3, txs) })
      expect(ledgerStateRoot(a)).toBe(ledgerStateRoot(b))
      // One more block that differs only in its slot gives a different root.
      const c = createGenesisLedger(genesis)
      log.forEach((txs, i) => apply(c, 1 + i * 3 + (i === log.length - 1 ? 1 : 0), txs))
      expect(ledgerStateRoot(c)).not.toBe(ledgerStateRoot(a))
    }), { numRuns: 40 })
  })
})

describe('ledger snapshot', () => {
  it('restore(snapshot(s)) has the same state root and keeps applying blocks identically', async () => {
    const { snapshotLedger, restoreLedger } = await import('../../ledger/snapshot.ts')
    const s = createGenesisLedger(genesis)
    const a = submission('snap-a')
    apply(s, 1, [a.tx])
    apply(s, 2, [commit(v1, a.id, 9), commit(v2, a.id, 9), commit(v3, a.id, 9), commit(v4, a.id, 8, 'x')])
    apply(s, 4, [reveal(v1, a.id, 9), reveal(v2, a.id, 9)])
    apply(s, 11, [submission('snap-b').tx])
    const r = restoreLedger(snapshotLedger(s))
    expect(ledgerStateRoot(r)).toBe(ledgerStateRoot(s))
    const next = submission('snap-c').tx
    apply(s, 12, [next]); apply(r, 12, [next])
    expect(ledgerStateRoot(r)).toBe(ledgerStateRoot(s))
    expect(() => restoreLedger(new Uint8Array([1, 2, 3]))).toThrow()
  })
})
