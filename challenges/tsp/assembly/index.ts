// TSP challenge: CITIES cities with integer coordinates drawn from the seed; the miner submits a tour
// (CITIES u16 LE city indices). Score from the tour's integer length against a nearest-neighbour tour;
// an invalid tour scores 0. Output: score u64 | tour length u64 | reference length u64 | status u8.
import { Prng, readInput, readSeed, writeResult, putU64 } from "../../sdk/assembly/index"

const CITIES: i32 = 64
const GRID: u64 = 10_000
/** PPM awarded for a tour exactly as long as the nearest-neighbour reference. */
const REFERENCE_PPM: u64 = 750_000

function isqrt(n: u64): u64 {
  if (n < 2) return n
  let x = n
  let y = (x + 1) >> 1
  while (y < x) { x = y; y = (x + n / x) >> 1 }
  return x
}

function dist(xs: StaticArray<i64>, ys: StaticArray<i64>, a: i32, b: i32): u64 {
  const dx = xs[a] - xs[b]
  const dy = ys[a] - ys[b]
  return isqrt(<u64>(dx * dx + dy * dy))
}

function nearestNeighbourLength(xs: StaticArray<i64>, ys: StaticArray<i64>): u64 {
  const seen = new StaticArray<bool>(CITIES)
  let cur = 0
  seen[0] = true
  let total: u64 = 0
  for (let step = 1; step < CITIES; step++) {
    let best = -1
    let bestD: i64 = 0
    for (let c = 0; c < CITIES; c++) {
      if (seen[c]) continue
      const dx = xs[cur] - xs[c]
      const dy = ys[cur] - ys[c]
      const d = dx * dx + dy * dy
      if (best < 0 || d < bestD) { best = c; bestD = d }
    }
    seen[best] = true
    total += dist(xs, ys, cur, best)
    cur = best
  }
  return total + dist(xs, ys, cur, 0)
}

function finish(score: u64, length: u64, reference: u64, status: u8): i32 {
  const detail = new Uint8Array(17)
  putU64(detail, 0, length)
  putU64(detail, 8, reference)
  detail[16] = status
  writeResult(score, detail)
  return 0
}

export function evaluate(): i32 {
  const rng = new Prng(readSeed())
  const xs = new StaticArray<i64>(CITIES)
  const ys = new StaticArray<i64>(CITIES)
  for (let i = 0; i < CITIES; i++) { xs[i] = <i64>rng.below(GRID); ys[i] = <i64>rng.below(GRID) }
  const reference = nearestNeighbourLength(xs, ys)

  const payload = readInput()
  if (payload.length != CITIES * 2) return finish(0, 0, reference, 1) // wrong length
  const seen = new StaticArray<bool>(CITIES)
  const tour = new StaticArray<i32>(CITIES)
  for (let i = 0; i < CITIES; i++) {
    const c = <i32>payload[2 * i] | (<i32>payload[2 * i + 1] << 8)
    if (c >= CITIES) return finish(0, 0, reference, 2) // unknown city
    if (seen[c]) return finish(0, 0, reference, 3) // city visited twice
    seen[c] = true
    tour[i] = c
  }
  let length: u64 = 0
  for (let i = 0; i < CITIES; i++) length += dist(xs, ys, tour[i], tour[(i + 1) % CITIES])
  if (length == 0) return finish(0, 0, reference, 4)
  return finish(REFERENCE_PPM * reference / length, length, reference, 0)
}
