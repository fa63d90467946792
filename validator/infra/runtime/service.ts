// The execution service the node calls: a pool of worker threads (sized to the cores), each with its own
// compiled-module cache, a bounded job queue, and a wall-clock backstop per evaluation. A worker that
// overruns is terminated and replaced; its evaluation yields "no result" (noResult: true), never a score.
// The backstop is the worker's time, not the node's: a result the worker sent before the timer fired is
// taken even if this thread's event loop was too busy to read it first (timers run before port messages).
// A full queue refuses new work at once (QUEUE_FULL): the caller backs off and retries later.
import { availableParallelism } from 'node:os'
import { pathToFileURL } from 'node:url'
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads'
import { AgoraError, errorMessage } from '../../../core/errors.ts'
import { DEFAULT_ENTRY } from './abi.ts'
import { auditHash, hashHex, policyHash, type AuditRecord } from './audit.ts'
import type { EvaluationRequest, EvaluationResult } from './execute.ts'
import { workerBundle } from './worker-bundle.ts'

/** Codes of the errors `evaluate` rejects with (a result with noResult is not an error). */
export const ServiceErrorCode = {
  /** The queue holds maxQueued jobs: nothing was queued; retry after some finish. */
  queueFull: 'QUEUE_FULL',
  closed: 'SERVICE_CLOSED',
  /** Workers cannot start (a broken install): every queued job fails with it. */
  failed: 'SERVICE_FAILED',
} as const

/**
 * Jobs waiting for a worker. Each holds its module and input (≤ a few MiB by policy), so the bound
 * keeps memory in check; 256 is several epochs of one committee member's evaluations at today's sizes.
 */
export const DEFAULT_MAX_QUEUED_JOBS = 256

export interface ServiceResult extends EvaluationResult {
  /** true when the backstop fired or the worker died: the evaluation has no result (not a score). */
  readonly noResult?: boolean
}

export interface ExecutionService {
  evaluate(req: EvaluationRequest): Promise<ServiceResult>
  /** Figures for metrics: workers, queued jobs, cache hits/misses reported by workers. */
  /** lateReplies: results read when the backstop fired (the worker had finished; this thread was busy). */
  stats(): { workers: number; queued: number; maxQueued: number; busy: number; cacheHits: number; cacheMisses: number; noResults: number; refused: number; lateReplies: number }
  close(): Promise<void>
}

export interface ExecutionServiceOptions {
  readonly workers?: number
  /** Native stack per worker; far above what the policy's depth limit can use. */
  readonly stackSizeMb?: number
  /** Jobs that may wait for a worker before `evaluate` refuses with QUEUE_FULL (DEFAULT_MAX_QUEUED_JOBS). */
  readonly maxQueued?: number
}

interface Job { readonly id: number; readonly request: EvaluationRequest; resolve(r: ServiceResult): void; reject(e: unknown): void }
interface Slot { worker: Worker; results: MessagePort; ready: Promise<void>; job?: Job; timer?: NodeJS.Timeout }
type WorkerMessage = { ready?: boolean; id?: number; result?: EvaluationResult; cacheHits?: number; cacheMisses?: number }

/**
 * Node options a worker starts with: none. By default a worker inherits the parent's execArgv, so under
 * `node --import tsx` (bench, sim, tests) every worker set up the TypeScript loader again before loading
 * its precompiled bundle: ≈ 150 ms of a ≈ 230 ms start. The bundle needs no loader and no polyfill (it
 * has no libp2p); V8 flags are process-wide anyway and per-worker limits go in resourceLimits.
 */
const WORKER_EXEC_ARGV: string[] = []

// Workers run precompiled JS (worker-bundle.ts), built at most once per process and change.
let workerUrl: URL | undefined
function bundledWorker(): URL {
  try { return (workerUrl ??= pathToFileURL(workerBundle())) } catch (e) {
    throw new AgoraError(ServiceErrorCode.failed, `cannot build the runtime worker: ${errorMessage(e)}`)
  }
}

