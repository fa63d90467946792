// Runtime benchmark: metered vs unmetered execution of each bundled challenge and of CPU-heavy kernels
// (same inputs, interleaved, medians), metering speed per MB, cold compile vs cached instantiate, worker
// start time, and evaluations per second through the worker pool.
import { performance } from 'node:perf_hooks'
import { loadChallenge, CHALLENGE_NAMES } from '../challenges/index.ts'
import { powPayloads, sorterPayload, tspPayloads, watToWasm } from '../challenges/payloads.ts'
import { sha256 } from '../core/hash.ts'
import { FUEL_GLOBAL, MEMORY_EXPORT } from '../validator/infra/runtime/abi.ts'
import { ModuleCache, evaluateInProcess } from '../validator/infra/runtime/execute.ts'
import { createHostContext, hostImports } from '../validator/infra/runtime/host.ts'
import { meterModule } from '../validator/infra/runtime/meter.ts'
import { DEFAULT_POLICY, type RuntimePolicy } from '../validator/infra/runtime/policy.ts'
import { createExecutionService } from '../validator/infra/runtime/service.ts'
import { median, percentile, report, round } from './report.ts'

const seed = sha256(new TextEncoder().encode('bench'))
type Exports = Record<string, any>
const nestedCache = new ModuleCache(8) // nested programs (sorter) compile once, as in a worker

function instance(mod: WebAssembly.Module, policy: RuntimePolicy, input: Uint8Array): { ex: Exports } {
  const nested = (module: Uint8Array, inp: Uint8Array, fuelLimit: bigint, maxOut: number) => {
    const r = evaluateInProcess({ module, input: inp, seed, policy: { ...DEFAULT_POLICY, fuelLimit, maxOutputBytes: Math.max(8, maxOut) } }, nestedCache)
    return { ok: r.ok, code: r.error?.code, fuelUsed: r.fuelUsed, output: r.output }
  }
  const ctx = createHostContext({ ...policy, maxHostCalls: 1e7, maxOutputBytes: 16 << 20 }, input, seed, nested)
  const ex = new WebAssembly.Instance(mod, hostImports(ctx)).exports as Exports
  ctx.memory = (ex[MEMORY_EXPORT] ?? ex.memory) as WebAssembly.Memory
  return { ex }
}

/** A sample lasts at least this long per side (a 2 µs call timed 40 at a time was mostly timer noise). */
const SAMPLE_MS = 25
/** Pairs of fresh instances per batch: each call gets its own (the guests' stub allocator only grows). */
const BATCH = 250
/** Fewest pairs in a sample: a 10 ms kernel sampled on 3 pairs read p25–p75 1.01–1.13 on a loaded machine. */
const MIN_PAIRS = 7
/** Metered/plain samples per case: odd (the median is one sample), and enough that p25/p75 are stable. */
const SAMPLES = 31
const SAMPLES_QUICK = 9
/** Warm-up per case before anything is kept, so both sides run optimized code (V8 tiers up in the
 * background, which on a loaded machine lags: a 10-call warm-up left challenge samples on baseline code). */
const WARMUP_MS = 400

/** One case's paired ratios (metered / plain, per sample): the median and the spread. */
interface RatioFigures { readonly name: string; readonly ratio: number; readonly ratioP25: number; readonly ratioP75: number }

type Call = () => unknown
const timeCall = (f: Call): number => { const t0 = performance.now(); f(); return performance.now() - t0 }

/**
 * `pairs` calls of each side, each on a fresh instance made outside the timed region, timed one call at
 * a time and interleaved call by call (the order alternating), so a pause hits one pair, not a side.
 * Returns each side's median ms per call and the median of the per-pair ratios metered / plain.
 */
function samplePairs(make: (metered: boolean) => Call, pairs: number): { plain: number; metered: number; ratio: number } {
  const plain: number[] = []
  const metered: number[] = []
  const ratios: number[] = []
  for (let done = 0; done < pairs; done += BATCH) {
    const n = Math.min(BATCH, pairs - done)
    const ps = Array.from({ length: n }, () => make(false))
    const ms = Array.from({ length: n }, () => make(true))
    for (let i = 0; i < n; i++) {
      const plainFirst = (done + i) % 2 === 0
      const p0 = plainFirst ? timeCall(ps[i]!) : 0
      const m = timeCall(ms[i]!)
      const p = plainFirst ? p0 : timeCall(ps[i]!)
      plain.push(p)
      metered.push(m)
      ratios.push(m / p)
    }
  }
  return { plain: median(plain), metered: median(metered), ratio: median(ratios) }
}

