// The mempool's view of the ledger: which lane a tx waits in (our own, the validators' duties, everyone
// else), what it pays given what its sender already has pending (credits first, then a fee-waived slot:
// forum/fees.ts), and whether it can never apply (used nonce, fee unpaid). Pending fees and waived slots
// count, so a burst from fresh keys is refused at the epoch's free quota instead of filling the mempool.
import type { MemberId } from '../../core/ids.ts'
import * as forum from '../../forum/index.ts'
import { TxErrorCode } from '../../ledger/admission.ts'
import type { LedgerView } from './importer.ts'
import { Mempool, type Charge, type Pending, type Unappliable } from './mempool.ts'
import type { TxHead } from './tx-verifier.ts'

type FeeClass = Parameters<typeof forum.feeOf>[1]
const feeClassOf = (type: string): FeeClass =>
  type === 'Submission' ? 'submission' : type === 'Evaluations' || type === 'Evidence' ? 'duty'
    : type === 'Post' || type === 'InitiatePool' || type === 'ProposeChallenge' ? 'post' : 'tx'

// Both IGNORE: only our state says so (a block we have not seen may have given credits or a new epoch).
const FEE_UNPAID: Unappliable = { code: TxErrorCode.FEE_UNPAID, verdict: 'ignore' }
const STALE_NONCE: Unappliable = { code: TxErrorCode.STALE_NONCE, verdict: 'ignore' }

/** What `t` pays on top of `pending` (mirrors forum/fees.ts chargeFee in the order txs were admitted). */
export function chargeOf(ledger: LedgerView, t: TxHead, pending: Pending): Charge | Unappliable {
  if (t.nonce <= (ledger.nonces.get(t.sender) ?? -1)) return STALE_NONCE
  const f = ledger.forum
  const fee = forum.feeOf(f, feeClassOf(t.tx.type))
  if (fee === 0n) return { fee: 0n, waived: false }
  if ((f.accounts.get(t.sender as MemberId)?.credits ?? 0n) >= pending.fees + fee) return { fee, waived: false }
  const mine = (f.freeTxs.bySender.get(t.sender as MemberId) ?? 0) + pending.waived
  const all = f.freeTxs.total + pending.waivedTotal
  return mine < f.params.freeTxsPerSender && all < f.params.freeTxsPerEpoch ? { fee: 0n, waived: true } : FEE_UNPAID
}

export function createMempool(m: { readonly self: string; readonly ledger: LedgerView; isValidator(member: string): boolean }): Mempool {
  const { ledger, self } = m
  return new Mempool({}, {
    laneOf: (t) => (t.sender === self ? 'own' : (t.tx.type === 'Evaluations' || t.tx.type === 'Evidence') && m.isValidator(t.sender) ? 'duty' : 'user'),
    charge: (t, pending) => chargeOf(ledger, t, pending),
  })
}
