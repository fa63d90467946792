// `--jobs N` for the node simulator: N child processes (the same CLI in worker mode, so each installs its
// signature hooks) take chunks of seeds from one queue; the parent collects one record per seed. Seeds
// are independent and every cache is of pure results, so the outcome is the one a single process gives.
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** What the CLI keeps of one seed's run. */
export interface SeedRecord {
  readonly seed: number
  readonly steps: number
  readonly realTimers: number
  readonly epochsOnChain: number
  readonly blocks: number
  readonly violations: number
  /** The failing seed's JSON line (violations, faults, replay command), when it failed. */
  readonly line?: string
}

/** Seeds per message to a worker: small enough to balance the tail, large enough that IPC is noise. */
const CHUNK = 10
const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url))

/** Run `seeds` in `jobs` workers started with `args`; `onRecord` sees every record as it arrives. */
export function runPool(seeds: readonly number[], jobs: number, args: string[], onRecord: (r: SeedRecord) => void): Promise<void> {
  let next = 0
  const feed = (w: ChildProcess) => {
    const chunk = seeds.slice(next, next + CHUNK)
    next += chunk.length
    w.send(chunk.length > 0 ? { seeds: chunk } : { stop: true })
  }
  return new Promise((resolve, reject) => {
    let running = Math.min(jobs, seeds.length)
    if (running === 0) return resolve()
    for (let i = 0; i < running; i++) {
      const w = fork(CLI, [...args, '--worker'], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
      let pending = 0
      w.on('message', (m: { ready?: true; record?: SeedRecord }) => {
        if (m.record) { onRecord(m.record); pending-- }
        if (m.ready || (m.record && pending === 0)) { const before = next; feed(w); pending = next - before }
      })
      w.on('exit', (code) => {
        if (code !== 0) return reject(new Error(`sim worker exited with ${code}`))
        if (--running === 0) resolve()
      })
    }
  })
}

/** Worker side: answer each chunk of seeds with one record per seed until told to stop. */
export function serveWorker(run: (seed: number) => Promise<SeedRecord>): Promise<void> {
  return new Promise((resolve) => {
    process.on('message', async (m: { seeds?: number[]; stop?: true }) => {
      if (m.stop) { process.disconnect(); return resolve() }
      for (const seed of m.seeds ?? []) process.send!({ record: await run(seed) })
    })
    process.send!({ ready: true })
  })
}
