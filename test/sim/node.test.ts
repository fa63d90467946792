// The whole-node simulator in the suite: seeded schedules of complete nodes (workflow, ledger, consensus,
// runtime) under faults and byzantine validators with every invariant checked after every step (seeds
// 1–50 here; 51–100 and exact replay in node-51-100.test.ts; the CLI runs 10,000); planted bugs (a
// second signed value, a ledger changed outside the log) are caught within the default seeds; the
// crash-losing store and the simulated chain do what the invariants rely on.
import { describe, expect, it, vi } from 'vitest'
import { runNodeSchedule, type Plant } from './node/run.ts'
import { checkSeedRange } from './node/seed-range.ts'
import { SimStore } from './node/store.ts'
import { SimChain } from './node/chain.ts'
import { simIdentities } from './node/genesis.ts'
import { signDigest } from '../../contracts/index.ts'
import { utf8 } from '../../core/bytes.ts'

// Signature results memoized (pure functions): see node/crypto-memo.ts.
vi.mock('../../core/crypto/sign.ts', async (importOriginal) => {
  const orig = await importOriginal<typeof import('../../core/crypto/sign.ts')>()
  const { memoizedCrypto } = await import('./node/crypto-memo.ts')
  return { ...orig, ...memoizedCrypto(orig) }
})

/** Seeds the planted bugs must be caught within (they are caught in the first one or two). */
const PLANT_SEEDS = 5

describe('whole-node simulator', () => {
  it('n=4 with one byzantine validator: seeds 1–50, every invariant holds', () => checkSeedRange(1, 50), 120_000)

  const planted: [Plant, string][] = [['double-sign', 'signing:'], ['divergence', 'roots:']]
  for (const [plant, invariant] of planted) {
    it(`finds a planted ${plant} bug within ${PLANT_SEEDS} seeds (the ${invariant.slice(0, -1)} invariant)`, async () => {
      const caught: number[] = []
      for (let seed = 1; seed <= PLANT_SEEDS && caught.length === 0; seed++) {
        const r = await runNodeSchedule({ seed, validators: 4, plant })
        if (r.violations.some((v) => v.startsWith(invariant))) caught.push(seed)
      }
      expect(caught.length, `planted ${plant} not caught in seeds 1..${PLANT_SEEDS}`).toBe(1)
    }, 60_000)
  }
})

describe('simulated storage and chain', () => {
  it('a crash loses exactly the writes after the last synced one', async () => {
    const s = new SimStore()
    await s.put(utf8('a'), utf8('1'))
    await s.put(utf8('b'), utf8('2'), { sync: true }) // makes a durable too (one write-ahead log)
    await s.put(utf8('c'), utf8('3'))
    await s.batch([{ type: 'del', key: utf8('a') }, { type: 'put', key: utf8('d'), value: utf8('4') }])
    expect(await s.get(utf8('c'))).toEqual(utf8('3'))
    s.crash()
    const keys: string[] = []
    for await (const [k] of s.range({})) keys.push(new TextDecoder().decode(k))
    expect(keys).toEqual(['a', 'b'])
    expect(s.lost).toBe(3)
  })

  it('the chain stores an epoch only with signatures of more than 2/3 of the power, once', async () => {
    const ids = await simIdentities(4, 0)
    const chain = new SimChain(ids.validators.map((k) => ({ address: k.evmAddress, power: 100n })))
    const digest = chain.digest(3n, [0, 1], [10, 20])
    const sigs = ids.validators.map((k) => signDigest(k.evmPrivateKey, digest))
    expect(chain.submit('x', 3, [0, 1], [10, 20], sigs.slice(0, 2))).toMatch(/^InsufficientPower/)
    expect(chain.submit('x', 3, [0, 1], [10, 20], [sigs[0]!, sigs[0]!, sigs[1]!])).toMatch(/^DuplicateSigner/)
    expect(chain.submit('x', 3, [0, 1], [10, 21], sigs.slice(0, 3))).toMatch(/^NotValidator/)
    expect(chain.epochs.has(3)).toBe(false)
    expect(chain.submit('x', 3, [0, 1], [10, 20], sigs.slice(0, 3))).toBeUndefined()
    expect(chain.epochs.get(3)?.weights).toEqual([10, 20])
  })
})
