// Time: slots and epochs. Epoch length is governed, so the epoch is tracked (not derived from the slot).
// At each boundary, in this order: fees are distributed, pending parameter changes take effect, the
// fee-waived transaction quotas start afresh, and the validator set for the new epoch is fixed from the
// availability stakes.
import { AgoraError } from '../core/errors.ts'
import { distributeFees } from './business.ts'
import { activatePendingParams } from './governance.ts'
import { computeValidatorSet, type ForumState } from './state.ts'
import type { ForumEvent } from './events.ts'

/**
 * Move the clock to `slot` and the block at `height` (never backwards), running every epoch boundary
 * crossed on the way. The ledger names each block's height; without one the clock counts one block per
 * slot moved (a chain that decides every slot: the forum's own scenarios and tests), so heights and
 * slots then agree and every window reads as it did in slots.
 */
export function advanceTo(s: ForumState, slot: number, height: number = s.height + (slot - s.slot), events: ForumEvent[] = []): ForumEvent[] {
  if (!Number.isSafeInteger(slot) || slot < s.slot) throw new AgoraError('BAD_SLOT', `cannot move from slot ${s.slot} to ${slot}`)
  if (!Number.isSafeInteger(height) || height < s.height) throw new AgoraError('BAD_HEIGHT', `cannot move from height ${s.height} to ${height}`)
  const prevEpoch = s.epoch
  while (slot >= s.epochStartSlot + s.params.epochSlots) {
    s.epochStartSlot += s.params.epochSlots
    s.epoch += 1
    onEpochBoundary(s, events)
  }
  s.slot = slot
  s.height = height
  // The first block past a boundary is the new epoch's first (skipped epochs had none).
  if (s.epoch > prevEpoch) s.epochStartHeight = height
  return events
}

/** Everything that happens when epoch `s.epoch` starts (the caller has already incremented it). */
export function onEpochBoundary(s: ForumState, events: ForumEvent[] = []): ForumEvent[] {
  const paid = distributeFees(s)
  if (paid > 0n) events.push({ type: 'FeesDistributed', epoch: s.epoch, amount: paid })
  const { applied, error } = activatePendingParams(s)
  if (Object.keys(applied).length) events.push({ type: 'ParamsActivated', epoch: s.epoch, changes: applied })
  if (error) events.push({ type: 'ParamsDropped', epoch: s.epoch, reason: error })
  s.freeTxs = { total: 0, bySender: new Map() }
  s.validators = computeValidatorSet(s)
  events.push({ type: 'EpochStarted', epoch: s.epoch, startSlot: s.epochStartSlot, validators: s.validators.length })
  return events
}
