// Shared benchmark helpers: timing with warm-up, medians over repeats, one JSON line per case.
import { performance } from 'node:perf_hooks'

export interface Figures { readonly [k: string]: number | string | boolean | null | readonly number[] }

/** Print one case as a JSON line: {"bench": "core", "case": "...", ...figures}. */
export function report(bench: string, name: string, figures: Figures): void {
  process.stdout.write(JSON.stringify({ bench, case: name, ...figures }) + '\n')
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!
}

/** Run `fn` `iterations` times per repeat; return the median ms per iteration over `repeats` runs. */
export async function timeIt(fn: () => unknown | Promise<unknown>, opts: { iterations?: number; repeats?: number; warmup?: number } = {}): Promise<{ msPerOp: number; opsPerSec: number; samplesMs: number[] }> {
  const iterations = opts.iterations ?? 1
  const repeats = opts.repeats ?? 5
  for (let i = 0; i < (opts.warmup ?? 1); i++) await fn()
  const samples: number[] = []
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now()
    for (let i = 0; i < iterations; i++) await fn()
    samples.push((performance.now() - t0) / iterations)
  }
  const msPerOp = median(samples)
  return { msPerOp: round(msPerOp, 4), opsPerSec: round(1000 / msPerOp, 1), samplesMs: samples.map((s) => round(s, 4)) }
}

export const round = (x: number, digits = 3): number => Number(x.toFixed(digits))
