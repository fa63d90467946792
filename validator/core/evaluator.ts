// Evaluator: runs the submissions this node's committee seat was assigned in the runtime worker pool and
// collects the reports; the workflow commits to them at once and reveals them once the commit window (in
// blocks) has closed (so a lazy validator cannot copy what others revealed). A deterministic failure (trap, fuel exhausted) is a score of 0 with an output hash naming the failure; a backstop
// timeout or a payload we could not fetch is "no result" (ok = false), never a score.
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { sha256 } from '../../core/hash.ts'
import { fromHex, toHex, utf8, concatBytes } from '../../core/bytes.ts'
import { errorMessage, isAgoraError } from '../../core/errors.ts'
import type { ExecutionService } from '../infra/runtime/service.ts'
import type { RuntimePolicy } from '../infra/runtime/policy.ts'
import { challengeScore } from '../infra/runtime/score.ts'
import type { EvaluationReport } from '../../ledger/txs.ts'
import type { SubmissionRecord } from '../../ledger/evaluations.ts'
import type { Logger } from '../infra/log.ts'

export interface EvaluatorModules {
  runtime: ExecutionService
  log: Logger
  /** Module bytes (hash-checked) and policy of a challenge. */
  challenge(id: string): Promise<{ module: Uint8Array; policy: RuntimePolicy } | undefined>
  payload(cid: string): Promise<Uint8Array | undefined>
  /** Test-only switch: report perturbed scores (a dishonest validator). */
  dishonest?: boolean
}

/** A finished evaluation: the report (with its secret salt) and the first block height it may be revealed in. */
export interface Evaluated { readonly report: EvaluationReport; readonly revealHeight: number }

export interface Evaluator {
  assign(sub: SubmissionRecord): void
  /** Evaluations finished since the last call. */
  drain(): Evaluated[]
  idle(): Promise<void>
  readonly inFlight: number
}

/** A fixed per-challenge seed: only the whole-node simulator's demo actors use it (nodes run the epoch's seed). */
export const challengeSeed = (challengeId: string): Uint8Array => sha256(concatBytes(utf8('agora/v1/seed/'), utf8(challengeId)))

export function createEvaluator(m: EvaluatorModules): Evaluator {
  const done: Evaluated[] = []
  // The salt hides the report until it is revealed; it is local randomness, never part of replicated state.
  const salt = () => toHex(randomBytes(32))
  const running = new Set<Promise<void>>()
  // Refused by a full runtime queue (backpressure): tried again at the next drain, i.e. the next slot.
  const waiting: SubmissionRecord[] = []

  async function evaluate(sub: SubmissionRecord): Promise<EvaluationReport> {
    const none = (why: string): EvaluationReport => {
      m.log.warn({ submission: sub.id.slice(0, 12), why }, 'evaluation has no result')
      return { submission: sub.id, score: 0, fuelUsed: 0n, outputHash: toHex(sha256(utf8(`no-result`))), ok: false, salt: salt() }
    }
    const ch = await m.challenge(sub.challenge)
    if (!ch) return none(`challenge ${sub.challenge} module unavailable`)
    const input = await m.payload(sub.payloadCid)
    if (!input) return none(`payload ${sub.payloadCid} unavailable`)
    // The instance of the submission's epoch, fixed by the log (ledger/evaluations.ts challengeInstanceSeed).
    const started = performance.now() // local timing, for the log only
    const r = await m.runtime.evaluate({ module: ch.module, input, seed: fromHex(sub.seed), policy: ch.policy })
    if (r.noResult) return none(r.error?.message ?? 'backstop')
    // A run near its backstop is one a busier machine turns into "no result": worth seeing before it happens.
    const ms = Math.round(performance.now() - started)
    if (2 * ms > ch.policy.wallClockMs) m.log.warn({ submission: sub.id.slice(0, 12), challenge: sub.challenge, ms, backstopMs: ch.policy.wallClockMs, fuelUsed: String(r.fuelUsed) }, 'evaluation (queue wait + run) took over half its backstop')
    let score = 0
    let outputHash: string
    if (r.ok) {
      score = Number(challengeScore(r.output))
      outputHash = toHex(sha256(r.output))
    } else {
      outputHash = toHex(sha256(utf8(`error:${r.error?.code ?? 'unknown'}`)))
    }
    if (m.dishonest) {
      score = (score + 250_000) % 1_000_001
      outputHash = toHex(sha256(utf8(`lie:${outputHash}`)))
    }
    return { submission: sub.id, score, fuelUsed: r.fuelUsed, outputHash, ok: true, salt: salt() }
  }

  function assign(sub: SubmissionRecord): void {
    const p = evaluate(sub)
      .then((report) => { done.push({ report, revealHeight: sub.revealHeight }) })
      .catch((e) => {
        if (isAgoraError(e, 'QUEUE_FULL')) waiting.push(sub)
        else m.log.warn({ err: errorMessage(e) }, 'evaluation failed')
      })
      .finally(() => running.delete(p))
    running.add(p)
  }

  return {
    get inFlight() { return running.size },
    assign,
    drain() {
      for (const sub of waiting.splice(0)) assign(sub)
      return done.splice(0)
    },
    async idle() { await Promise.all([...running]) },
  }
}
