// NodeActions: a client-signed transaction enters here (GraphQL), is checked — the mempool's cheap
// refusals from its unverified head first, then the signature and schema, the state preconditions (known
// challenge, payload size and content id), and a forum dry run (enough free REP, pool and post exist) —
// then goes to the mempool and gossip. Nothing changes on error; each refusal has its own API code.
import { fromHex } from '../../core/bytes.ts'
import { isAgoraError, errorMessage } from '../../core/errors.ts'
import type { NodeKeys } from '../../core/crypto/keys.ts'
import { Topic } from '../infra/p2p/constants.ts'
import type { ActionErrorCode, ActionResult, NodeActions, SignedTxInput } from '../api/view.ts'
import type { LedgerState } from '../../ledger/ledger.ts'
import { checkTx, TxError, TxErrorCode } from '../../ledger/admission.ts'
import { signTx, type SignedTx, type VerifiedTx } from '../../ledger/txs.ts'
import { validatorKeysInput } from '../../ledger/validator-keys.ts'
import { MempoolErrorCode, type Mempool, type MempoolError } from './mempool.ts'
import { createForumDryRun } from './forum-dry-run.ts'
import type { Fetcher } from './fetcher.ts'
import type { ModuleStore } from './modules.ts'
import type { Network } from './interfaces.ts'
import type { OwnTxs } from './own-txs.ts'
import type { TxHead, TxVerifier } from './tx-verifier.ts'

export interface ActionsModules {
  ledger: Readonly<LedgerState>
  mempool: Mempool
  self: string
  keys: NodeKeys
  own: Pick<OwnTxs, 'nextNonce'>
  /** Keeps a submission's payload for the committee. */
  fetcher: Pick<Fetcher, 'remember'>
  /** A proposed challenge's module bytes (kept only if they hash to the manifest's moduleHash). */
  modules: Pick<ModuleStore, 'remember'>
  net: Pick<Network, 'gossip'>
  /** Cheap checks of the unverified head first, then one cached verification (reused by block validation). */
  verifier: TxVerifier
}

const refuse = (code: ActionErrorCode, message: string): ActionResult => ({ accepted: false, code, message })

/** The forum's refusal codes the API passes on as they are (docs/PROTOCOL.md §9). */
const FORUM_CODES: Record<string, ActionErrorCode> = {
  UNKNOWN_POST: 'UNKNOWN_POST', UNKNOWN_POOL: 'UNKNOWN_POOL', POOL_CLOSED: 'POOL_CLOSED', LOCKED: 'LOCKED', NO_STAKE: 'NO_STAKE', FEE_UNPAID: 'FEE_UNPAID',
}
/** Txs whose forum INSUFFICIENT is about fee credits (a pool's or a business request's fee), not free REP. */
const PAYS_IN_CREDITS = new Set(['InitiatePool', 'BusinessRequest'])

/** The API's codes for admission refusals (ledger/admission.ts). */
const TX_CODES: Partial<Record<string, ActionErrorCode>> = {
  [TxErrorCode.CHALLENGE_NOT_ACTIVE]: 'UNKNOWN_CHALLENGE', [TxErrorCode.PAYLOAD_MISSING]: 'MALFORMED', [TxErrorCode.PAYLOAD_MISMATCH]: 'MALFORMED',
  [TxErrorCode.PAYLOAD_TOO_LARGE]: 'PAYLOAD_TOO_LARGE', [TxErrorCode.STALE_NONCE]: 'NONCE_USED', [TxErrorCode.FEE_UNPAID]: 'FEE_UNPAID',
}

/** The API's codes for mempool refusals; a tx that can never apply takes its ledger code's. */
const MEMPOOL_CODES: Record<MempoolErrorCode, ActionErrorCode> = {
  [MempoolErrorCode.KNOWN]: 'ALREADY_PENDING', [MempoolErrorCode.SENDER_QUOTA]: 'SENDER_QUOTA', [MempoolErrorCode.FULL]: 'MEMPOOL_FULL',
  [MempoolErrorCode.CANNOT_APPLY]: 'REJECTED',
}
/** A mempool refusal of the tx with `head` as the API says it. */
function mempoolRefusal(e: MempoolError, head: TxHead): ActionResult {
  if (e.code !== MempoolErrorCode.CANNOT_APPLY) return refuse(MEMPOOL_CODES[e.code], e.message)
  if (e.ledgerCode === TxErrorCode.STALE_NONCE) return refuse('NONCE_USED', `nonce ${head.nonce} already used`)
  if (e.ledgerCode === TxErrorCode.FEE_UNPAID) return refuse('FEE_UNPAID', `${head.sender} has no credits for the fee and no fee-waived transaction left this epoch (counting its pending ones)`)
  return refuse(TX_CODES[e.ledgerCode ?? ''] ?? 'REJECTED', e.message)
}

