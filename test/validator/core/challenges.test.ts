// Challenge modules handed to the evaluator: whatever wall-clock limit a module's policy asks for, a run
// never outlasts the governed evaluation backstop (the commit window is sized from it).
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../../core/clock.ts'
import { utf8 } from '../../../core/bytes.ts'
import { createGenesisLedger } from '../../../ledger/ledger.ts'
import { createChallenges } from '../../../validator/core/challenges.ts'
import type { Network } from '../../../validator/core/interfaces.ts'
import { DEFAULT_POLICY } from '../../../validator/infra/runtime/policy-defaults.ts'
import { testGenesis } from '../../ledger/chain.ts'

describe('challenge modules', () => {
  it('bound every run by the governed evaluation backstop', async () => {
    const ledger = createGenesisLedger(testGenesis({ balances: ['1000'], params: { evaluationBackstopMs: 2000 } }))
    const net = { peers: () => [] } as unknown as Network
    const challenges = createChallenges({
      net, clock: new ManualClock(0), ledger,
      genesisModule: async (id) => (id === 'pow' ? { module: utf8('\0asm'), policy: { ...DEFAULT_POLICY, wallClockMs: 10_000 } } : undefined),
    })
    const pow = await challenges.module('pow')
    expect(pow?.policy.wallClockMs).toBe(ledger.forum.params.evaluationBackstopMs)
    expect(pow?.policy.fuelLimit).toBe(DEFAULT_POLICY.fuelLimit)
    expect(await challenges.module('unknown')).toBeUndefined()
    // A module asking for less than the backstop keeps its own limit.
    const short = createChallenges({ net, clock: new ManualClock(0), ledger, genesisModule: async () => ({ module: utf8('\0asm'), policy: { ...DEFAULT_POLICY, wallClockMs: 500 } }) })
    expect((await short.module('pow'))?.policy.wallClockMs).toBe(500)
  })
})
