// NodeActions: a client-signed transaction enters here (GraphQL), is verified — envelope, schema, and the
// state preconditions (known challenge, payload size and content id, enough free REP, pool and post
// exist) checked by applying it to a copy of the forum state — then goes to the mempool and gossip.
// Nothing changes on error.
import { fromHex } from '../../core/bytes.ts'
import { isAgoraError, errorMessage } from '../../core/errors.ts'
import type { NodeKeys } from '../../core/crypto/keys.ts'
import { Topic } from '../infra/p2p/constants.ts'
import type { ActionErrorCode, ActionResult, NodeActions, SignedTxInput } from '../api/view.ts'
import type { LedgerState } from '../../ledger/ledger.ts'
import { checkTx, TxError, TxErrorCode } from '../../ledger/admission.ts'
import { signTx, type SignedTx, type VerifiedTx } from '../../ledger/txs.ts'
import { validatorKeysInput } from '../../ledger/validator-keys.ts'
import type { Mempool } from './mempool.ts'
import type { Fetcher } from './fetcher.ts'
import type { ModuleStore } from './modules.ts'
import type { Network } from './interfaces.ts'
import type { OwnTxs } from './own-txs.ts'
import type { TxVerifier } from './tx-verifier.ts'

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

const FORUM_CODES: Record<string, ActionErrorCode> = {
  INSUFFICIENT: 'INSUFFICIENT_REP', UNKNOWN_POST: 'UNKNOWN_POST', UNKNOWN_POOL: 'UNKNOWN_POOL',
}

/** The API's codes for admission refusals (ledger/admission.ts). */
const TX_CODES: Partial<Record<string, ActionErrorCode>> = {
  [TxErrorCode.CHALLENGE_NOT_ACTIVE]: 'UNKNOWN_CHALLENGE', [TxErrorCode.PAYLOAD_MISSING]: 'MALFORMED', [TxErrorCode.PAYLOAD_MISMATCH]: 'MALFORMED',
  [TxErrorCode.PAYLOAD_TOO_LARGE]: 'PAYLOAD_TOO_LARGE',
}

const refuse = (code: ActionErrorCode, message: string): ActionResult => ({ accepted: false, code, message })

export function createActions(m: ActionsModules): NodeActions {
  async function accept(signed: SignedTx, payload?: Uint8Array): Promise<ActionResult> {
    let v: VerifiedTx
    try {
      const head = m.verifier.head(signed)
      const early = m.mempool.precheck(head)
      if (early) return refuse('REJECTED', early.ledgerCode === TxErrorCode.STALE_NONCE ? `nonce ${head.nonce} already used` : `already pending, or the mempool is full (${early.message})`)
      v = m.verifier.verified(signed)
    } catch (e) {
      return refuse(isAgoraError(e, 'BAD_SIGNATURE') ? 'BAD_SIGNATURE' : 'MALFORMED', errorMessage(e))
    }
    const tx = v.tx
    if (tx.type === 'Evaluations') return refuse('REJECTED', 'evaluation reports come from validators over gossip, not the API')
    try {
      checkTx(m.ledger, v, { payload, dryRunForum: true })
    } catch (e) {
      if (!(e instanceof TxError)) throw e
      return refuse(e.code === TxErrorCode.FORUM_REFUSED ? FORUM_CODES[e.detail ?? ''] ?? 'REJECTED' : TX_CODES[e.code] ?? 'REJECTED', e.message)
    }
    if (!m.mempool.add(v)) return refuse('REJECTED', 'already pending, or the mempool is full')
    if (payload && tx.type === 'Submission') m.fetcher.remember(tx.payloadCid, payload)
    if (payload && tx.type === 'ProposeChallenge') m.modules.remember(tx.signed.manifest.moduleHash, payload)
    const topic = tx.type === 'Submission' ? Topic.submissions : Topic.forum
    await m.net.gossip.publish(topic, payload ? { tx: signed, payload } : { tx: signed }).catch(() => undefined)
    return { accepted: true, txId: v.id }
  }

  return {
    submitTransaction(input: SignedTxInput, payload?: Uint8Array) {
      let signed: SignedTx
      try {
        signed = { body: new Uint8Array(Buffer.from(input.body, 'base64')), publicKey: fromHex(input.publicKey), signature: fromHex(input.signature) }
      } catch (e) {
        return Promise.resolve(refuse('MALFORMED', errorMessage(e)))
      }
      return accept(signed, payload)
    },
    submitAsNode(body) {
      // The node's own availability stake registers the keys it certifies with.
      const keys = body.type === 'StakeAvailability' && !('keys' in body) ? { keys: validatorKeysInput(m.keys, m.self) } : {}
      const signed = signTx(m.keys.ed25519Seed, m.keys.ed25519PublicKey, { ...body, ...keys, sender: m.self, nonce: m.own.nextNonce() })
      return accept(signed)
    },
  }
}

