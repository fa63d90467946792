// NodeActions: a client-signed transaction enters here (GraphQL), is verified — envelope, schema, and the
// state preconditions (known challenge, payload size and content id, enough free REP, pool and post
// exist) checked by applying it to a copy of the forum state — then goes to the mempool and gossip.
// Nothing changes on error.
import { fromHex } from '../../core/bytes.ts'
import { cidOfBytes } from '../../core/encoding.ts'
import { isAgoraError, errorMessage } from '../../core/errors.ts'
import type { NodeKeys } from '../../core/crypto/keys.ts'
import * as forum from '../../forum/index.ts'
import { Topic } from '../infra/p2p/constants.ts'
import type { ActionErrorCode, ActionResult, NodeActions, SignedTxInput } from '../api/view.ts'
import { activeChallengeTable, LEDGER_RULES, type LedgerState } from '../../ledger/ledger.ts'
import { checkEvidence } from '../../ledger/evidence.ts'
import { signTx, verifyTx, type SignedTx, type VerifiedTx } from '../../ledger/txs.ts'
import { validatorKeysInput } from '../../ledger/validator-keys.ts'
import type { Mempool } from './mempool.ts'
import type { Fetcher } from './fetcher.ts'
import type { ModuleStore } from './modules.ts'
import type { Network } from './interfaces.ts'
import type { OwnTxs } from './own-txs.ts'

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
}

const FORUM_CODES: Record<string, ActionErrorCode> = {
  INSUFFICIENT: 'INSUFFICIENT_REP', UNKNOWN_POST: 'UNKNOWN_POST', UNKNOWN_POOL: 'UNKNOWN_POOL',
}

const refuse = (code: ActionErrorCode, message: string): ActionResult => ({ accepted: false, code, message })

export function createActions(m: ActionsModules): NodeActions {
  async function accept(signed: SignedTx, payload?: Uint8Array): Promise<ActionResult> {
    let v: VerifiedTx
    try {
      v = verifyTx(signed)
    } catch (e) {
      return refuse(isAgoraError(e, 'BAD_SIGNATURE') ? 'BAD_SIGNATURE' : 'MALFORMED', errorMessage(e))
    }
    if (v.nonce <= (m.ledger.nonces.get(v.sender) ?? -1)) return refuse('REJECTED', `nonce ${v.nonce} already used`)
    const tx = v.tx
    if (tx.type === 'Submission') {
      if (!activeChallengeTable(m.ledger).some((c) => c.id === tx.challenge)) return refuse('UNKNOWN_CHALLENGE', `challenge ${tx.challenge} is not active`)
      if (!payload) return refuse('MALFORMED', 'a submission needs its payload bytes')
      if (payload.length > LEDGER_RULES.maxPayloadBytes) return refuse('PAYLOAD_TOO_LARGE', `payload of ${payload.length} bytes exceeds ${LEDGER_RULES.maxPayloadBytes}`)
      if (payload.length !== tx.payloadBytes || cidOfBytes(payload) !== tx.payloadCid) return refuse('MALFORMED', 'payload does not match payloadCid/payloadBytes')
    } else if (tx.type === 'Evaluations') {
      return refuse('REJECTED', 'evaluation reports come from validators over gossip, not the API')
    } else if (tx.type === 'Evidence') {
      try { checkEvidence(m.ledger.forum, tx, m.ledger.height + 1, (k) => m.ledger.validatorKeys.get(k)?.blsPublicKey) } catch (e) { return refuse('REJECTED', errorMessage(e)) }
    } else {
      // Dry run on a copy: the same checks the ledger will make, so a doomed tx never enters the mempool.
      const dry = forum.cloneState(m.ledger.forum)
      const r = forum.applyTx(dry, tx, { slot: Math.max(dry.slot, m.ledger.lastSlot) })
      if (!r.ok) return refuse(FORUM_CODES[r.code] ?? 'REJECTED', r.message)
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

