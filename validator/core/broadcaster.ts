// Broadcaster: what the certifying sets agreed goes on chain once, in order — each epoch's weight matrix,
// and, when the set changes, the update to the next set (certified by the outgoing one) after the outgoing
// set's last weights and before the new set's first. The designated validator of an epoch (rotating over
// that epoch's set) submits at once; the others wait a few slots and submit only if it is still missing
// (the chain client is idempotent). Every node also reads each epoch's transaction back from the chain's
// events, so all nodes know it whoever sent it.
import type { Clock } from '../../core/clock.ts'
import { errorMessage } from '../../core/errors.ts'
import type { ChainClient, ValidatorPower } from '../../contracts/index.ts'
import type { LedgerState } from '../../ledger/ledger.ts'
import type { BlockStore } from '../infra/db/block-store.ts'
import type { Metrics } from '../infra/metrics/metrics.ts'
import type { Logger } from '../infra/log.ts'
import type { Schedule } from './scheduler.ts'
import { learnChainTxs, submitSetUpdate, submitWeights, weightsPending } from './chain-submit.ts'

/** Slots the non-designated validators wait before submitting an epoch's weights or set update themselves. */
export const BROADCAST_FALLBACK_SLOTS = 3
/** Slots between two reads of the chain's WeightsSubmitted events (cheap; bounds how stale chainTx is). */
export const CHAIN_POLL_SLOTS = 2
/** Slots a set update waits for the outgoing set's last weights to land before it goes anyway. */
export const SET_UPDATE_WAIT_SLOTS = 2 * BROADCAST_FALLBACK_SLOTS

export interface BroadcasterModules {
  readonly chain?: ChainClient
  readonly blocks: BlockStore
  readonly ledger: LedgerState
  readonly schedule: Schedule
  readonly clock: Clock
  readonly metrics: Metrics
  readonly log: Logger
  readonly self: string
  /** The members (sorted) of the set certifying `epoch`: the designated submitter rotates over them. */
  rotation(epoch: number): readonly string[]
  /** An epoch's chain transaction became known (sent by us or learned from the chain). */
  chainTxKnown(epoch: number): void
}

export interface Broadcaster {
  isDesignated(epoch: number): boolean
  /** The epoch's weights are certified: submit now (designated) or after the fallback delay. */
  certified(epoch: number): void
  /** The outgoing set certified the update making `validators` the set from `epoch` on. */
  setUpdateCertified(epoch: number, validators: readonly ValidatorPower[], signatures: readonly string[]): void
  /** Called every slot: submit whatever is due, read the chain's events now and then. */
  tick(): void
}

type Item =
  | { kind: 'weights'; epoch: number; dueSlot: number }
  | { kind: 'valset'; epoch: number; dueSlot: number; validators: readonly ValidatorPower[]; signatures: readonly string[] }

/** Chain order: weights(e) before the update to the set of e + 1, before weights(e + 1). */
const order = (i: Item) => (i.kind === 'weights' ? 2 * i.epoch : 2 * i.epoch - 1)

export function createBroadcaster(m: BroadcasterModules): Broadcaster {
  const designated = (epoch: number) => { const r = m.rotation(epoch); return r.length > 0 && r[epoch % r.length] === m.self }
  const items: Item[] = []
  let busy = false
  let nextPollSlot = 0
  let fromBlock = 0
  const now = () => m.schedule.slotAt(m.clock.now())

  async function drain(): Promise<void> {
    items.sort((a, b) => order(a) - order(b))
    // In chain order: an item waits for everything before it (a set update for the weights it follows).
    while (items.length > 0 && items[0]!.dueSlot <= now()) {
      const i = items[0]!
      // The outgoing set's last weights go first (after the update the chain refuses them), unless they
      // are not coming: no miners that epoch, or not certified within the wait.
      if (i.kind === 'valset' && now() < i.dueSlot + SET_UPDATE_WAIT_SLOTS && (await weightsPending(m, i.epoch - 1))) return
      items.shift()
      try {
        if (i.kind === 'weights') await submitWeights(m, i.epoch)
        else await submitSetUpdate(m, i.epoch, i.validators, i.signatures)
      } catch (e) {
        m.log.warn({ kind: i.kind, epoch: i.epoch, err: errorMessage(e) }, 'chain submission failed')
      }
    }
  }

  function tick(): void {
    if (!m.chain || busy) return
    busy = true
    const poll = now() >= nextPollSlot
    if (poll) nextPollSlot = now() + CHAIN_POLL_SLOTS
    void (async () => {
      await drain()
      if (poll) fromBlock = await learnChainTxs(m, fromBlock).catch((e) => { m.log.warn({ err: errorMessage(e) }, 'reading chain events failed'); return fromBlock })
    })().finally(() => { busy = false })
  }

  const enqueue = (i: Item) => {
    if (items.some((x) => x.kind === i.kind && x.epoch === i.epoch)) return
    items.push(i)
    tick()
  }

  return {
    isDesignated: designated,
    certified(epoch) {
      enqueue({ kind: 'weights', epoch, dueSlot: designated(epoch) ? now() : now() + BROADCAST_FALLBACK_SLOTS })
    },
    setUpdateCertified(epoch, validators, signatures) {
      // Submitted by the outgoing set's rotation (epoch − 1 certified it).
      enqueue({ kind: 'valset', epoch, validators, signatures, dueSlot: designated(epoch - 1) ? now() : now() + BROADCAST_FALLBACK_SLOTS })
    },
    tick,
  }
}