export function createExecutionService(opts: ExecutionServiceOptions = {}): ExecutionService {
  const size = Math.max(1, opts.workers ?? availableParallelism())
  const maxQueued = Math.max(1, opts.maxQueued ?? DEFAULT_MAX_QUEUED_JOBS)
  const url = bundledWorker()
  const queue: Job[] = []
  const slots: Slot[] = []
  let nextId = 1
  let closed = false
  let cacheHits = 0
  let cacheMisses = 0
  let noResults = 0
  let refused = 0
  let lateReplies = 0

  const spawn = (): Slot => {
    const { port1: results, port2 } = new MessageChannel()
    const worker = new Worker(url, { execArgv: WORKER_EXEC_ARGV, workerData: { results: port2 }, transferList: [port2], resourceLimits: { stackSizeMb: opts.stackSizeMb ?? 32, maxOldGenerationSizeMb: 512 } })
    let markReady!: () => void
    const slot: Slot = { worker, results, ready: new Promise((r) => { markReady = r }) }
    results.on('message', (msg: WorkerMessage) => {
      if (msg.ready) { slotStarted.add(slot); startFailures = 0; markReady(); pump(); return }
      settle(slot, msg)
    })
    worker.on('error', (e) => {
      // A worker that cannot even start (bad install) must not respawn forever: fail the queue instead.
      if (!slotStarted.has(slot) && ++startFailures >= 3) {
        closed = true
        for (const job of queue.splice(0)) job.reject(new AgoraError(ServiceErrorCode.failed, `execution workers fail to start: ${(e as Error).message}`))
      }
      replace(slot, 'worker failed')
    })
    worker.on('exit', () => { if (!closed && slots.includes(slot)) replace(slot, 'worker exited') })
    return slot
  }
  /** The worker's reply to its current job: resolve it and hand the worker the next one. */
  const settle = (slot: Slot, msg: WorkerMessage): void => {
    const job = slot.job
    if (!job || msg.id !== job.id) return
    clearTimeout(slot.timer)
    slot.job = undefined
    cacheHits += msg.cacheHits! - (slotStats.get(slot)?.hits ?? 0)
    cacheMisses += msg.cacheMisses! - (slotStats.get(slot)?.misses ?? 0)
    slotStats.set(slot, { hits: msg.cacheHits!, misses: msg.cacheMisses! })
    job.resolve(msg.result!)
    pump()
  }
  /** The backstop fired: a reply already sent wins (read synchronously); otherwise the worker overran. */
  const backstop = (slot: Slot, job: Job): void => {
    const sent = receiveMessageOnPort(slot.results)?.message as WorkerMessage | undefined
    if (sent && sent.id === job.id) { lateReplies++; settle(slot, sent); return }
    replace(slot, `wall-clock backstop (${job.request.policy.wallClockMs} ms)`)
  }
  const slotStats = new WeakMap<Slot, { hits: number; misses: number }>()
  const slotStarted = new WeakSet<Slot>()
  let startFailures = 0

  const replace = (slot: Slot, why: string): void => {
    const i = slots.indexOf(slot)
    if (i < 0) return
    clearTimeout(slot.timer)
    const job = slot.job
    slot.job = undefined
    slots.splice(i, 1)
    slot.results.close()
    void slot.worker.terminate()
    if (job) { noResults++; job.resolve(noResult(job.request, why)) }
    if (!closed) { slots.push(spawn()) }
  }

  const pump = (): void => {
    for (const slot of slots) {
      if (slot.job || queue.length === 0) continue
      void slot.ready.then(() => {
        if (slot.job || closed || !slots.includes(slot)) return
        const job = queue.shift()
        if (!job) return
        slot.job = job
        slot.timer = setTimeout(() => backstop(slot, job), job.request.policy.wallClockMs)
        slot.worker.postMessage({ id: job.id, request: job.request })
      })
    }
  }

  // Workers start with the first evaluation, not with the service: a node with nothing to evaluate keeps
  // no worker isolates (each is several MB of RSS). The bundle is still built (or found) above, at once.
  let started = false
  const start = (): void => {
    if (started) return
    started = true
    for (let i = 0; i < size; i++) slots.push(spawn())
  }

  return {
    evaluate(request) {
      if (closed) return Promise.reject(new AgoraError(ServiceErrorCode.closed, 'execution service is closed'))
      if (queue.length >= maxQueued) {
        refused++
        return Promise.reject(new AgoraError(ServiceErrorCode.queueFull, `execution queue is full (${maxQueued} jobs waiting)`))
      }
      return new Promise<ServiceResult>((resolve, reject) => {
        queue.push({ id: nextId++, request, resolve, reject })
        start()
        pump()
      })
    },
    stats: () => ({ workers: slots.length, queued: queue.length, maxQueued, busy: slots.filter((s) => s.job).length, cacheHits, cacheMisses, noResults, refused, lateReplies }),
    async close() {
      closed = true
      for (const job of queue.splice(0)) job.resolve(noResult(job.request, 'service closed'))
      await Promise.all(slots.splice(0).map(async (s) => {
        clearTimeout(s.timer)
        if (s.job) s.job.resolve(noResult(s.job.request, 'service closed'))
        s.results.close()
        await s.worker.terminate()
      }))
    },
  }
}

function noResult(req: EvaluationRequest, why: string): ServiceResult {
  const audit: AuditRecord = {
    version: 1,
    moduleHash: hashHex(req.module),
    inputHash: hashHex(req.input),
    seedHash: hashHex(req.seed),
    policyHash: policyHash(req.policy),
    entry: req.entry ?? DEFAULT_ENTRY,
    fuelLimit: req.policy.fuelLimit,
    fuelUsed: 0n,
    hostCalls: [],
    outcome: 'NO_RESULT',
    outputHash: hashHex(new Uint8Array()),
    outputBytes: 0,
  }
  return { ok: false, noResult: true, fuelUsed: 0n, output: new Uint8Array(), error: { code: 'NO_RESULT', message: why }, auditHash: auditHash(audit), audit, logs: [] }
}
