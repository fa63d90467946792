// Worker-thread side of the execution service: evaluates requests one at a time with a per-worker
// compiled-module cache, so evaluation never blocks the node's event loop.
import { parentPort } from 'node:worker_threads'
import { evaluateInProcess, ModuleCache, type EvaluationRequest } from './execute.ts'

export interface WorkerRequest { readonly id: number; readonly request: EvaluationRequest }

const cache = new ModuleCache(64)
parentPort!.on('message', (msg: WorkerRequest) => {
  const result = evaluateInProcess(msg.request, cache)
  parentPort!.postMessage({ id: msg.id, result, cacheHits: cache.hits, cacheMisses: cache.misses })
})
parentPort!.postMessage({ ready: true })
