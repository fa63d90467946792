// Worker-thread side of the execution service: evaluates requests one at a time with a per-worker
// compiled-module cache, so evaluation never blocks the node's event loop. Results go out on the port the
// service handed over (workerData.results), which it can read synchronously when its backstop fires;
// a worker started without one (a bare `new Worker`) answers on its parent port.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads'
import { evaluateInProcess, ModuleCache, type EvaluationRequest } from './execute.ts'

export interface WorkerRequest { readonly id: number; readonly request: EvaluationRequest }

const results: MessagePort = (workerData as { results?: MessagePort } | null)?.results ?? parentPort!
const cache = new ModuleCache(64)
parentPort!.on('message', (msg: WorkerRequest) => {
  const result = evaluateInProcess(msg.request, cache)
  results.postMessage({ id: msg.id, result, cacheHits: cache.hits, cacheMisses: cache.misses })
})
results.postMessage({ ready: true })
