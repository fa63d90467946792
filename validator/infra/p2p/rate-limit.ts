// Token buckets keyed by peer or sender: `take(key)` is false once a key spent its burst faster than
// its refill rate. Bounded: the least recently used keys are forgotten past `maxKeys`.
import type { Clock } from '../../../core/clock.ts'

export interface RateLimit { readonly perSecond: number; readonly burst: number }

export interface RateLimiter {
  /** Spend one token of `key`; false when the key is over its rate. */
  take(key: string): boolean
}

export function createRateLimiter(limit: RateLimit, clock: Clock, maxKeys = 10_000): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>()
  return {
    take(key) {
      const now = clock.now()
      const b = buckets.get(key) ?? { tokens: limit.burst, at: now }
      buckets.delete(key) // re-insert below: Map order is our LRU order (not used for anything replicated)
      b.tokens = Math.min(limit.burst, b.tokens + ((now - b.at) * limit.perSecond) / 1000)
      b.at = now
      const ok = b.tokens >= 1
      if (ok) b.tokens -= 1
      buckets.set(key, b)
      if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value!)
      return ok
    },
  }
}

/** A bounded set that forgets its oldest members (duplicate detection). */
export function createSeenSet(max: number): { has(k: string): boolean; add(k: string): void } {
  const seen = new Set<string>()
  return {
    has: (k) => seen.has(k),
    add(k) {
      seen.add(k)
      if (seen.size > max) seen.delete(seen.values().next().value!)
    },
  }
}