/**
 * Metered vs plain ms per call of `entry`: `samples` samples of interleaved pairs (samplePairs); the
 * ratio is the median of the samples' ratios and p25/p75 over samples show its noise in the same line.
 * Both modules are compiled once.
 */
function compare(name: string, plainBytes: Uint8Array, policy: RuntimePolicy, input: Uint8Array, entry: string, samples: number): RatioFigures {
  const meteredBytes = meterModule(plainBytes, { policy: { ...policy, fuelLimit: 1n << 61n } })
  const modPlain = new WebAssembly.Module(plainBytes as Uint8Array<ArrayBuffer>)
  const modMetered = new WebAssembly.Module(meteredBytes as Uint8Array<ArrayBuffer>)
  const make = (metered: boolean): Call => { const ex = instance(metered ? modMetered : modPlain, policy, input).ex; return () => ex[entry]() }
  const warmStart = performance.now()
  let perCall = Infinity
  // Pairs per sample from the fastest warm-up batch (a GC pause in one must not shrink the samples).
  for (let w = 0; w < 3 || performance.now() - warmStart < WARMUP_MS; w++) perCall = Math.min(perCall, samplePairs(make, 10).plain)
  const pairs = Math.max(MIN_PAIRS, Math.min(20_000, Math.ceil(SAMPLE_MS / perCall)))
  const runs = Array.from({ length: samples }, () => samplePairs(make, pairs))
  const ratios = runs.map((r) => r.ratio)
  const probe = instance(modMetered, policy, input).ex
  probe[entry]()
  const fuel = (1n << 61n) - (probe[FUEL_GLOBAL].value as bigint)
  const figures = { name, ratio: round(median(ratios), 3), ratioP25: round(percentile(ratios, 25), 3), ratioP75: round(percentile(ratios, 75), 3) }
  report('runtime', `metered-vs-plain/${name}`, {
    plainMs: round(median(runs.map((r) => r.plain)), 4), meteredMs: round(median(runs.map((r) => r.metered)), 4),
    ratio: figures.ratio, ratioP25: figures.ratioP25, ratioP75: figures.ratioP75, fuelPerCall: fuel.toString(), samples, callsPerSample: pairs,
  })
  return figures
}

