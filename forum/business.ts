// Business: requests carry fees (in the fee currency, not REP); fees collected during an epoch are
// distributed to REP holders pro rata to their REP at the epoch boundary.
import { AgoraError } from '../core/errors.ts'
import { account, circulatingSupply, sortedKeys, type ForumState } from './state.ts'
import { SYSTEM_SENDER, type BusinessRequestTx, type DepositTx } from './tx.ts'

export function businessRequest(s: ForumState, tx: BusinessRequestTx): void {
  if (tx.fee <= 0n) throw new AgoraError('BAD_AMOUNT', 'business request without a fee')
  if (tx.sender === SYSTEM_SENDER) s.totals.deposited += tx.fee // paid outside the forum (e.g. miner fees)
  else {
    const acc = s.accounts.get(tx.sender)
    if (!acc || acc.credits < tx.fee) throw new AgoraError('INSUFFICIENT', `${tx.sender} cannot pay fee ${tx.fee}`)
    acc.credits -= tx.fee
  }
  s.feePot += tx.fee
}

export function deposit(s: ForumState, tx: DepositTx): void {
  if (tx.sender !== SYSTEM_SENDER) throw new AgoraError('FORBIDDEN', 'only the system deposits fee currency')
  account(s, tx.to).credits += tx.amount
  s.totals.deposited += tx.amount
}

/** Pay out the fee pot pro rata to REP (free + locked). Floors; the remainder stays in the pot for next epoch. */
export function distributeFees(s: ForumState): bigint {
  const supply = circulatingSupply(s)
  if (s.feePot === 0n || supply === 0n) return 0n
  const pot = s.feePot
  let paid = 0n
  for (const m of sortedKeys(s.accounts)) {
    const a = s.accounts.get(m)!
    if (a.rep === 0n) continue
    const share = (pot * a.rep) / supply
    a.credits += share
    paid += share
  }
  s.feePot -= paid
  return paid
}
