// Transaction fees: every member transaction pays a governed fee in credits into the fee pot (distributed
// to REP holders at the boundary). A sender that cannot pay may still send a few per epoch with the fee
// waived (freeTxsPerSender, and freeTxsPerEpoch over all senders), so fresh keys cannot fill blocks.
import { AgoraError } from '../core/errors.ts'
import type { MemberId } from '../core/ids.ts'
import type { ForumState } from './state.ts'

export type FeeClass = 'submission' | 'post' | 'tx' | 'duty'

/** The governed fee of a transaction class (duties — evaluations, evidence — are free: they are work). */
export function feeOf(s: ForumState, cls: FeeClass): bigint {
  const p = s.params
  return BigInt(cls === 'submission' ? p.submissionFee : cls === 'post' ? p.postFee : cls === 'tx' ? p.txFee : 0)
}

/**
 * Charge `sender` the fee of `cls`: from its credits when it has enough, else from the free quota.
 * Throws FEE_UNPAID (nothing changes) when neither covers it. Returns what was paid in credits.
 */
export function chargeFee(s: ForumState, sender: MemberId, cls: FeeClass): bigint {
  const fee = feeOf(s, cls)
  if (fee === 0n) return 0n
  const acc = s.accounts.get(sender)
  if (acc && acc.credits >= fee) {
    acc.credits -= fee
    s.feePot += fee
    return fee
  }
  const mine = s.freeTxs.bySender.get(sender) ?? 0
  if (mine >= s.params.freeTxsPerSender) throw new AgoraError('FEE_UNPAID', `${sender} cannot pay fee ${fee} and used its ${s.params.freeTxsPerSender} fee-waived transactions this epoch`)
  if (s.freeTxs.total >= s.params.freeTxsPerEpoch) throw new AgoraError('FEE_UNPAID', `${sender} cannot pay fee ${fee} and this epoch's ${s.params.freeTxsPerEpoch} fee-waived transactions are used`)
  s.freeTxs.bySender.set(sender, mine + 1)
  s.freeTxs.total += 1
  return 0n
}
