// Availability stakes: REP locked for whole epochs to be eligible for duties; the stake is the validator's
// voting power. Changes take effect in the validator set at the next epoch boundary (power is fixed per epoch).
import { formatRep } from '../core/amount.ts'
import { AgoraError } from '../core/errors.ts'
import { account, freeOf, type ForumState } from './state.ts'
import { SYSTEM_SENDER, type StakeAvailabilityTx, type UnstakeAvailabilityTx } from './tx.ts'

export function stakeAvailability(s: ForumState, tx: StakeAvailabilityTx): void {
  if (tx.sender === SYSTEM_SENDER) throw new AgoraError('FORBIDDEN', 'the system holds no REP to stake')
  const { availabilityMinLockEpochs: min, availabilityMaxLockEpochs: max } = s.params
  if (tx.epochs < min || tx.epochs > max) throw new AgoraError('BAD_LOCK', `lock of ${tx.epochs} epochs outside [${min}, ${max}]`)
  const free = freeOf(s, tx.sender)
  if (tx.amount > free) throw new AgoraError('INSUFFICIENT', `${tx.sender} locks ${formatRep(tx.amount)} REP but has ${formatRep(free)} free`)
  // Adding to a stake never shortens its lock: the unlock epoch is the later of the two.
  const cur = s.availability.get(tx.sender)
  const unlockEpoch = Math.max(cur?.unlockEpoch ?? 0, s.epoch + tx.epochs)
  account(s, tx.sender).locked += tx.amount
  // Staking again cancels a pending exit.
  s.availability.set(tx.sender, { amount: (cur?.amount ?? 0n) + tx.amount, unlockEpoch })
}

/**
 * Before the unlock epoch an unstake is an exit: the member leaves the validator set at the next boundary
 * but its REP stays locked until the unlock epoch (a validator cannot dodge a dispute by leaving). From the
 * unlock epoch on, an unstake releases the REP. Returns the amount released (0 for an exit).
 */
export function unstakeAvailability(s: ForumState, tx: UnstakeAvailabilityTx): bigint {
  const cur = s.availability.get(tx.sender)
  if (!cur) throw new AgoraError('NO_STAKE', `${tx.sender} has no availability stake`)
  if (s.epoch < cur.unlockEpoch) {
    if (cur.exiting) throw new AgoraError('LOCKED', `availability of ${tx.sender} is exiting and locked until epoch ${cur.unlockEpoch} (now ${s.epoch})`)
    cur.exiting = true
    return 0n
  }
  account(s, tx.sender).locked -= cur.amount
  s.availability.delete(tx.sender)
  return cur.amount
}