/** The API's code for a forum refusal of a tx of `type`. */
export function forumCode(type: string, code: string): ActionErrorCode {
  if (code === 'INSUFFICIENT') return PAYS_IN_CREDITS.has(type) ? 'INSUFFICIENT_CREDITS' : 'INSUFFICIENT_REP'
  return FORUM_CODES[code] ?? 'REJECTED'
}

export function createActions(m: ActionsModules): NodeActions {
  const dryRun = createForumDryRun(m.ledger)

  /**
   * Cheapest first: the unverified head against the mempool (already pending, used nonce, fee unpaid,
   * sender quota, full lane), then the one signature check (cached for gossip and block validation),
   * then the state checks, the forum dry run last.
   */
  async function accept(signed: SignedTx, payload?: Uint8Array, prechecked = false): Promise<ActionResult> {
    let v: VerifiedTx
    try {
      if (!prechecked) {
        const head = m.verifier.head(signed)
        const early = m.mempool.precheck(head)
        if (early) return mempoolRefusal(early, head)
      }
      v = m.verifier.verified(signed)
    } catch (e) {
      return refuse(isAgoraError(e, 'BAD_SIGNATURE') ? 'BAD_SIGNATURE' : 'MALFORMED', errorMessage(e))
    }
    const tx = v.tx
    if (tx.type === 'Evaluations') return refuse('REJECTED', 'evaluation reports come from validators over gossip, not the API')
    try {
      checkTx(m.ledger, v, { payload })
    } catch (e) {
      if (!(e instanceof TxError)) throw e
      return refuse(TX_CODES[e.code] ?? 'REJECTED', e.message)
    }
    if (tx.type !== 'Submission' && tx.type !== 'Evidence') {
      const r = dryRun.check(tx)
      if (!r.ok) return refuse(forumCode(tx.type, r.code), r.message)
    }
    const added = m.mempool.admit(v)
    if (!added.ok) return mempoolRefusal(added.error, v)
    if (payload && tx.type === 'Submission') m.fetcher.remember(tx.payloadCid, payload)
    if (payload && tx.type === 'ProposeChallenge') m.modules.remember(tx.signed.manifest.moduleHash, payload)
    const topic = tx.type === 'Submission' ? Topic.submissions : Topic.forum
    await m.net.gossip.publish(topic, payload ? { tx: signed, payload } : { tx: signed }).catch(() => undefined)
    return { accepted: true, txId: v.id }
  }

  const signedOf = (input: SignedTxInput): SignedTx =>
    ({ body: new Uint8Array(Buffer.from(input.body, 'base64')), publicKey: fromHex(input.publicKey), signature: fromHex(input.signature) })

  return {
    submitTransaction(input: SignedTxInput, payload?: Uint8Array, opts?: { prechecked?: boolean }) {
      let signed: SignedTx
      try {
        signed = signedOf(input)
      } catch (e) {
        return Promise.resolve(refuse('MALFORMED', errorMessage(e)))
      }
      return accept(signed, payload, opts?.prechecked === true)
    },
    precheck(input) {
      let head: TxHead
      try {
        head = m.verifier.head(signedOf(input))
      } catch {
        return undefined // malformed: the full path says how
      }
      const early = m.mempool.precheck(head)
      return early ? mempoolRefusal(early, head) as ActionResult & { accepted: false } : undefined
    },
    submitAsNode(body) {
      // The node's own availability stake registers the keys it certifies with.
      const keys = body.type === 'StakeAvailability' && !('keys' in body) ? { keys: validatorKeysInput(m.keys, m.self) } : {}
      const signed = signTx(m.keys.ed25519Seed, m.keys.ed25519PublicKey, { ...body, ...keys, sender: m.self, nonce: m.own.nextNonce() })
      return accept(signed)
    },
  }
}

