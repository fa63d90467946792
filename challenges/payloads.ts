// Demo payloads for the bundled challenges (used by tests and the devnet's demo miners): good and bad
// TSP tours, PoW nonces found by search, and sorter programs (WAT compiled with wabt). Everything here
// reproduces the challenge's seeded instance with the same PRNG (challenges/prng.ts).
import { concatBytes } from '../core/bytes.ts'
import { sha256 } from '../core/hash.ts'
import { createPrng } from './prng.ts'

// ---- tsp ---------------------------------------------------------------------------------------------
export const TSP_CITIES = 64
const TSP_GRID = 10_000n

export interface City { readonly x: number; readonly y: number }

export function tspCities(seed: Uint8Array): City[] {
  const rng = createPrng(seed)
  return Array.from({ length: TSP_CITIES }, () => ({ x: Number(rng.below(TSP_GRID)), y: Number(rng.below(TSP_GRID)) }))
}

function isqrt(n: number): number {
  if (n < 2) return n
  let x = n
  let y = Math.floor((x + 1) / 2)
  while (y < x) { x = y; y = Math.floor((x + Math.floor(n / x)) / 2) }
  return x
}

export const tspDistance = (a: City, b: City): number => isqrt((a.x - b.x) ** 2 + (a.y - b.y) ** 2)

export function tspTourLength(cities: City[], tour: number[]): number {
  let total = 0
  for (let i = 0; i < tour.length; i++) total += tspDistance(cities[tour[i]!]!, cities[tour[(i + 1) % tour.length]!]!)
  return total
}

/** Greedy nearest-neighbour tour from city 0 (ties to the lowest index): the challenge's reference. */
export function tspNearestNeighbourTour(cities: City[]): number[] {
  const seen = new Set([0])
  const tour = [0]
  let cur = 0
  while (tour.length < cities.length) {
    let best = -1
    let bestD = 0
    for (let c = 0; c < cities.length; c++) {
      if (seen.has(c)) continue
      const d = (cities[cur]!.x - cities[c]!.x) ** 2 + (cities[cur]!.y - cities[c]!.y) ** 2
      if (best < 0 || d < bestD) { best = c; bestD = d }
    }
    seen.add(best)
    tour.push(best)
    cur = best
  }
  return tour
}

/** Nearest neighbour improved by 2-opt until no move helps: a good (not optimal) tour. */
export function tspGoodTour(cities: City[]): number[] {
  const tour = tspNearestNeighbourTour(cities)
  const d = (i: number, j: number): number => tspDistance(cities[tour[i]!]!, cities[tour[j % tour.length]!]!)
  for (let improved = true; improved;) {
    improved = false
    for (let i = 0; i < tour.length - 1; i++) {
      for (let j = i + 2; j < tour.length; j++) {
        if (i === 0 && j === tour.length - 1) continue
        if (d(i, j) + d(i + 1, j + 1) < d(i, i + 1) + d(j, j + 1)) {
          tour.splice(i + 1, j - i, ...tour.slice(i + 1, j + 1).reverse())
          improved = true
        }
      }
    }
  }
  return tour
}

export function encodeTour(tour: number[]): Uint8Array {
  const out = new Uint8Array(tour.length * 2)
  tour.forEach((c, i) => { out[2 * i] = c & 0xff; out[2 * i + 1] = c >> 8 })
  return out
}

export const tspPayloads = {
  good: (seed: Uint8Array): Uint8Array => encodeTour(tspGoodTour(tspCities(seed))),
  nearestNeighbour: (seed: Uint8Array): Uint8Array => encodeTour(tspNearestNeighbourTour(tspCities(seed))),
  identity: (): Uint8Array => encodeTour(Array.from({ length: TSP_CITIES }, (_, i) => i)),
  /** Invalid: city 0 twice, the last city missing. */
  duplicateCity: (): Uint8Array => encodeTour([0, ...Array.from({ length: TSP_CITIES - 1 }, (_, i) => i)]),
  /** Invalid: too short. */
  truncated: (): Uint8Array => encodeTour([0, 1, 2]),
  /** Invalid: a city index past the last city. */
  unknownCity: (): Uint8Array => encodeTour([...Array.from({ length: TSP_CITIES - 1 }, (_, i) => i), 9999]),
}

