// Scoring benchmarks: one Yuma epoch for 64 and 256 validators × 4,096 miners (original Yuma, Yuma 3, Yuma 3
// with liquid alpha), and final-score decisions for 100k submissions. Inputs come from a seeded PRNG.
// Each Yuma case also times the reference implementation (test/ledger/scoring/yuma-reference, the oracle
// the fast kernel is checked against) in the same run: `msPerEpochReference` is the "before".
// `cpuMsPerEpoch` is the kernel's CPU time (process.cpuUsage, GC threads included), steadier than wall
// time when other processes share the cores.
import { median, report, round, timeIt } from './report.ts'
import { runYumaEpoch as referenceEpoch, type YumaEpochInput } from '../test/ledger/scoring/yuma-reference/epoch.ts'
import { DEFAULT_YUMA_PARAMS, finalizeScore, fixedFromDecimal, runYumaEpoch, type CommitteeMember, type ScoreReport, type YumaParams } from '../ledger/scoring/index.ts'

/** xorshift32: deterministic inputs without Math.random. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 32 }
}

/** Validators are uids 0..v-1 and miners v..v+m-1; each validator scores each miner near a common quality. */
function network(v: number, m: number, seed: number): YumaEpochInput {
  const rnd = prng(seed)
  const n = v + m
  const quality = Array.from({ length: m }, () => rnd())
  const weights = Array.from({ length: v }, () => {
    const row = new Array<number>(n).fill(0)
    for (let j = 0; j < m; j++) row[v + j] = Math.max(0, Math.min(65535, Math.round((quality[j]! * 0.9 + rnd() * 0.1) * 65535)))
    return row
  })
  const stake = Array.from({ length: n }, (_, i) => (i < v ? BigInt(1 + Math.floor(rnd() * 1_000_000)) * 1_000_000_000n : 0n))
  return { stake, validators: Array.from({ length: v }, (_, i) => i), weights, active: Array.from({ length: n }, (_, i) => i), emission: 1_000_000_000n }
}

/** Median CPU time of this process per call (user + system): wall time on a shared machine also counts waiting for a core. */
function cpuMs(fn: () => unknown, repeats: number): number {
  const samples: number[] = []
  for (let r = 0; r < repeats; r++) {
    const c0 = process.cpuUsage()
    fn()
    const c = process.cpuUsage(c0)
    samples.push((c.user + c.system) / 1000)
  }
  return median(samples)
}

export async function run(args: string[]): Promise<void> {
  const quick = args.includes('--quick')
  const liquid: YumaParams = { ...DEFAULT_YUMA_PARAMS, yuma3: true, liquidAlpha: { low: fixedFromDecimal('0.7'), high: fixedFromDecimal('0.9'), steepness: fixedFromDecimal('1000') } }
  const variants: [string, YumaParams][] = [
    ['original', DEFAULT_YUMA_PARAMS],
    ['yuma3', { ...DEFAULT_YUMA_PARAMS, yuma3: true }],
    ['yuma3-liquid', liquid],
  ]
  for (const v of quick ? [64] : [64, 256]) {
    const base = network(v, 4096, v)
    // a second epoch from the first one's bonds, so the EMA runs over non-zero state
    for (const [name, params] of variants) {
      const input = { ...base, bonds: runYumaEpoch(params, base).bonds.map((row) => Array.from(row)) } // plain rows, as both take them
      const t = await timeIt(() => runYumaEpoch(params, input), { repeats: quick ? 1 : 9, warmup: 2 })
      const cpu = cpuMs(() => runYumaEpoch(params, input), quick ? 1 : 9)
      const ref = await timeIt(() => referenceEpoch(params, input), { repeats: 1, warmup: 0 })
      report('scoring', `yuma-epoch-${name}`, {
        validators: v, miners: 4096, msPerEpoch: round(t.msPerOp, 1), cpuMsPerEpoch: round(cpu, 1), msPerEpochReference: round(ref.msPerOp, 1), speedup: round(ref.msPerOp / t.msPerOp, 2),
      })
    }
  }

  // 100k submissions, committees of 5 drawn from 64 validators; 90 % agree on one output, 10 % split.
  const rnd = prng(7)
  const validators: CommitteeMember[] = Array.from({ length: 64 }, (_, i) => ({ validator: `v${String(i).padStart(2, '0')}`, power: BigInt(1 + Math.floor(rnd() * 1000)) }))
  const submissions = Array.from({ length: quick ? 10_000 : 100_000 }, (_, s) => {
    const committee = Array.from({ length: 5 }, (_, k) => validators[(s * 7 + k * 13) % 64]!)
    const split = rnd() < 0.1
    const reports: ScoreReport[] = committee.map((m, k) => {
      const score = split ? BigInt(Math.floor(rnd() * 1_000_000)) : 750_000n
      return { validator: m.validator, score, outputHash: split ? `h${k}` : 'h' }
    })
    return { committee, reports }
  })
  let finals = 0
  const t = await timeIt(() => {
    finals = 0
    for (const s of submissions) if (finalizeScore(s.committee, s.reports, { deadlinePassed: true }).final) finals++
  }, { repeats: 3, warmup: 1 })
  report('scoring', 'finalize-scores', { submissions: submissions.length, committee: 5, finals, msTotal: round(t.msPerOp, 1), usPerSubmission: round((t.msPerOp * 1000) / submissions.length, 2) })
}