/** CPU kernels of the metering bench (also pinned by test/runtime/fuel-pinned.test.ts: fuel must not change). */
export const KERNELS: Record<string, { wat: string; entry: string }> = {
  'kernel-sieve-2M': { entry: 'evaluate', wat: `(module (memory 32) (func (export "evaluate") (result i32) (local $i i32) (local $j i32) (local $n i32) (local $count i32)
    (local.set $n (i32.const 2000000)) (local.set $i (i32.const 2))
    (block $done (loop $outer
      (br_if $done (i32.gt_u (i32.mul (local.get $i) (local.get $i)) (local.get $n)))
      (if (i32.eqz (i32.load8_u (local.get $i))) (then
        (local.set $j (i32.mul (local.get $i) (local.get $i)))
        (block $jd (loop $inner (br_if $jd (i32.gt_u (local.get $j) (local.get $n)))
          (i32.store8 (local.get $j) (i32.const 1)) (local.set $j (i32.add (local.get $j) (local.get $i))) (br $inner)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $outer)))
    (local.set $i (i32.const 2))
    (block $d2 (loop $c (br_if $d2 (i32.gt_u (local.get $i) (local.get $n)))
      (local.set $count (i32.add (local.get $count) (i32.eqz (i32.load8_u (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $c)))
    (local.get $count)))` },
  'kernel-fib-27': { entry: 'evaluate', wat: `(module (func $fib (param i32) (result i32)
      (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (local.get 0))
        (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1))) (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
    (func (export "evaluate") (result i32) (call $fib (i32.const 27))))` },
  'kernel-mix-hash': { entry: 'evaluate', wat: `(module (func (export "evaluate") (result i32) (local $i i32) (local $h i64)
    (local.set $h (i64.const 0x9e3779b97f4a7c15))
    (block $d (loop $l (br_if $d (i32.ge_u (local.get $i) (i32.const 3000000)))
      (local.set $h (i64.mul (i64.xor (local.get $h) (i64.shr_u (local.get $h) (i64.const 31))) (i64.const 0xbf58476d1ce4e5b9)))
      (local.set $h (i64.add (local.get $h) (i64.extend_i32_u (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l)))
    (i32.wrap_i64 (local.get $h))))` },
  // Memory-heavy sorting at the top level (the sorter case's nested run is metered on both sides): the
  // sorter payload's shell sort over 64k LCG values, then a check that the result is ascending.
  'kernel-shell-sort-64k': { entry: 'evaluate', wat: `(module (memory 4) (func (export "evaluate") (result i32)
    (local $n i32) (local $gap i32) (local $i i32) (local $j i32) (local $v i32) (local $w i32) (local $x i32)
    (local.set $n (i32.const 65536)) (local.set $x (i32.const 12345))
    (block $fd (loop $fill (br_if $fd (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $x (i32.add (i32.mul (local.get $x) (i32.const 1664525)) (i32.const 1013904223)))
      (i32.store (i32.shl (local.get $i) (i32.const 2)) (local.get $x))
      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $fill)))
    (local.set $gap (i32.div_u (i32.mul (local.get $n) (i32.const 4)) (i32.const 9)))
    (block $done (loop $gaps (br_if $done (i32.eqz (local.get $gap)))
      (local.set $i (local.get $gap))
      (block $iend (loop $iloop (br_if $iend (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $v (i32.load (i32.shl (local.get $i) (i32.const 2))))
        (local.set $j (local.get $i))
        (block $jend (loop $jloop (br_if $jend (i32.lt_u (local.get $j) (local.get $gap)))
          (local.set $w (i32.load (i32.shl (i32.sub (local.get $j) (local.get $gap)) (i32.const 2))))
          (br_if $jend (i32.le_u (local.get $w) (local.get $v)))
          (i32.store (i32.shl (local.get $j) (i32.const 2)) (local.get $w))
          (local.set $j (i32.sub (local.get $j) (local.get $gap))) (br $jloop)))
        (i32.store (i32.shl (local.get $j) (i32.const 2)) (local.get $v))
        (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $iloop)))
      (local.set $gap (if (result i32) (i32.eq (local.get $gap) (i32.const 1)) (then (i32.const 0))
        (else (select (i32.div_u (i32.mul (local.get $gap) (i32.const 4)) (i32.const 9)) (i32.const 1)
          (i32.gt_u (i32.div_u (i32.mul (local.get $gap) (i32.const 4)) (i32.const 9)) (i32.const 1))))))
      (br $gaps)))
    (local.set $i (i32.const 1))
    (block $cd (loop $chk (br_if $cd (i32.ge_u (local.get $i) (local.get $n)))
      (br_if $cd (i32.gt_u (i32.load (i32.shl (i32.sub (local.get $i) (i32.const 1)) (i32.const 2))) (i32.load (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $chk)))
    (i32.sub (local.get $i) (local.get $n))))` },
}

