// splitmix64 seeded from the first 8 seed bytes (little-endian): the same generator as the guest SDK's
// Prng (challenges/sdk/assembly/index.ts), so TypeScript can reproduce a challenge's seeded instance.
const MASK = (1n << 64n) - 1n

export function createPrng(seed: Uint8Array): { next(): bigint; below(n: bigint): bigint } {
  let state = new DataView(seed.buffer, seed.byteOffset, 8).getBigUint64(0, true)
  const next = (): bigint => {
    state = (state + 0x9e3779b97f4a7c15n) & MASK
    let z = state
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK
    return z ^ (z >> 31n)
  }
  return { next, below: (n: bigint) => next() % n }
}
