// The node's only local randomness is node:crypto's randomBytes (report salts). For a seed to replay
// exactly, the simulator swaps it for a seeded stream while a schedule runs (syncBuiltinESMExports makes
// the swap visible to ESM importers) and restores it afterwards.
import { createRequire, syncBuiltinESMExports } from 'node:module'
import type { Rng } from '../prng.ts'

const crypto = createRequire(import.meta.url)('node:crypto') as { randomBytes: (n: number) => Buffer }
const original = crypto.randomBytes

export function seedRandomBytes(rng: Rng): () => void {
  crypto.randomBytes = (n: number) => Buffer.from(Array.from({ length: n }, () => rng.int(256)))
  syncBuiltinESMExports()
  return () => { crypto.randomBytes = original; syncBuiltinESMExports() }
}

/** Count real timers the node code sets while a schedule runs (each one is a determinism leak). */
export function countRealTimers(): { count(): number; restore(): void } {
  const original = globalThis.setTimeout
  let n = 0
  globalThis.setTimeout = ((...a: Parameters<typeof setTimeout>) => { n++; return original(...a) }) as typeof setTimeout
  return { count: () => n, restore: () => { globalThis.setTimeout = original } }
}