export async function run(args: string[]): Promise<void> {
  const quick = args.includes('--quick')
  // --only=<prefix>: just the cases whose name starts with it (e.g. --only=metered-vs-plain).
  const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length)
  const want = (name: string): boolean => only === undefined || name.startsWith(only)
  const samples = quick ? SAMPLES_QUICK : SAMPLES
  // 1. metered vs unmetered: bundled challenges on demo payloads, then CPU kernels.
  const payloads: Record<string, Uint8Array> = {
    tsp: tspPayloads.good(seed),
    pow: powPayloads.good(seed, 8),
    sorter: await sorterPayload('shell'),
  }
  const ratios: RatioFigures[] = []
  for (const name of CHALLENGE_NAMES) {
    if (!want(`metered-vs-plain/${name}`)) continue
    const ch = loadChallenge(name)
    ratios.push(compare(name, ch.module, ch.policy, payloads[name]!, 'evaluate', samples))
  }
  for (const [name, k] of Object.entries(KERNELS)) if (want(`metered-vs-plain/${name}`)) ratios.push(compare(name, await watToWasm(k.wat), DEFAULT_POLICY, new Uint8Array(), k.entry, samples))
  // The figure: the worst median ratio over every case above, with that case's spread.
  const worst = ratios.reduce<RatioFigures | undefined>((w, r) => (w === undefined || r.ratio > w.ratio ? r : w), undefined)
  if (worst) report('runtime', 'metered-vs-plain/worst', { worstCase: worst.name, ratio: worst.ratio, ratioP25: worst.ratioP25, ratioP75: worst.ratioP75, cases: ratios.length })

  if (only?.startsWith('metered-vs-plain')) return
  // 2. instrumentation speed: a ~1 MB module of many functions.
  const body = Array.from({ length: 40 }, (_, i) => `(local.set 1 (i32.add (local.get 1) (i32.mul (local.get 0) (i32.const ${i}))))
    (if (i32.gt_u (local.get 1) (i32.const ${i * 1000})) (then (local.set 1 (i32.sub (local.get 1) (i32.const 7)))))`).join('\n')
  const big = await watToWasm(`(module ${Array.from({ length: 1200 }, (_, f) => `(func $f${f} (param i32) (result i32) (local i32) (block (loop ${body} (br_if 0 (i32.eqz (local.get 0))) (local.set 0 (i32.sub (local.get 0) (i32.const 1))) (br 1))) (local.get 1))`).join('\n')})`)
  const meterTimes: number[] = []
  for (let i = 0; i < (quick ? 3 : 7); i++) { const t0 = performance.now(); meterModule(big); meterTimes.push(performance.now() - t0) }
  const mb = big.length / (1 << 20)
  report('runtime', 'meter-speed', { moduleMB: round(mb, 3), msPerModule: round(median(meterTimes), 2), msPerMB: round(median(meterTimes) / mb, 2) })

  // 3. cold compile (meter + compile + instantiate + run) vs cached (instantiate + run), tsp.
  const tsp = loadChallenge('tsp')
  const req = { module: tsp.module, input: payloads.tsp!, seed, policy: tsp.policy }
  const cold: number[] = []
  const warm: number[] = []
  const cache = new ModuleCache(8)
  for (let i = 0; i < (quick ? 5 : 20); i++) {
    let t0 = performance.now(); evaluateInProcess(req, new ModuleCache(1)); cold.push(performance.now() - t0)
    evaluateInProcess(req, cache)
    t0 = performance.now(); evaluateInProcess(req, cache); warm.push(performance.now() - t0)
  }
  report('runtime', 'compile-cold-vs-cached/tsp', { coldMs: round(median(cold), 3), cachedMs: round(median(warm), 3), speedup: round(median(cold) / median(warm), 2) })

  // 4. worker start: a new one-worker service until its first (trivial) evaluation has returned.
  const trivial = { module: await watToWasm('(module (func (export "evaluate") (result i32) (i32.const 0)))'), input: new Uint8Array(), seed, policy: DEFAULT_POLICY }
  const ready: number[] = []
  for (let i = 0; i < (quick ? 3 : 7); i++) {
    const t0 = performance.now()
    const svc = createExecutionService({ workers: 1 })
    await svc.evaluate(trivial)
    ready.push(performance.now() - t0)
    await svc.close()
  }
  report('runtime', 'worker-ready', { msReady: round(median(ready), 1), samples: ready.length })

  // 5. throughput through the worker pool (tsp, good tour).
  for (const workers of [1, 2]) {
    const n = quick ? 100 : 400
    const svc = createExecutionService({ workers, maxQueued: n })
    await Promise.all(Array.from({ length: workers * 2 }, () => svc.evaluate(req))) // spin-up + cache fill
    const t0 = performance.now()
    const rs = await Promise.all(Array.from({ length: n }, () => svc.evaluate(req)))
    const secs = (performance.now() - t0) / 1000
    await svc.close()
    report('runtime', `pool-throughput/tsp/workers=${workers}`, { evaluations: n, allOk: rs.every((r) => r.ok), seconds: round(secs, 3), evalsPerSec: round(n / secs, 1) })
  }
}
