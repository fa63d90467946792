// Broadcaster: each certified weight matrix goes on chain once, in epoch order. The designated validator
// of an epoch (rotating over the genesis set) submits at once; the others wait a few slots and submit only
// if it is still missing (the chain client is idempotent: an epoch already stored is not sent again).
import type { Clock } from '../../core/clock.ts'
import { errorMessage } from '../../core/errors.ts'
import type { ChainClient } from '../../contracts/index.ts'
import type { LedgerState } from '../../ledger/ledger.ts'
import type { BlockStore } from '../infra/db/block-store.ts'
import type { Metrics } from '../infra/metrics/metrics.ts'
import type { Logger } from '../infra/log.ts'
import type { Schedule } from './scheduler.ts'

/** Slots the non-designated validators wait before submitting an epoch's weights themselves. */
export const BROADCAST_FALLBACK_SLOTS = 3

export interface BroadcasterModules {
  readonly chain?: ChainClient
  readonly blocks: BlockStore
  readonly ledger: LedgerState
  readonly schedule: Schedule
  readonly clock: Clock
  readonly metrics: Metrics
  readonly log: Logger
  /** Our own id, and the certifying set (sorted) the designated submitter rotates over. */
  readonly self: string
  readonly rotation: readonly string[]
  /** An epoch's matrix landed on chain through us. */
  submitted(epoch: number): void
}

export interface Broadcaster {
  isDesignated(epoch: number): boolean
  /** The epoch's weights are certified: submit now (designated) or after the fallback delay. */
  certified(epoch: number): void
  /** Called every slot: submit whatever is due. */
  tick(): void
}

export function createBroadcaster(m: BroadcasterModules): Broadcaster {
  const isDesignated = (epoch: number) => m.rotation[epoch % m.rotation.length] === m.self
  const due = new Map<number, number>() // epoch → slot from which we submit ourselves
  let queue: Promise<void> = Promise.resolve()

  async function submit(epoch: number): Promise<void> {
    const rec = await m.blocks.getEpoch(epoch)
    const result = m.ledger.evals.results.get(epoch)
    if (!m.chain || !rec?.weightSignatures || !result) return
    const r = await m.chain.submitWeights(BigInt(epoch), result.uids, result.weights, Object.values(rec.weightSignatures))
    m.metrics.chainSubmissions.inc({ result: r.status })
    if (r.status !== 'submitted') return
    await m.blocks.updateEpoch(epoch, { chainTx: r.txHash })
    m.log.info({ epoch, tx: r.txHash, gas: r.gasUsed.toString() }, 'weights submitted to chain')
    m.submitted(epoch)
  }

  function tick(): void {
    if (!m.chain) return
    const now = m.schedule.slotAt(m.clock.now())
    for (const e of [...due.entries()].filter(([, s]) => s <= now).map(([e]) => e).sort((a, b) => a - b)) {
      due.delete(e)
      queue = queue.then(() => submit(e)).catch((err) => m.log.warn({ epoch: e, err: errorMessage(err) }, 'weight submission failed'))
    }
  }

  return {
    isDesignated,
    certified(epoch) {
      const now = m.schedule.slotAt(m.clock.now())
      due.set(epoch, isDesignated(epoch) ? now : now + BROADCAST_FALLBACK_SLOTS)
      if (isDesignated(epoch)) tick()
    },
    tick,
  }
}
