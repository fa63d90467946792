// Own evaluation duties follow the windows in block heights: a finished report is committed while the next
// block is inside the commit window and revealed once the next block is at its reveal height, whatever the
// slots did meanwhile; one that finished after its window is neither committed nor revealed (both would be
// refused, the commit and the reveal in one transaction as the devnet's lost ones were), and it is logged.
import { describe, expect, it } from 'vitest'
import { deriveKeysFromSeed } from '../../../core/crypto/keys.ts'
import { verifyTx, memberIdOf, type VerifiedTx } from '../../../ledger/txs.ts'
import { createMetrics } from '../../../validator/infra/metrics/metrics.ts'
import { createOwnTxs } from '../../../validator/core/own-txs.ts'
import type { Evaluated } from '../../../validator/core/evaluator.ts'

const k = deriveKeysFromSeed(new Uint8Array(64).fill(7))
const keys = { ...k, peerId: memberIdOf(k.ed25519PublicKey) } as never
const report = (sub: string) => ({ submission: sub.repeat(64), score: 5, fuelUsed: 1n, outputHash: '00'.repeat(32), ok: true, salt: '11'.repeat(32) })

function harness() {
  const ledger = { height: 0, lastSlot: 0, nonces: new Map<string, number>() }
  const finished: Evaluated[] = []
  const sent: VerifiedTx[] = []
  const warned: string[] = []
  const log = { warn: (_: unknown, msg: string) => { warned.push(msg) }, info() {}, error() {}, debug() {} } as never
  const own = createOwnTxs({
    keys, clock: { now: () => 1, setTimer: () => ({ cancel() {} }) }, log, metrics: createMetrics(),
    net: { gossip: { publish: async () => undefined } } as never, mempool: { add: (v: VerifiedTx) => { sent.push(v) } } as never,
    ledger: ledger as never, evaluator: { drain: () => finished.splice(0) } as never, verifier: { verified: verifyTx } as never, canSign: () => true,
  })
  const duties = () => sent.splice(0).map((v) => { const t = v.tx as { commits: unknown[]; reports: unknown[] }; return { commits: t.commits.length, reports: t.reports.length } })
  return { ledger, finished, own, duties, warned }
}

describe('own evaluation duties', () => {
  it('commits at once, reveals from the reveal height on: slots far past the old window change nothing', () => {
    const h = harness()
    h.ledger.height = 1 // the submission's block; reveals from height 4
    h.ledger.lastSlot = 1
    h.finished.push({ report: report('a'), revealHeight: 4 })
    h.own.flushReports()
    expect(h.duties()).toEqual([{ commits: 1, reports: 0 }])
    h.ledger.height = 2
    h.ledger.lastSlot = 40 // a slow chain: the slot-counted window would have closed long ago
    h.own.flushReports()
    expect(h.duties()).toEqual([]) // the next block (height 3) still takes commits, not reveals
    h.ledger.height = 3
    h.own.flushReports()
    expect(h.duties()).toEqual([{ commits: 0, reports: 1 }])
    expect(h.warned).toEqual([])
  })

  it('a report finished after its commit window sends nothing and is logged', () => {
    const h = harness()
    h.ledger.height = 3
    h.finished.push({ report: report('b'), revealHeight: 4 })
    h.own.flushReports()
    h.ledger.height = 4
    h.own.flushReports()
    expect(h.duties()).toEqual([])
    expect(h.warned).toEqual(['evaluation finished after its commit window'])
  })
})
