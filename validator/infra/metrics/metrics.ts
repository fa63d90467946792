// Every metric of the node, declared in one place (Lodestar's habit): names carry units, time in seconds.
import { Registry, Counter, Gauge, Histogram, Summary, collectDefaultMetrics } from 'prom-client'

export interface Metrics {
  readonly registry: Registry
  readonly height: Gauge
  readonly epoch: Gauge
  readonly peers: Gauge
  readonly mempoolTxs: Gauge
  readonly blockFinality: Histogram
  /** The same, as quantiles over the last 10 minutes (exact p50/p99 for benchmarks and dashboards). */
  readonly blockFinalityQuantiles: Summary
  readonly blockTxs: Histogram
  readonly txOutcomes: Counter<'result'>
  readonly evaluations: Counter<'result'>
  readonly finalScores: Counter<'rule'>
  readonly certifiedEpochs: Counter<'kind'>
  readonly chainSubmissions: Counter<'result'>
}

export function createMetrics(): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'agora_process_' })
  const r = { registers: [registry] }
  return {
    registry,
    height: new Gauge({ name: 'agora_chain_height', help: 'height of the last decided block', ...r }),
    epoch: new Gauge({ name: 'agora_epoch', help: 'current epoch of the ledger', ...r }),
    peers: new Gauge({ name: 'agora_p2p_peers', help: 'connected libp2p peers', ...r }),
    mempoolTxs: new Gauge({ name: 'agora_mempool_transactions', help: 'transactions waiting for a block', ...r }),
    blockFinality: new Histogram({ name: 'agora_block_finality_seconds', help: 'slot start to block decided', buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10], ...r }),
    blockFinalityQuantiles: new Summary({ name: 'agora_block_finality_quantiles_seconds', help: 'slot start to block decided', percentiles: [0.5, 0.9, 0.99], maxAgeSeconds: 600, ageBuckets: 5, ...r }),
    blockTxs: new Histogram({ name: 'agora_block_transactions', help: 'transactions per decided block', buckets: [0, 1, 5, 20, 100, 500, 2000], ...r }),
    txOutcomes: new Counter({ name: 'agora_ledger_transactions_total', help: 'applied transactions by result', labelNames: ['result'], ...r }),
    evaluations: new Counter({ name: 'agora_evaluations_total', help: 'evaluations run by this node', labelNames: ['result'], ...r }),
    finalScores: new Counter({ name: 'agora_final_scores_total', help: 'submissions finalized, by rule', labelNames: ['rule'], ...r }),
    certifiedEpochs: new Counter({ name: 'agora_certified_epochs_total', help: 'quorum certificates formed', labelNames: ['kind'], ...r }),
    chainSubmissions: new Counter({ name: 'agora_chain_submissions_total', help: 'weight submissions to the chain', labelNames: ['result'], ...r }),
  }
}
