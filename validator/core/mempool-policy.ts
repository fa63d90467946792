// The mempool's view of the ledger: which lane a tx waits in (our own, the validators' duties, everyone
// else), the fee it can pay (its priority), and whether it can never apply (used nonce, unpaid fee).
import type { MemberId } from '../../core/ids.ts'
import * as forum from '../../forum/index.ts'
import type { VerifiedTx } from '../../ledger/txs.ts'
import type { LedgerView } from './importer.ts'
import { Mempool } from './mempool.ts'

export function createMempool(m: { readonly self: string; readonly ledger: LedgerView; isValidator(member: string): boolean }): Mempool {
  const { ledger, self } = m
  /** The fee `t` pays from its sender's credits, 0 when free, undefined when the credits do not cover it. */
  function payableFee(t: VerifiedTx): bigint | undefined {
    const ty = t.tx.type
    const cls = ty === 'Submission' ? 'submission' : ty === 'Evaluations' || ty === 'Evidence' ? 'duty' : ty === 'Post' || ty === 'InitiatePool' || ty === 'ProposeChallenge' ? 'post' : 'tx'
    const fee = forum.feeOf(ledger.forum, cls)
    return fee === 0n || (ledger.forum.accounts.get(t.sender as MemberId)?.credits ?? 0n) >= fee ? fee : undefined
  }
  /** A sender without credits still has a fee-waived tx this epoch (forum/fees.ts); else its tx can never apply. */
  const feeWaivable = (sender: string) => (ledger.forum.freeTxs.bySender.get(sender as MemberId) ?? 0) < ledger.forum.params.freeTxsPerSender &&
    ledger.forum.freeTxs.total < ledger.forum.params.freeTxsPerEpoch
  return new Mempool({}, {
    laneOf: (t) => (t.sender === self ? 'own' : (t.tx.type === 'Evaluations' || t.tx.type === 'Evidence') && m.isValidator(t.sender) ? 'duty' : 'user'),
    feeOf: (t) => (payableFee(t) ?? 0n),
    cannotApply: (t) => (t.nonce <= (ledger.nonces.get(t.sender) ?? -1) ? { code: 'STALE_NONCE', verdict: 'ignore' }
      : payableFee(t) === undefined && !feeWaivable(t.sender) ? { code: 'FEE_UNPAID', verdict: 'ignore' } : undefined),
  })
}
