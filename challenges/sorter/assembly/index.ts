// Sorter challenge: the payload is itself a WASM program (same ABI: reads N u32 LE from its input, writes
// them sorted ascending to its output). The challenge runs it through the runtime's `run_nested` host
// function with its own fuel budget (charged to this evaluation too), checks the output is the sorted
// permutation of the seeded input, and scores fuel efficiency against a reference budget.
// Output: score u64 | nested fuel used u64 | status i32 (0 ok, <0 nested run error, 1 wrong length, 2 not sorted).
import { Prng, readInput, readSeed, runNested, writeResult, putU64, putU32 } from "../../sdk/assembly/index"

const N: i32 = 256
const NESTED_FUEL: u64 = 4_000_000
/** Fuel at which a correct sort earns the full score; more fuel scales the score down proportionally. */
const REFERENCE_FUEL: u64 = 70_000

function finish(score: u64, fuel: u64, status: i32): i32 {
  const detail = new Uint8Array(12)
  putU64(detail, 0, fuel)
  putU32(detail, 8, <u32>status)
  writeResult(score, detail)
  return 0
}

function sortInPlace(a: StaticArray<u32>): void {
  // Heap sort: O(n log n) with no recursion and no allocation.
  const n = a.length
  for (let start = (n >> 1) - 1; start >= 0; start--) siftDown(a, start, n)
  for (let end = n - 1; end > 0; end--) {
    const t = a[0]; a[0] = a[end]; a[end] = t
    siftDown(a, 0, end)
  }
}

function siftDown(a: StaticArray<u32>, start: i32, end: i32): void {
  let root = start
  while (true) {
    let child = 2 * root + 1
    if (child >= end) return
    if (child + 1 < end && a[child] < a[child + 1]) child++
    if (a[root] >= a[child]) return
    const t = a[root]; a[root] = a[child]; a[child] = t
    root = child
  }
}

export function evaluate(): i32 {
  const rng = new Prng(readSeed())
  const input = new Uint8Array(N * 4)
  const expected = new StaticArray<u32>(N)
  for (let i = 0; i < N; i++) {
    const v = <u32>rng.next()
    expected[i] = v
    store<u32>(input.dataStart + 4 * i, v)
  }
  sortInPlace(expected)

  const program = readInput()
  const r = runNested(program, input, NESTED_FUEL, N * 4)
  if (r.status < 0) return finish(0, r.fuelUsed, r.status)
  if (r.output.length != N * 4) return finish(0, r.fuelUsed, 1)
  for (let i = 0; i < N; i++) {
    if (load<u32>(r.output.dataStart + 4 * i) != expected[i]) return finish(0, r.fuelUsed, 2)
  }
  const fuel = r.fuelUsed > 0 ? r.fuelUsed : 1
  return finish(REFERENCE_FUEL * 1_000_000 / fuel, r.fuelUsed, 0)
}
