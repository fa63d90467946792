// `npm run sim -- --node --seeds N --validators V [--byzantine B] [--seed S] [--plant double-sign|divergence]`
// runs whole-node schedules: one JSON line per failing seed (with the command that replays it), then
// {"mode":"node","seeds":N,"validators":V,"steps":…,"violations":K,…}; exit code 0 only when K is 0.
import { register } from 'node:module'

type Values = Record<string, string | boolean | undefined>

const int = (v: string | boolean | undefined, name: string, min = 0): number => {
  const x = Number(v)
  if (typeof v !== 'string' || !Number.isSafeInteger(x) || x < min) { process.stderr.write(`error: --${name} must be an integer ≥ ${min}\n`); process.exit(2) }
  return x
}

export async function runNodeCli(values: Values): Promise<number> {
  // BLS results memoized process-wide before the node's modules load (bls-memo.ts says why).
  register('./node/bls-hooks.mjs', import.meta.url)
  const { runNodeSchedule, replayNodeCommand } = await import('./node/run.ts')
  const validators = int(values.validators, 'validators', 1)
  const byzantine = values.byzantine === undefined ? Math.floor((validators - 1) / 3) : int(values.byzantine, 'byzantine')
  const plant = values.plant as 'double-sign' | 'divergence' | undefined
  if (plant && plant !== 'double-sign' && plant !== 'divergence') { process.stderr.write('error: --plant is double-sign or divergence\n'); return 2 }
  const first = int(values['first-seed'] ?? '1', 'first-seed')
  const seeds = values.seed !== undefined ? [int(values.seed, 'seed')] : Array.from({ length: int(values.seeds, 'seeds') }, (_, i) => first + i)
  const shape = {
    ...(values['fault-slots'] !== undefined ? { faultSlots: int(values['fault-slots'], 'fault-slots', 1) } : {}),
    ...(values['heal-slots'] !== undefined ? { healSlots: int(values['heal-slots'], 'heal-slots', 1) } : {}),
  }
  const t0 = performance.now()
  let steps = 0, violations = 0, failing = 0, realTimers = 0, epochsOnChain = 0, blocks = 0
  for (const seed of seeds) {
    const cfg = { seed, validators, byzantine, ...shape, ...(plant ? { plant } : {}) }
    const r = await runNodeSchedule(cfg)
    steps += r.steps
    realTimers += r.realTimers
    epochsOnChain += r.coverage.epochsOnChain
    blocks += Math.max(...r.heights)
    if (values.seed !== undefined) process.stderr.write(`seed ${seed}: ${r.faults}; ${r.steps} steps, heights ${r.heights.join(',')}, coverage ${JSON.stringify(r.coverage)}\n`)
    if (r.violations.length > 0) {
      violations += r.violations.length
      failing++
      process.stdout.write(JSON.stringify({ seed, violations: r.violations, faults: r.faults, replay: replayNodeCommand(cfg) }) + '\n')
    }
  }
  const ms = Math.round(performance.now() - t0)
  process.stdout.write(JSON.stringify({
    mode: 'node', seeds: seeds.length, validators, byzantine, steps, violations, failingSeeds: failing,
    blocks, epochsOnChain, realTimers, ms, seedsPerSec: Number((seeds.length / (ms / 1000)).toFixed(2)),
  }) + '\n')
  return violations > 0 ? 1 : 0
}
