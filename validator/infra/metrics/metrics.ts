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
  /** Slots since the last decided block: rises while the network (or this node) is stalled. */
  readonly slotsSinceBlock: Gauge
  /** Gossip transactions refused at admission, by topic and refusal code. */
  readonly txRefused: Counter<'topic' | 'code'>
}

export function createMetrics(): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'agora_process_' })
  dropTotalGauges(registry)
  // libp2p registers gauges named *_total too (streams, DHT operations, TCP events) once its components
  // start: the exposition renames those families (the registry's own metrics stay as libp2p made them).
  const exposition = registry.metrics.bind(registry)
  registry.metrics = async () => renameTotalGauges(await exposition())
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
    slotsSinceBlock: new Gauge({ name: 'agora_slots_since_block', help: 'slots since the last decided block', ...r }),
    txRefused: new Counter({ name: 'agora_gossip_tx_refused_total', help: 'gossip transactions refused at admission, by topic and code', labelNames: ['topic', 'code'], ...r }),
  }
}

/**
 * prom-client's default metrics include three gauges named `*_total` (active handles, requests and
 * resources), a suffix Prometheus reserves for counters (`promtool check metrics` flags them). Each is the
 * sum of the per-type gauge of the same name without the suffix, so it is dropped: `sum(...)` gives it back.
 */
function dropTotalGauges(registry: Registry): void {
  for (const m of registry.getMetricsAsArray()) if (m.name.endsWith('_total') && m instanceof Gauge) registry.removeSingleMetric(m.name)
}

/**
 * Prometheus text with every gauge family named `x_total` renamed `x` (HELP, TYPE and sample lines); `x_bucket`
 * becomes `x_buckets`, as `_bucket` is a histogram's suffix.
 */
export function renameTotalGauges(text: string): string {
  const gauges = new Set<string>()
  for (const m of text.matchAll(/^# TYPE (\S+)_total gauge$/gm)) gauges.add(m[1]!)
  if (gauges.size === 0) return text
  return text.replace(/^(# (?:HELP|TYPE) )?([a-zA-Z_:][a-zA-Z0-9_:]*)_total(?=[\s{])/gm, (all, prefix: string | undefined, base: string) =>
    gauges.has(base) ? `${prefix ?? ''}${base}${base.endsWith('_bucket') ? 's' : ''}` : all)
}
