// Admission of one transaction against the current state, shared by gossip, the API and block building:
// each check throws a TxError with a code and the action a gossip peer deserves. A failure that only
// says the receiver may be behind (nonce already used here, challenge not active yet, a forum
// precondition our state does not meet yet) is IGNORE; a tx that is invalid whatever the state is REJECT.
import { AgoraError } from '../core/errors.ts'
import { cidOfBytes } from '../core/encoding.ts'
import * as forum from '../forum/index.ts'
import { checkEvidence } from './evidence.ts'
import { activeChallengeTable, LEDGER_RULES, type LedgerState } from './ledger.ts'
import type { VerifiedTx } from './txs.ts'

export const TxErrorCode = {
  STALE_NONCE: 'TX_STALE_NONCE',
  /** No credits for the fee and no fee-waived slot left this epoch (counting what is already pending). */
  FEE_UNPAID: 'TX_FEE_UNPAID',
  CHALLENGE_NOT_ACTIVE: 'TX_CHALLENGE_NOT_ACTIVE',
  PAYLOAD_MISSING: 'TX_PAYLOAD_MISSING',
  PAYLOAD_TOO_LARGE: 'TX_PAYLOAD_TOO_LARGE',
  PAYLOAD_MISMATCH: 'TX_PAYLOAD_MISMATCH',
  EVIDENCE_INVALID: 'TX_EVIDENCE_INVALID',
  FORUM_REFUSED: 'TX_FORUM_REFUSED',
} as const
export type TxErrorCode = (typeof TxErrorCode)[keyof typeof TxErrorCode]
export type TxAction = 'IGNORE' | 'REJECT'

export class TxError extends AgoraError {
  /** `detail`: the forum's own refusal code for FORUM_REFUSED. */
  constructor(override readonly code: TxErrorCode, readonly action: TxAction, message: string, readonly detail?: string) {
    super(code, message)
    this.name = 'TxError'
  }
}

export interface CheckTxOptions {
  /** The payload that travels with a Submission (checked against its cid and size). */
  readonly payload?: Uint8Array
  /** Dry-run forum txs on a copy of the forum state (the API path; costs a state copy per tx). */
  readonly dryRunForum?: boolean
}

export function checkTx(view: Readonly<LedgerState>, v: VerifiedTx, o: CheckTxOptions = {}): void {
  if (v.nonce <= (view.nonces.get(v.sender) ?? -1)) throw new TxError(TxErrorCode.STALE_NONCE, 'IGNORE', `nonce ${v.nonce} already used`)
  const tx = v.tx
  if (tx.type === 'Submission') {
    if (!activeChallengeTable(view).some((c) => c.id === tx.challenge)) throw new TxError(TxErrorCode.CHALLENGE_NOT_ACTIVE, 'IGNORE', `challenge ${tx.challenge} is not active`)
    const p = o.payload
    if (!p) throw new TxError(TxErrorCode.PAYLOAD_MISSING, 'REJECT', 'a submission needs its payload bytes')
    if (p.length > LEDGER_RULES.maxPayloadBytes) throw new TxError(TxErrorCode.PAYLOAD_TOO_LARGE, 'REJECT', `payload of ${p.length} bytes exceeds ${LEDGER_RULES.maxPayloadBytes}`)
    if (p.length !== tx.payloadBytes || cidOfBytes(p) !== tx.payloadCid) throw new TxError(TxErrorCode.PAYLOAD_MISMATCH, 'REJECT', 'payload does not match payloadCid/payloadBytes')
  } else if (tx.type === 'Evidence') {
    try { checkEvidence(view.forum, tx, view.height + 1, (k) => view.validatorKeys.get(k)?.blsPublicKey) } catch (e) {
      throw new TxError(TxErrorCode.EVIDENCE_INVALID, 'REJECT', (e as Error).message)
    }
  } else if (tx.type !== 'Evaluations' && o.dryRunForum) {
    // The same checks the ledger will make, on a copy: a doomed tx never enters the mempool.
    const dry = forum.cloneState(view.forum)
    const r = forum.applyTx(dry, tx, { slot: Math.max(dry.slot, view.lastSlot) })
    if (!r.ok) throw new TxError(TxErrorCode.FORUM_REFUSED, 'IGNORE', r.message, r.code)
  }
}
