// Seeds 51–100 of the whole-node simulator's suite run, and exact replay of a seed (node.test.ts has
// 1–50 and the planted bugs): a file of its own so vitest's two workers share the 100 seeds.
import { describe, expect, it, vi } from 'vitest'
import { runNodeSchedule } from './node/run.ts'
import { checkSeedRange } from './node/seed-range.ts'

// Signature results memoized (pure functions): see node/crypto-memo.ts.
vi.mock('../../core/crypto/sign.ts', async (importOriginal) => {
  const orig = await importOriginal<typeof import('../../core/crypto/sign.ts')>()
  const { memoizedCrypto } = await import('./node/crypto-memo.ts')
  return { ...orig, ...memoizedCrypto(orig) }
})

describe('whole-node simulator', () => {
  it('n=4 with one byzantine validator: seeds 51–100, every invariant holds', () => checkSeedRange(51, 50), 120_000)

  it('replays a seed exactly', async () => {
    const a = await runNodeSchedule({ seed: 7, validators: 4 })
    const b = await runNodeSchedule({ seed: 7, validators: 4 })
    expect(b).toEqual(a)
    expect((await runNodeSchedule({ seed: 8, validators: 4 })).faults).not.toEqual(a.faults)
  }, 60_000)
})