// ---- pow ---------------------------------------------------------------------------------------------
export const POW_TARGET_BITS = 32

export function leadingZeroBits(h: Uint8Array): number {
  let bits = 0
  for (const b of h) {
    if (b === 0) { bits += 8; continue }
    return bits + Math.clz32(b) - 24
  }
  return bits
}

export const powHash = (seed: Uint8Array, nonce: Uint8Array): Uint8Array => sha256(concatBytes(seed, nonce))

/** Search nonces 0,1,2,... (8 bytes LE) for at least `minBits` leading zero bits; the best after `maxTries`. */
export function powSearch(seed: Uint8Array, minBits: number, maxTries = 1_000_000): { nonce: Uint8Array; bits: number } {
  let best = { nonce: new Uint8Array(8), bits: -1 }
  const nonce = new Uint8Array(8)
  const view = new DataView(nonce.buffer)
  for (let i = 0; i < maxTries; i++) {
    view.setBigUint64(0, BigInt(i), true)
    const bits = leadingZeroBits(powHash(seed, nonce))
    if (bits > best.bits) best = { nonce: nonce.slice(), bits }
    if (bits >= minBits) break
  }
  return best
}

export const powPayloads = {
  good: (seed: Uint8Array, minBits = 12): Uint8Array => powSearch(seed, minBits).nonce,
  empty: (): Uint8Array => new Uint8Array(),
  tooLong: (): Uint8Array => new Uint8Array(65),
}

// ---- demo miners ------------------------------------------------------------------------------------
// What the devnet's demo miners and the whole-node simulator's miners submit: payloads of different
// quality and some invalid ones, cycled by round and shifted by miner so that miners differ.

/** The same tour started `by` cities later: same length, different bytes. */
export function rotateTour(tour: Uint8Array, by: number): Uint8Array {
  const n = tour.length / 2
  const out = new Uint8Array(tour.length)
  for (let i = 0; i < n; i++) { const j = (i + by) % n; out[2 * i] = tour[2 * j]!; out[2 * i + 1] = tour[2 * j + 1]! }
  return out
}

/** Search nonces from `start` for `bits` leading zero bits (bounded): miners with other starts find other nonces. */
export function powSearchFrom(seed: Uint8Array, bits: number, start: number): Uint8Array {
  const nonce = new Uint8Array(8)
  const view = new DataView(nonce.buffer)
  let best = { nonce: nonce.slice(), bits: -1 }
  for (let i = 0; i < 1 << Math.min(bits + 2, 18); i++) {
    view.setBigUint64(0, BigInt(start + i), true)
    const got = leadingZeroBits(powHash(seed, nonce))
    if (got > best.bits) best = { nonce: nonce.slice(), bits: got }
    if (got >= bits) break
  }
  return best.nonce
}

/** The payload demo miner `miner` submits to `challenge` in `round`, for the instance with `seed`. */
export function demoPayload(challenge: string, round: number, miner: number, seed: Uint8Array): { kind: string; bytes: Uint8Array } | undefined {
  if (challenge === 'tsp') {
    const kinds = ['good', 'nearestNeighbour', 'identity', 'duplicateCity'] as const
    const kind = kinds[(round + miner) % kinds.length]!
    // Identical payloads belong to their first committer: vary them per miner and round by rotating.
    return { kind, bytes: rotateTour(tspPayloads[kind](seed), (round * 7 + miner * 13) % 64) }
  }
  if (challenge === 'pow') {
    const bits = 6 + ((round + miner) % 8)
    if ((round + miner) % 5 === 4) return { kind: 'tooLong', bytes: powPayloads.tooLong() }
    return { kind: `pow-${bits}`, bytes: powSearchFrom(seed, bits, round * 1_000_003 + miner * 7_777_777) }
  }
  return undefined
}

// ---- sorter ------------------------------------------------------------------------------------------
export const SORTER_N = 256

