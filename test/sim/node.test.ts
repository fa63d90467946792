// The whole-node simulator in the suite: seeded schedules of complete nodes (workflow, ledger, consensus,
// runtime) under faults and byzantine validators with every invariant checked after every step; replay
// is exact; planted bugs (a second signed value, a ledger changed outside the log) are caught within the
// default seeds; the crash-losing store and the simulated chain do what the invariants rely on.
import { describe, expect, it, vi } from 'vitest'
import { replayNodeCommand, runNodeSchedule, type NodeSimConfig, type Plant } from './node/run.ts'
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

const SEEDS = 100
/** Seeds the planted bugs must be caught within (they are caught in the first one or two). */
const PLANT_SEEDS = 5

const failures = (rs: { seed: number; violations: string[]; faults: string }[], cfg: Omit<NodeSimConfig, 'seed'>) =>
  rs.filter((r) => r.violations.length > 0).map((r) => `seed ${r.seed}: ${r.violations.join('; ')}\n  faults: ${r.faults}\n  replay: ${replayNodeCommand({ seed: r.seed, ...cfg })}`)

describe('whole-node simulator', () => {
  it(`n=4 with one byzantine validator: ${SEEDS} seeds, every invariant holds`, async () => {
    const cfg = { validators: 4, byzantine: 1 }
    const rs: Awaited<ReturnType<typeof runNodeSchedule>>[] = []
    for (let seed = 1; seed <= SEEDS; seed++) rs.push(await runNodeSchedule({ seed, ...cfg }))
    const bad = failures(rs, cfg)
    expect(bad, bad.join('\n')).toEqual([])
    // The schedules did what the invariants need: blocks everywhere, votes and partial signatures
    // recorded, epochs certified and on chain, submissions finalized, byzantine roles of every kind.
    const sum = (f: (r: (typeof rs)[number]) => number) => rs.reduce((t, r) => t + f(r), 0)
    expect(sum((r) => Math.min(...r.heights))).toBeGreaterThan(SEEDS * 2)
    expect(sum((r) => r.coverage.epochsCertified)).toBeGreaterThanOrEqual(SEEDS * 0.9)
    expect(sum((r) => r.coverage.epochsOnChain)).toBeGreaterThan(SEEDS / 4)
    expect(sum((r) => r.coverage.submissionsFinal)).toBeGreaterThan(SEEDS)
    expect(sum((r) => r.realTimers)).toBe(0)
    for (const role of ['lazy', 'lying', 'equivocating']) expect(rs.some((r) => r.roles.includes(role as never)), role).toBe(true)
    for (const fault of ['crash', 'partition', 'late join']) expect(rs.some((r) => r.faults.includes(fault)), fault).toBe(true)
  }, 240_000)

  it('replays a seed exactly', async () => {
    const a = await runNodeSchedule({ seed: 7, validators: 4 })
    const b = await runNodeSchedule({ seed: 7, validators: 4 })
    expect(b).toEqual(a)
    expect((await runNodeSchedule({ seed: 8, validators: 4 })).faults).not.toEqual(a.faults)
  }, 60_000)

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
