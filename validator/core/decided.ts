// What follows a decided block once the importer applied it: metrics, mempool pruning, the ledger's
// events routed to their duties (evaluator assignments, epoch certification, hand-overs), node events.
import type { Clock } from '../../core/clock.ts'
import { errorMessage } from '../../core/errors.ts'
import type { LedgerEvent } from '../../ledger/ledger.ts'
import type { Block } from '../../ledger/block.ts'
import type { Logger } from '../infra/log.ts'
import type { Metrics } from '../infra/metrics/metrics.ts'
import type { Checkpointer } from './checkpointer.ts'
import type { Evaluator } from './evaluator.ts'
import type { HandoverChain } from './handover.ts'
import type { Imported, LedgerView } from './importer.ts'
import type { Mempool } from './mempool.ts'
import type { NodeEventBus } from './node-events.ts'
import { dtoBlock, dtoPool, dtoSubmission } from './node-view.ts'
import type { Schedule } from './scheduler.ts'

export interface DecidedModules {
  readonly self: string; readonly ledger: LedgerView; readonly schedule: Schedule; readonly clock: Clock
  readonly metrics: Metrics; readonly log: Logger; readonly mempool: Mempool; readonly evaluator: Evaluator
  readonly checkpointer: Checkpointer; readonly handover: HandoverChain; readonly events: NodeEventBus
}

/** The importer's subscriber for live blocks (replay has none of these effects). */
export function onDecided(m: DecidedModules): (i: Imported) => void {
  return ({ block, certificate, result }) => {
    m.metrics.height.set(block.height)
    m.metrics.epoch.set(m.ledger.forum.epoch)
    m.metrics.blockTxs.observe(block.txs.length)
    const finality = Math.max(0, m.clock.now() - m.schedule.info(block.slot).slotStartMs) / 1000
    m.metrics.blockFinality.observe(finality)
    m.metrics.blockFinalityQuantiles.observe(finality)
    m.log.debug({ height: block.height, finalityMs: Math.round(finality * 1000), t: m.clock.now() }, 'block imported')
    for (const r of result.outcomes) m.metrics.txOutcomes.inc({ result: r.ok ? 'ok' : r.code ?? 'failed' })
    m.mempool.prune(result.outcomes.map((r) => r.id)) // and whatever can no longer apply (cannotApply)
    for (const e of result.events) route(m, e, block)
    m.events.emit({ type: 'block', block: dtoBlock(block, result.stateRoot, certificate) })
    m.events.refreshView()
  }
}

function route(m: DecidedModules, e: LedgerEvent, block: Block): void {
  switch (e.type) {
    case 'submission':
      if (e.submission.committee.some((c) => c.validator === m.self)) m.evaluator.assign(e.submission)
      return
    case 'finalScore':
      m.metrics.finalScores.inc({ rule: e.submission.final?.rule ?? 'unknown' })
      m.events.emit({ type: 'finalScore', submission: dtoSubmission(e.submission) })
      return
    case 'epochClosed':
      m.handover.learn(e.result.epoch, e.set)
      m.handover.learn(e.result.epoch + 1, e.nextSet)
      void m.checkpointer.epochClosed(e.result, block, e.set, e.nextSet).catch((err) => m.log.warn({ epoch: e.result.epoch, err: errorMessage(err) }, 'epoch duties failed'))
      return
    case 'dispute':
      m.log.info({ validator: e.validator, submission: e.submission.slice(0, 12) }, 'dispute pool opened')
      return
    case 'forum':
      if (e.event.type === 'PoolResolved') { const p = m.ledger.forum.pools.get(e.event.pool); if (p) m.events.emit({ type: 'poolOutcome', pool: dtoPool(p) }) }
      return
  }
}
