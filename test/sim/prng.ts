// Seeded PRNG for the simulator (sfc32): one seed fixes every fault, delay and byzantine choice.
export interface Rng {
  next(): number // [0, 1)
  int(maxExclusive: number): number
  range(min: number, max: number): number // integer in [min, max]
  chance(p: number): boolean
  pick<T>(xs: readonly T[]): T
  shuffle<T>(xs: readonly T[]): T[]
  fork(label: number): Rng
}

export function createRng(seed: number): Rng {
  let a = 0x9e3779b9, b = 0x243f6a88, c = 0xb7e15162, d = seed >>> 0
  const raw = (): number => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0
    const t = (a + b) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    d = (d + 1) | 0
    const r = (t + d) | 0
    c = (c + r) | 0
    return (r >>> 0) / 4294967296
  }
  for (let i = 0; i < 16; i++) raw()
  const rng: Rng = {
    next: raw,
    int: (n) => Math.floor(raw() * n),
    range: (min, max) => min + Math.floor(raw() * (max - min + 1)),
    chance: (p) => raw() < p,
    pick: (xs) => xs[Math.floor(raw() * xs.length)]!,
    shuffle(xs) {
      const out = [...xs]
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(raw() * (i + 1))
        ;[out[i], out[j]] = [out[j]!, out[i]!]
      }
      return out
    },
    fork: (label) => createRng((Math.floor(raw() * 4294967296) ^ Math.imul(label + 1, 0x85ebca6b)) >>> 0),
  }
  return rng
}
