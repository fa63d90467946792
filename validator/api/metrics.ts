// API metrics, declared in one place and registered on the Registry the node passes in (so /metrics shows
// the node's own metrics too). Re-registering on the same Registry reuses the existing metric.
import { Counter, Histogram, type Registry } from 'prom-client'

export interface ApiMetrics {
  readonly requests: Counter<'route' | 'status'>
  readonly duration: Histogram<'route'>
  readonly transactions: Counter<'type' | 'result'>
  readonly refused: Counter<'code'>
}

function reuse<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make()
}

export function createApiMetrics(registry: Registry): ApiMetrics {
  const registers = [registry]
  return {
    requests: reuse(registry, 'agora_api_requests_total', () => new Counter({
      name: 'agora_api_requests_total', help: 'HTTP requests served by the API, by route and status', labelNames: ['route', 'status'] as const, registers,
    })),
    duration: reuse(registry, 'agora_api_request_duration_seconds', () => new Histogram({
      name: 'agora_api_request_duration_seconds', help: 'API request duration until the response head is sent',
      labelNames: ['route'] as const, buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers,
    })),
    transactions: reuse(registry, 'agora_api_transactions_total', () => new Counter({
      name: 'agora_api_transactions_total', help: 'Signed transactions received through mutations, by type and result (accepted or error code)',
      labelNames: ['type', 'result'] as const, registers,
    })),
    refused: reuse(registry, 'agora_api_refused_total', () => new Counter({
      name: 'agora_api_refused_total', help: 'Requests refused by API protection (rate, size, depth, cost), by code', labelNames: ['code'] as const, registers,
    })),
  }
}
