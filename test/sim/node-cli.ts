// `npm run sim -- --node --seeds N --validators V [--byzantine B] [--seed S] [--first-seed F] [--jobs J]
// [--plant double-sign|divergence] [--progress K]` runs whole-node schedules: one JSON line per failing
// seed (with the command that replays it), then {"mode":"node","seeds":N,"validators":V,"steps":…,
// "violations":K,…}; exit code 0 only when K is 0. --jobs runs seeds in J worker processes (node/pool.ts);
// --progress prints a progress line to stderr every K seeds (with the first seed not yet done).
import { register } from 'node:module'
import type { SeedRecord } from './node/pool.ts'

type Values = Record<string, string | boolean | undefined>

const int = (v: string | boolean | undefined, name: string, min = 0): number => {
  const x = Number(v)
  if (typeof v !== 'string' || !Number.isSafeInteger(x) || x < min) { process.stderr.write(`error: --${name} must be an integer ≥ ${min}\n`); process.exit(2) }
  return x
}

/** Totals over the seeds run so far, and the smallest seed not yet done (where a resumed run starts). */
class Tally {
  steps = 0; violations = 0; failing = 0; realTimers = 0; epochsOnChain = 0; blocks = 0; done = 0
  private readonly finished = new Set<number>()
  private firstOpen: number
  constructor(first: number) { this.firstOpen = first }
  add(r: SeedRecord): void {
    this.done++; this.steps += r.steps; this.realTimers += r.realTimers; this.epochsOnChain += r.epochsOnChain; this.blocks += r.blocks
    if (r.violations > 0) { this.violations += r.violations; this.failing++ }
    this.finished.add(r.seed)
    while (this.finished.delete(this.firstOpen)) this.firstOpen++
  }
  get resumeAt(): number { return this.firstOpen }
}

export async function runNodeCli(values: Values): Promise<number> {
  // Signature results memoized process-wide before the node's modules load (crypto-memo.ts says why).
  register('./node/crypto-hooks.mjs', import.meta.url)
  const { runNodeSchedule, replayNodeCommand } = await import('./node/run.ts')
  const validators = int(values.validators, 'validators', 1)
  const byzantine = values.byzantine === undefined ? Math.floor((validators - 1) / 3) : int(values.byzantine, 'byzantine')
  const plant = values.plant as 'double-sign' | 'divergence' | undefined
  if (plant && plant !== 'double-sign' && plant !== 'divergence') { process.stderr.write('error: --plant is double-sign or divergence\n'); return 2 }
  const shape = {
    ...(values['fault-slots'] !== undefined ? { faultSlots: int(values['fault-slots'], 'fault-slots', 1) } : {}),
    ...(values['heal-slots'] !== undefined ? { healSlots: int(values['heal-slots'], 'heal-slots', 1) } : {}),
  }
  const runSeed = async (seed: number): Promise<SeedRecord> => {
    const cfg = { seed, validators, byzantine, ...shape, ...(plant ? { plant } : {}) }
    const r = await runNodeSchedule(cfg)
    if (values.seed !== undefined) process.stderr.write(`seed ${seed}: ${r.faults}; ${r.steps} steps, heights ${r.heights.join(',')}, coverage ${JSON.stringify(r.coverage)}\n`)
    return {
      seed, steps: r.steps, realTimers: r.realTimers, epochsOnChain: r.coverage.epochsOnChain, blocks: Math.max(...r.heights), violations: r.violations.length,
      ...(r.violations.length > 0 ? { line: JSON.stringify({ seed, violations: r.violations, faults: r.faults, replay: replayNodeCommand(cfg) }) } : {}),
    }
  }
  if (values.worker) { await (await import('./node/pool.ts')).serveWorker(runSeed); return 0 }

  const first = int(values['first-seed'] ?? '1', 'first-seed')
  const seeds = values.seed !== undefined ? [int(values.seed, 'seed')] : Array.from({ length: int(values.seeds, 'seeds') }, (_, i) => first + i)
  const jobs = values.jobs === undefined ? 1 : int(values.jobs, 'jobs', 1)
  const every = values.progress === undefined ? 0 : int(values.progress, 'progress', 1)
  const t0 = performance.now()
  const tally = new Tally(seeds[0] ?? first)
  const seconds = () => (performance.now() - t0) / 1000
  const onRecord = (r: SeedRecord) => {
    tally.add(r)
    if (r.line) process.stdout.write(r.line + '\n')
    if (every && tally.done % every === 0) process.stderr.write(JSON.stringify({ progress: tally.done, of: seeds.length, violations: tally.violations, resumeAt: tally.resumeAt, s: Math.round(seconds()), seedsPerSec: Number((tally.done / seconds()).toFixed(2)) }) + '\n')
  }
  if (jobs > 1 && seeds.length > 1) {
    const pass = ['--node', '--validators', String(validators), '--byzantine', String(byzantine), ...(plant ? ['--plant', plant] : []),
      ...Object.entries(shape).map(([k, v]) => [`--${k === 'faultSlots' ? 'fault-slots' : 'heal-slots'}`, String(v)]).flat()]
    await (await import('./node/pool.ts')).runPool(seeds, jobs, pass, onRecord)
  } else {
    for (const seed of seeds) onRecord(await runSeed(seed))
  }
  const ms = Math.round(performance.now() - t0)
  process.stdout.write(JSON.stringify({
    mode: 'node', seeds: seeds.length, validators, byzantine, steps: tally.steps, violations: tally.violations, failingSeeds: tally.failing,
    blocks: tally.blocks, epochsOnChain: tally.epochsOnChain, realTimers: tally.realTimers, ms, seedsPerSec: Number((seeds.length / (ms / 1000)).toFixed(2)), jobs,
  }) + '\n')
  return tally.violations > 0 ? 1 : 0
}
