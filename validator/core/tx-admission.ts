// Gossip admission of transactions: the one adapter from a refusal to the gossip verdict (IGNORE when only
// we may be behind, REJECT when invalid) with the refusal's code, counted per topic and code. Admitted
// txs go to the mempool; a submission's payload is kept for the committee.
import { decode } from '../../core/encoding.ts'
import { checkTx, TxError } from '../../ledger/admission.ts'
import type { SignedTx, VerifiedTx } from '../../ledger/txs.ts'
import type { Metrics } from '../infra/metrics/metrics.ts'
import type { GossipEnvelope } from '../infra/p2p/envelope.ts'
import type { TopicHandler } from '../infra/p2p/gossip.ts'
import type { Fetcher } from './fetcher.ts'
import type { ModuleStore } from './modules.ts'
import type { LedgerView } from './importer.ts'
import type { Mempool } from './mempool.ts'
import type { TxHead, TxVerifier } from './tx-verifier.ts'

export type TxTopicKind = 'submissions' | 'forum' | 'evaluations'

export interface TxAdmission { handler(kind: TxTopicKind): TopicHandler }

export interface TxAdmissionModules {
  readonly ledger: LedgerView; readonly mempool: Mempool; readonly verifier: TxVerifier; readonly fetcher: Fetcher
  readonly modules: Pick<ModuleStore, 'remember'>
  readonly metrics: Metrics
  isValidator(member: string): boolean
}

const asSignedTx = (env: GossipEnvelope): { tx: SignedTx; payload?: Uint8Array } => {
  const raw = decode<{ tx: SignedTx; payload?: Uint8Array }>(env.payload)
  if (!raw || !(raw.tx?.body instanceof Uint8Array) || !(raw.tx.publicKey instanceof Uint8Array) || !(raw.tx.signature instanceof Uint8Array)) throw new Error('not a signed tx')
  return raw
}

/** Tx types each topic carries (a tx on another topic is REJECT: the bytes themselves say so). */
const TOPIC_ACCEPTS: Record<TxTopicKind, (type: string) => boolean> = {
  submissions: (t) => t === 'Submission',
  forum: (t) => t !== 'Submission' && t !== 'Evaluations',
  evaluations: (t) => t === 'Evaluations',
}

type Verdict = 'accept' | { verdict: 'ignore' | 'reject'; code: string }
/** A message past the cheap checks, decoded. */
type Decoded = { readonly raw: { tx: SignedTx; payload?: Uint8Array } }

/**
 * Cheapest first, the signature last: a spammer's tx that can never be admitted (wrong topic, already
 * pending, used nonce, no credits and no free slot left, sender quota, full lane) costs us a decode and
 * a hash, not an ed25519 verification. Checks on the unverified head only ever answer IGNORE, or REJECT
 * for a fault of the bytes themselves, so a forger cannot get an honest sender's tx punished.
 */
export function createTxAdmission(m: TxAdmissionModules): TxAdmission {
  // One gossip message is prechecked, validated and delivered as the same envelope object: what one step
  // decoded or verified is kept for the next (a fat post was decoded four times and its head hashed twice).
  const decoded = new WeakMap<GossipEnvelope, Decoded>()
  const admitted = new WeakMap<GossipEnvelope, VerifiedTx>()

  /** The checks on the unverified head (cheap): a refusal, or the decoded message when it may go on. */
  function early(kind: TxTopicKind, env: GossipEnvelope): Exclude<Verdict, 'accept'> | Decoded {
    let raw: { tx: SignedTx; payload?: Uint8Array }
    let head: TxHead
    try {
      raw = asSignedTx(env)
      head = m.verifier.head(raw.tx)
    } catch (e) { return { verdict: 'reject', code: (e as { code?: string }).code ?? 'MALFORMED' } }
    if (!TOPIC_ACCEPTS[kind](head.tx.type)) return { verdict: 'reject', code: 'WRONG_TOPIC' }
    // Not in OUR current set: we may be behind a set change, so the forwarder is not punished.
    if (kind === 'evaluations' && !m.isValidator(head.sender)) return { verdict: 'ignore', code: 'SENDER_NOT_IN_SET' }
    const refused = m.mempool.precheck(head)
    if (refused) return { verdict: 'ignore', code: refused.ledgerCode ?? refused.code }
    return { raw }
  }

  function check(kind: TxTopicKind, env: GossipEnvelope): Verdict {
    // Passed by the precheck a moment ago (gossip calls validate right after it, with no await between);
    // should the mempool have changed, `admit` below still refuses with the same code.
    const prior = decoded.get(env)
    decoded.delete(env)
    const e = prior ?? early(kind, env)
    if (!('raw' in e)) return e
    const { raw } = e
    let v: VerifiedTx
    try {
      v = m.verifier.verified(raw.tx)
    } catch (e) { return { verdict: 'reject', code: (e as { code?: string }).code ?? 'MALFORMED' } }
    try {
      checkTx(m.ledger, v, { payload: raw.payload })
    } catch (e) {
      if (e instanceof TxError) return { verdict: e.action === 'IGNORE' ? 'ignore' : 'reject', code: e.code }
      throw e
    }
    const r = m.mempool.admit(v)
    if (!r.ok) return { verdict: r.error.verdict, code: r.error.ledgerCode ?? r.error.code }
    admitted.set(env, v)
    return 'accept'
  }
  return {
    handler: (kind) => ({
      // Before the envelope's signature is verified: spam we would refuse anyway costs no verification.
      precheck(env: GossipEnvelope) {
        const e = early(kind, env)
        if ('raw' in e) { decoded.set(env, e); return undefined }
        m.metrics.txRefused.inc({ topic: kind, code: e.code })
        return e
      },
      // Admitted to the mempool here, so a tx we cannot hold (full lane, sender quota, stale) is not forwarded.
      validate(env: GossipEnvelope) {
        const r = check(kind, env)
        if (r !== 'accept') m.metrics.txRefused.inc({ topic: kind, code: r.code })
        return r
      },
      // In the mempool since `validate`; what is left is keeping a submission's payload or a module's bytes.
      onMessage(env: GossipEnvelope) {
        const v = admitted.get(env)
        admitted.delete(env)
        if (!v) return
        const payload = v.tx.type === 'Submission' || v.tx.type === 'ProposeChallenge' ? asSignedTx(env).payload : undefined
        if (payload && v.tx.type === 'Submission') m.fetcher.remember(v.tx.payloadCid, payload)
        if (payload && v.tx.type === 'ProposeChallenge') m.modules.remember(v.tx.signed.manifest.moduleHash, payload)
        m.metrics.mempoolTxs.set(m.mempool.size)
      },
    }),
  }
}
