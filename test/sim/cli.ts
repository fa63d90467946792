// `npm run sim -- --seeds 1000 --validators 7 [--byzantine 2] [--powers 1,1,1,1,5,5,10]` runs seeded
// schedules and prints one summary line (JSON); `--seed N` replays exactly one schedule, verbosely.
// `--node` runs whole nodes instead (node-cli.ts): one JSON line per failing seed, then the summary.
import { parseArgs } from 'node:util'
import type { Strategy } from './faults.ts'
import type { SimConfig } from './simulate.ts'

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '100' },
    seed: { type: 'string' },
    'first-seed': { type: 'string', default: '1' },
    validators: { type: 'string', default: '4' },
    byzantine: { type: 'string' },
    powers: { type: 'string' },
    heights: { type: 'string', default: '2' },
    crypto: { type: 'string', default: 'fast' },
    strategy: { type: 'string' },
    node: { type: 'boolean', default: false },
    plant: { type: 'string' },
    'fault-slots': { type: 'string' },
    'heal-slots': { type: 'string' },
    jobs: { type: 'string' },
    progress: { type: 'string' },
    worker: { type: 'boolean', default: false },
  },
})
if (values.node) {
  const { runNodeCli } = await import('./node-cli.ts')
  process.exit(await runNodeCli(values))
}
// Loaded only here: --node must install its signature hooks before anything imports the consensus code.
const { STRATEGIES } = await import('./faults.ts')
const { replayCommand, runSchedule } = await import('./simulate.ts')

const int = (s: string, name: string): number => {
  const x = Number(s)
  if (!Number.isSafeInteger(x) || x < 0) { process.stderr.write(`error: --${name} must be a non-negative integer\n`); process.exit(1) }
  return x
}
const validators = int(values.validators, 'validators')
if (validators < 1) { process.stderr.write('error: --validators must be at least 1\n'); process.exit(1) }
const powers = values.powers?.split(',').map((p) => BigInt(int(p.trim(), 'powers')))
if (powers && powers.length !== validators) { process.stderr.write(`error: --powers lists ${powers.length} values for ${validators} validators\n`); process.exit(1) }
if (values.crypto !== 'fast' && values.crypto !== 'ed25519') { process.stderr.write('error: --crypto is fast or ed25519\n'); process.exit(1) }
if (values.strategy && !STRATEGIES.includes(values.strategy as Strategy)) { process.stderr.write(`error: --strategy is one of ${STRATEGIES.join(', ')}\n`); process.exit(1) }
const base = {
  validators,
  byzantine: values.byzantine === undefined ? Math.floor((validators - 1) / 3) : int(values.byzantine, 'byzantine'),
  heights: int(values.heights, 'heights'),
  crypto: values.crypto,
  ...(powers ? { powers } : {}),
  ...(values.strategy ? { strategy: values.strategy as Strategy } : {}),
} as const

const seeds = values.seed !== undefined ? [int(values.seed, 'seed')] : Array.from({ length: int(values.seeds, 'seeds') }, (_, i) => int(values['first-seed'], 'first-seed') + i)
const t0 = performance.now()
let decisions = 0
let violations = 0
let evidence = 0
const rounds: Record<string, number> = {}
for (const seed of seeds) {
  const cfg: SimConfig = { seed, ...base }
  const r = await runSchedule(cfg)
  decisions += r.decisions
  evidence += r.evidence
  for (const x of r.decisionRounds) rounds[x] = (rounds[x] ?? 0) + 1
  if (values.seed !== undefined) process.stderr.write(`seed ${seed}: ${r.faults}; ${r.events} events, ${r.simTimeMs} ms simulated\n`)
  if (r.violations.length > 0) {
    violations += r.violations.length
    process.stderr.write(`seed ${seed} VIOLATION: ${r.violations.join('; ')}\n  faults: ${r.faults}\n  replay: ${replayCommand(cfg)}\n`)
  }
}
process.stdout.write(JSON.stringify({
  seeds: seeds.length, validators, byzantine: base.byzantine, powers: powers?.map(String) ?? 'equal', heights: base.heights,
  decisions, rounds, evidence, violations, ms: Math.round(performance.now() - t0),
}) + '\n')
process.exit(violations > 0 ? 1 : 0)
