// The ledger as a pure function of the decided log: equal logs give equal state roots (property test over
// random block sequences), a quorum of agreeing reports finalizes a score, a deviating report opens a
// dispute pool with its author's bond, an epoch closes into weights, and nonces cannot be replayed.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { toHex, utf8 } from '../../core/bytes.ts'
import { cidOfBytes } from '../../core/encoding.ts'
import { sha256 } from '../../core/hash.ts'
import { ONE_REP } from '../../core/amount.ts'
import { applyAt, ids, keys, testGenesis } from './chain.ts'
import { createGenesisLedger, ledgerStateRoot, type LedgerState } from '../../ledger/ledger.ts'
import { reportCommitment, signTx, type SignedTx } from '../../ledger/txs.ts'
import { submissionIdOf } from '../../ledger/evaluations.ts'

const [v1, v2, v3, v4] = [0, 1, 2, 3]
const MINER = 4

const genesis = testGenesis({
  balances: ids.slice(0, 5).map(() => '1000'), credits: ids.slice(0, 5).map(() => '1000'),
  params: { epochSlots: 10, committeeSize: 4, evaluationBackstopMs: 2000, payloadFetchMs: 2000 },
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

const apply = applyAt

describe('ledger', () => {
  it('finalizes on a > 2/3 quorum, disputes the deviating report with its bond, closes the epoch into weights', () => {
    const s = createGenesisLedger(genesis)
    const a = submission('nonce-a')
    apply(s, 1, [a.tx])
    expect(s.evals.submissions.get(a.id)!.committee).toHaveLength(4)
    apply(s, 2, [commit(v1, a.id, 700_000), commit(v2, a.id, 700_000), commit(v3, a.id, 700_000), commit(v4, a.id, 123, 'lie')])
    apply(s, 3, []) // the commit window is 3 blocks: reveals from height 4
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
    apply(s, 3, [])
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
    apply(s, 1, [a.tx]) // reveals from height 4 (one block per slot here)
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

  // Generator: a few submissions, each judged by the four committee members with a behaviour drawn per
  // member (honest, liar, lazy, late liar), commits in the window and reveals after it, so runs reach
  // quorum finality, median finality at the deadline, disputes with bonds and epoch closes; plus stakes.
  const behaviour = fc.constantFrom('honest', 'liar', 'lazy', 'late')
  const scenario = fc.array(fc.record({
    p: fc.nat(1_000_000), score: fc.integer({ min: 1, max: 1_000_000 }), who: fc.tuple(behaviour, behaviour, behaviour, behaviour), gap: fc.integer({ min: 1, max: 4 }),
    stake: fc.option(fc.record({ who: fc.nat(4), amount: fc.integer({ min: 1, max: 50 }) }), { nil: undefined }),
  }), { minLength: 1, maxLength: 4 })

  /** Plays a scenario on a fresh ledger; returns the log it decided (blocks by slot) for replays. */
  function play(sc: { p: number; score: number; who: string[]; gap: number; stake?: { who: number; amount: number } }[]) {
    const s = createGenesisLedger(genesis)
    const log: { slot: number; txs: SignedTx[] }[] = []
    const run = (slot: number, txs: SignedTx[]) => { log.push({ slot, txs }); return apply(s, slot, txs) }
    // Blocks `x.gap` slots apart (1: one per slot; more: a slow chain), windows counted in blocks.
    let slot = 1
    const next = (gap: number, txs: SignedTx[]) => { run(slot, txs); slot += gap }
    for (const [i, x] of sc.entries()) {
      const a = submission(`prop-${x.p}-${i}`)
      const extra = x.stake ? [tx(x.stake.who, { type: 'StakeAvailability', amount: (BigInt(x.stake.amount) * ONE_REP).toString(), epochs: 2 })] : []
      next(x.gap, [a.tx, ...extra])
      const rec = s.evals.submissions.get(a.id)
      if (!rec) continue
      const lie = (who: number) => (x.score + 1 + who) % 1_000_001
      const value = (who: number) => (x.who[who] === 'honest' ? x.score : lie(who))
      const out = (who: number) => (x.who[who] === 'honest' ? 'a' : `lie-${who}`)
      const active = [v1, v2, v3, v4].filter((w) => x.who[w] !== 'lazy')
      next(x.gap, active.map((w) => commit(w, a.id, value(w), out(w))))
      while (s.height < rec.revealHeight - 1) next(x.gap, [])
      next(x.gap, active.filter((w) => x.who[w] !== 'late').map((w) => reveal(w, a.id, value(w), out(w))))
      next(x.gap, active.filter((w) => x.who[w] === 'late').map((w) => reveal(w, a.id, value(w), out(w))))
      while (s.height < rec.deadlineHeight) next(x.gap, [])
    }
    return { s, log }
  }
  const supplyHolds = (s: LedgerState) => {
    let sum = 0n
    for (const a of s.forum.accounts.values()) if (a.rep < 0n || a.locked < 0n || a.locked > a.rep) return false; else sum += a.rep
    const t = s.forum.totals
    return sum + t.escrow === t.genesis + t.minted - t.burned
  }

  it('equal logs give equal state roots, REP supply is conserved, honest quorums finalize and liars are disputed', () => {
    const reached = { quorum: 0, median: 0, disputes: 0, epochs: 0 }
    fc.assert(fc.property(scenario, (sc) => {
      const { s: a, log } = play(sc)
      const b = createGenesisLedger(genesis)
      const events = log.flatMap(({ slot, txs }) => apply(b, slot, txs).events)
      expect(ledgerStateRoot(b)).toBe(ledgerStateRoot(a))
      expect(supplyHolds(a)).toBe(true)
      for (const e of events) {
        if (e.type === 'dispute') reached.disputes++
        if (e.type === 'epochClosed') reached.epochs++
        if (e.type === 'finalScore') reached[e.submission.final?.rule === 'quorum' ? 'quorum' : 'median']++
      }
      // Three or more honest members agree: the honest score is final and every revealed lie deviates.
      for (const sub of a.evals.submissions.values()) {
        const i = sc.findIndex((x, k) => sub.payloadCid === cidOfBytes(utf8(`prop-${x.p}-${k}`)))
        const x = sc[i]!
        const honest = x.who.filter((w) => w === 'honest').length
        if (honest >= 3) {
          expect(sub.final?.score, `honest quorum of ${honest}`).toBe(x.score)
          for (const r of sub.reports) if (r.score !== x.score) expect(sub.final?.deviating).toContain(r.validator)
        }
      }
      // One more block that differs only in its slot gives a different root.
      const c = createGenesisLedger(genesis)
      log.forEach(({ slot, txs }, k) => apply(c, slot + (k === log.length - 1 ? 1 : 0), txs))
      expect(ledgerStateRoot(c)).not.toBe(ledgerStateRoot(a))
    }), { numRuns: 60 })
    // The generator must reach the interesting states, or this property proves little.
    expect(reached.quorum).toBeGreaterThan(0)
    expect(reached.median).toBeGreaterThan(0)
    expect(reached.disputes).toBeGreaterThan(0)
    expect(reached.epochs).toBeGreaterThan(0)
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
