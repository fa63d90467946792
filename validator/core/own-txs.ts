// Own transactions: what this node signs itself (evaluation commits and reveals, pool votes, operator
// actions). Signed with a fresh nonce, verified (a refusal is a bug, logged, never a crash), into the
// mempool's own lane and gossip. Reports are committed at once and revealed once a block can include them
// (the windows are counted in block heights, ledger/evaluations.ts).
import type { Clock } from '../../core/clock.ts'
import { errorMessage } from '../../core/errors.ts'
import type { NodeKeys } from '../../core/crypto/keys.ts'
import { reportCommitment, signTx, type VerifiedTx } from '../../ledger/txs.ts'
import type { Logger } from '../infra/log.ts'
import type { Metrics } from '../infra/metrics/metrics.ts'
import { Topic } from '../infra/p2p/constants.ts'
import type { Evaluated, Evaluator } from './evaluator.ts'
import type { LedgerView } from './importer.ts'
import type { Network } from './interfaces.ts'
import type { Mempool } from './mempool.ts'
import type { TxVerifier } from './tx-verifier.ts'

import { EVALUATIONS_PER_TX } from './limits.ts'
export { EVALUATIONS_PER_TX }

export interface OwnTxs {
  nextNonce(): number
  submit(body: Record<string, unknown>): Promise<VerifiedTx | undefined>
  /** Commit what the evaluator finished; reveal what a block can now include (each slot). */
  flushReports(): void
}

export interface OwnTxsModules {
  readonly keys: NodeKeys; readonly clock: Clock; readonly log: Logger; readonly metrics: Metrics
  readonly net: Network; readonly mempool: Mempool; readonly ledger: LedgerView; readonly evaluator: Evaluator
  /** Verified once here, so block validation and the importer find our own txs in its cache. */
  readonly verifier: TxVerifier
  canSign(): boolean
}

export function createOwnTxs(m: OwnTxsModules): OwnTxs {
  const self = m.keys.peerId
  let lastNonce = 0
  // Above the log's last nonce for our key too: the operator may sign with it elsewhere (the CLI's nonces
  // are microseconds), and a nonce at or below that one is refused for ever (STALE_NONCE).
  const nextNonce = () => (lastNonce = Math.max(m.clock.now(), lastNonce + 1, (m.ledger.nonces.get(self) ?? -1) + 1))
  let unrevealed: Evaluated[] = []

  async function submit(body: Record<string, unknown>): Promise<VerifiedTx | undefined> {
    if (!m.canSign()) return undefined
    const signed = signTx(m.keys.ed25519Seed, m.keys.ed25519PublicKey, { ...body, sender: self, nonce: nextNonce() })
    let v: VerifiedTx
    try {
      v = m.verifier.verified(signed)
    } catch (e) {
      m.log.error({ type: body.type, err: errorMessage(e) }, 'own transaction refused') // a bug: never crash on it
      return undefined
    }
    m.mempool.add(v)
    const topic = v.tx.type === 'Evaluations' ? Topic.evaluations : Topic.forum
    await m.net.gossip.publish(topic, { tx: signed }).catch(() => undefined)
    return v
  }

  function flushReports(): void {
    // The next block is at height + 1: a commit can go in while that is below revealHeight, a reveal from then on.
    const windowClosed = (e: Evaluated) => m.ledger.height >= e.revealHeight - 1
    const fresh: Evaluated[] = []
    for (const e of m.evaluator.drain()) {
      // Too late to commit, so its reveal would be refused too: a duty missed, worth seeing in the log.
      const late = windowClosed(e)
      m.metrics.evaluations.inc({ result: late ? 'late' : e.report.ok ? 'ok' : 'no-result' })
      if (late) m.log.warn({ submission: e.report.submission.slice(0, 12), height: m.ledger.height, revealHeight: e.revealHeight }, 'evaluation finished after its commit window')
      else fresh.push(e)
    }
    // One pass splits what may be revealed now from what waits (a splice per entry was quadratic).
    const ready: Evaluated[] = []
    const waiting: Evaluated[] = []
    for (const e of unrevealed.concat(fresh)) (windowClosed(e) ? ready : waiting).push(e)
    unrevealed = waiting
    const commits = fresh.map((e) => ({ submission: e.report.submission, commitment: reportCommitment(self, e.report) }))
    const reports = ready.map((e) => e.report)
    // Batches stay under the transaction size cap: a commit is ~110 bytes, a report ~250.
    for (let c = 0, r = 0; c < commits.length || r < reports.length;) {
      const cs = commits.slice(c, c + EVALUATIONS_PER_TX)
      const rs = reports.slice(r, r + EVALUATIONS_PER_TX - cs.length)
      c += cs.length
      r += rs.length
      void submit({ type: 'Evaluations', commits: cs, reports: rs })
    }
  }

  return { nextNonce, submit, flushReports }
}
