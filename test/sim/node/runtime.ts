// The real runtime in-process as an ExecutionService: evaluateInProcess is pure and synchronous, so the
// answer is deterministic and arrives as a resolved promise (no worker threads, no wall-clock backstop).
// Results are memoized process-wide (pure function). A lazy validator's service never answers.
import { ModuleCache, evaluateInProcess } from '../../../validator/infra/runtime/execute.ts'
import type { ExecutionService } from '../../../validator/infra/runtime/service.ts'
import { hashHex, policyHash } from '../../../validator/infra/runtime/audit.ts'
import { toHex } from '../../../core/bytes.ts'

/** Results by (module, input, seed, policy, entry): the runtime is pure, so each is computed once per process. */
const results = new Map<string, ReturnType<typeof evaluateInProcess>>()
const MAX_RESULTS = 10_000

/** Compiled modules are shared by every simulated node and seed (metering + compiling is the slow part). */
const cache = new ModuleCache(16)

export function inProcessRuntime(opts: { lazy?: boolean } = {}): ExecutionService & { evaluations: number } {
  const svc = {
    evaluations: 0,
    async evaluate(req: Parameters<ExecutionService['evaluate']>[0]) {
      if (opts.lazy) return new Promise<never>(() => {})
      svc.evaluations++
      const key = `${hashHex(req.module)}|${hashHex(req.input)}|${toHex(req.seed)}|${policyHash(req.policy)}|${req.entry ?? ''}`
      let r = results.get(key)
      if (!r) {
        r = evaluateInProcess(req, cache)
        if (results.size > MAX_RESULTS) results.clear()
        results.set(key, r)
      }
      return r
    },
    stats: () => ({ workers: 0, queued: 0, maxQueued: 0, busy: 0, cacheHits: 0, cacheMisses: 0, noResults: 0, refused: 0, lateReplies: 0 }),
    close: async () => {},
  }
  return svc
}