const sorterWat = (initialGap: string, sortLoop: boolean): string => `(module
  (import "agora" "input_len" (func $len (result i32)))
  (import "agora" "input_read" (func $read (param i32 i32 i32) (result i32)))
  (import "agora" "output_write" (func $write (param i32 i32) (result i32)))
  (memory 1)
  (func (export "evaluate") (result i32)
    (local $n i32) (local $bytes i32) (local $gap i32) (local $i i32) (local $j i32) (local $v i32) (local $w i32)
    (local.set $bytes (call $len))
    (drop (call $read (i32.const 0) (i32.const 0) (local.get $bytes)))
    (local.set $n (i32.shr_u (local.get $bytes) (i32.const 2)))
    (local.set $gap ${initialGap})
    ${sortLoop ? `(block $done (loop $gaps
      (br_if $done (i32.eqz (local.get $gap)))
      (local.set $i (local.get $gap))
      (block $iend (loop $iloop
        (br_if $iend (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $v (i32.load (i32.shl (local.get $i) (i32.const 2))))
        (local.set $j (local.get $i))
        (block $jend (loop $jloop
          (br_if $jend (i32.lt_u (local.get $j) (local.get $gap)))
          (local.set $w (i32.load (i32.shl (i32.sub (local.get $j) (local.get $gap)) (i32.const 2))))
          (br_if $jend (i32.le_u (local.get $w) (local.get $v)))
          (i32.store (i32.shl (local.get $j) (i32.const 2)) (local.get $w))
          (local.set $j (i32.sub (local.get $j) (local.get $gap)))
          (br $jloop)))
        (i32.store (i32.shl (local.get $j) (i32.const 2)) (local.get $v))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $iloop)))
      ;; next gap: g*4/9 (close to Ciura's ratio), ending with 1
      (local.set $gap (if (result i32) (i32.eq (local.get $gap) (i32.const 1)) (then (i32.const 0))
        (else (select (i32.div_u (i32.mul (local.get $gap) (i32.const 4)) (i32.const 9)) (i32.const 1)
          (i32.gt_u (i32.div_u (i32.mul (local.get $gap) (i32.const 4)) (i32.const 9)) (i32.const 1))))))
      (br $gaps)))` : ''}
    (drop (call $write (i32.const 0) (local.get $bytes)))
    (i32.const 0)))`

/** WAT sources of demo sorter programs (the payload is the compiled binary). */
export const SORTER_PROGRAMS = {
  /** Shell sort (gaps ×4/9): correct and fairly efficient. */
  shell: sorterWat('(i32.div_u (i32.mul (local.get $n) (i32.const 4)) (i32.const 9))', true),
  /** Insertion sort (gap 1 only): correct but slow. */
  insertion: sorterWat('(i32.const 1)', true),
  /** Echoes its input: wrong. */
  identity: sorterWat('(i32.const 0)', false),
  /** Never stops: runs out of its fuel. */
  spin: `(module (func (export "evaluate") (result i32) (loop $l (br $l)) (i32.const 0)))`,
  /** Imports a clock: refused before it runs. */
  clock: `(module (import "env" "now" (func $now (result i64))) (func (export "evaluate") (result i32) (drop (call $now)) (i32.const 0)))`,
} as const

export type SorterProgram = keyof typeof SORTER_PROGRAMS

/** Compile a WAT module to binary with wabt (loaded on first use). */
export async function watToWasm(source: string): Promise<Uint8Array> {
  const { default: wabtInit } = await import('wabt')
  const wabt = await wabtInit()
  const mod = wabt.parseWat('payload.wat', source, { multi_value: true, bulk_memory: true, sign_extension: true, mutable_globals: true, sat_float_to_int: true, reference_types: true })
  try {
    mod.validate()
    return new Uint8Array(mod.toBinary({}).buffer)
  } finally { mod.destroy() }
}

export const sorterPayload = (program: SorterProgram): Promise<Uint8Array> => watToWasm(SORTER_PROGRAMS[program])

/** The seeded values the sorter challenge hands to the program (u32s, in order). */
export function sorterInput(seed: Uint8Array): number[] {
  const rng = createPrng(seed)
  return Array.from({ length: SORTER_N }, () => Number(rng.next() & 0xffffffffn))
}
