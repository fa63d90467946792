// DGF scenario families through the scenario runner, each with balances worked out by hand in comments.
// Defaults: mintingRatio 1, stakeForAuthor 1/2, winRatio 1/2, quorum 0, binding 1, redistribute on,
// referenceChainLimit 3, pool duration 16 slots. A pool with fee F mints F: F/2 for the post, F/2 against.
import { describe, expect, it } from 'vitest'
import { runScenario, ScenarioError } from '../../forum/scenario.ts'

type Step = Record<string, unknown>
const post = (id: string, authors: Record<string, number>, citations?: Record<string, number>): Step => ({ op: 'post', id, authors, ...(citations ? { citations } : {}) })
const pool = (id: string, postId: string, fee: string, extra: Step = {}): Step => ({ op: 'pool', id, post: postId, fee, ...extra })
const stake = (p: string, who: string, amount: string, inFavor: boolean): Step => ({ op: 'stake', pool: p, who, amount, inFavor })
const advance = (slots = 16): Step => ({ op: 'advance', slots })
const resolve = (p: string): Step => ({ op: 'resolve', pool: p })
/** A pool with no member votes, run to resolution. */
const quickPool = (id: string, postId: string, fee: string): Step[] => [pool(id, postId, fee), advance(), resolve(id)]
/** The scenario's output without the parameter table (these scenarios change no parameter). */
const run = (genesis: Record<string, string>, steps: Step[], params?: Record<string, number | boolean>) => {
  const { params: _params, ...out } = runScenario({ genesis, steps, ...(params ? { params } : {}) }).output
  return out
}

describe('forum scenarios (DGF families)', () => {
  it('first pool with no other voters passes: the whole mint goes to the post', () => {
    // for = 5 (minted), against = 5 (minted): tie passes; winners (the post) take the minted 5 against.
    const out = run({}, [post('P1', { alice: 1_000_000 }), ...quickPool('V1', 'P1', '10')])
    expect(out).toEqual({
      balances: { alice: '10' }, posts: { P1: '10' }, pools: { V1: { passed: true, quorumMet: true } },
      totalSupply: '10', minted: '10', burned: '0',
    })
  })

  it('losing stakes are distributed among winners pro rata', () => {
    // for = 5 + alice 10 = 15, against = 5 + bob 10 = 15 → tie passes. pot = 5 minted + bob 10 = 15.
    // alice: 15·10/15 = 10 → 20; the post: 5 + 15·5/15 = 10 → dave. bob 0, carol untouched.
    const out = run({ alice: '10', bob: '10', carol: '10' }, [
      post('P1', { dave: 1_000_000 }), pool('V1', 'P1', '10'), stake('V1', 'alice', '10', true), stake('V1', 'bob', '10', false), advance(), resolve('V1'),
    ])
    expect(out.balances).toEqual({ alice: '20', bob: '0', carol: '10', dave: '10' })
    expect(out.pools.V1).toEqual({ passed: true, quorumMet: true })
    expect([out.totalSupply, out.minted, out.burned]).toEqual(['40', '10', '0'])
  })

  it('partial binding takes only that share of losing stakes', () => {
    // binding 1/2: bob loses 5 of 10. for = 5 + 15 = 20, against = 5 + 10. pot = 5 + 5 = 10, winners 20:
    // alice 10·15/20 = 7.5 → 27.5; post 5 + 10·5/20 = 7.5 → dave; bob 10 − 5 = 5.
    const out = run({ alice: '20', bob: '10' }, [
      post('P1', { dave: 1_000_000 }), pool('V1', 'P1', '10', { bindingPpm: 500_000 }),
      stake('V1', 'alice', '15', true), stake('V1', 'bob', '10', false), advance(), resolve('V1'),
    ])
    expect(out.balances).toEqual({ alice: '27.5', bob: '5', dave: '7.5' })
    expect([out.totalSupply, out.minted, out.burned]).toEqual(['40', '10', '0'])
  })

  it('redistribution off burns the bound losing stakes; the minted losing half still goes to winners', () => {
    // bob's 10 burned. pot = 5 (minted against). alice 5·15/20 = 3.75 → 23.75; post 5 + 5·5/20 = 6.25.
    const out = run({ alice: '20', bob: '10' }, [
      post('P1', { dave: 1_000_000 }), pool('V1', 'P1', '10', { redistributeLosingStakes: false }),
      stake('V1', 'alice', '15', true), stake('V1', 'bob', '10', false), advance(), resolve('V1'),
    ])
    expect(out.balances).toEqual({ alice: '23.75', bob: '0', dave: '6.25' })
    expect([out.totalSupply, out.minted, out.burned]).toEqual(['30', '10', '10'])
  })

  it('a failed pool pays the against side; the unowned minted stake and its winnings are burned', () => {
    // for = 5, against = 5 + alice 10 = 15 → fails. pot = 5 (minted for-half). alice 5·10/15 = 3.333333333;
    // burned: minted against 5 + its share 1.666666666 + 1 nano dust = 6.666666667.
    const out = run({ alice: '10' }, [
      post('P1', { dave: 1_000_000 }), pool('V1', 'P1', '10'), stake('V1', 'alice', '10', false), advance(), resolve('V1'),
    ])
    expect(out.balances).toEqual({ alice: '13.333333333' })
    expect(out.posts.P1).toBe('0')
    expect(out.pools.V1).toEqual({ passed: false, quorumMet: true })
    expect([out.totalSupply, out.minted, out.burned]).toEqual(['13.333333333', '10', '6.666666667'])
  })

  describe('citation chains (each post cites the previous one at +50%)', () => {
    const chain = [post('P0', { a0: 1e6 }), post('P1', { a1: 1e6 }, { P0: 500_000 }), post('P2', { a2: 1e6 }, { P1: 500_000 }),
      post('P3', { a3: 1e6 }, { P2: 500_000 }), post('P4', { a4: 1e6 }, { P3: 500_000 })]
    it('depth 1: P1 keeps 5, donates 5 to P0', () => {
      expect(run({}, [...chain, ...quickPool('V', 'P1', '10')]).balances).toEqual({ a0: '5', a1: '5' })
    })
    it('depth 2: 10 → P2 keeps 5 → P1 keeps 2.5 → P0 2.5', () => {
      expect(run({}, [...chain, ...quickPool('V', 'P2', '10')]).balances).toEqual({ a0: '2.5', a1: '2.5', a2: '5' })
    })
    it('depth 3: 10 → 5, 2.5, 1.25, 1.25', () => {
      expect(run({}, [...chain, ...quickPool('V', 'P3', '10')]).balances).toEqual({ a0: '1.25', a1: '1.25', a2: '2.5', a3: '5' })
    })
    it('beyond the limit: the post at hop 3 keeps everything it receives', () => {
      // P4 → P3 (hop 1) → P2 (hop 2) → P1 (hop 3 = referenceChainLimit): P1 keeps 1.25, P0 gets nothing.
      const out = run({}, [...chain, ...quickPool('V', 'P4', '10')])
      expect(out.balances).toEqual({ a1: '1.25', a2: '1.25', a3: '2.5', a4: '5' })
      expect(out.posts).toEqual({ P0: '0', P1: '1.25', P2: '1.25', P3: '2.5', P4: '5' })
    })
    it('a lower referenceChainLimit cuts the chain earlier', () => {
      const out = run({}, [...chain, ...quickPool('V', 'P4', '10')], { referenceChainLimit: 1 })
      expect(out.balances).toEqual({ a3: '5', a4: '5' })
    })
  })

  it('negative citation of a negative citation gives back part of what was leached', () => {
    // V1: P1 = 10 (alice). V2: P2 cites P1 at −50%: leaches 5 → alice 5, P2 = 15 (bob).
    // V3: P3 cites P2 at −50%: P2 receives −5; through its −50% citation it returns +2.5 to P1 (≤ the 5 it
    // had leached) → alice 7.5; P2 changes by −5 − 2.5 = −7.5 → bob 7.5; P3 = 10 + 5 = 15 (carol).
    const out = run({}, [
      post('P1', { alice: 1e6 }), ...quickPool('V1', 'P1', '10'),
      post('P2', { bob: 1e6 }, { P1: -500_000 }), ...quickPool('V2', 'P2', '10'),
      post('P3', { carol: 1e6 }, { P2: -500_000 }), ...quickPool('V3', 'P3', '10'),
    ])
    expect(out.balances).toEqual({ alice: '7.5', bob: '7.5', carol: '15' })
    expect(out.posts).toEqual({ P1: '7.5', P2: '7.5', P3: '15' })
    expect([out.totalSupply, out.burned]).toEqual(['30', '0'])
  })

  it('negative citation of a zero-valued post takes nothing (the leach is refunded)', () => {
    // P0 never received value: leaching 5 from it fails, P1 keeps all 10; alice's own REP is untouched.
    const out = run({ alice: '10' }, [post('P0', { alice: 1e6 }), post('P1', { bob: 1e6 }, { P0: -500_000 }), ...quickPool('V1', 'P1', '10')])
    expect(out.balances).toEqual({ alice: '10', bob: '10' })
    expect(out.posts).toEqual({ P0: '0', P1: '10' })
  })

  it('destroying a post after it received citations reverses what it donated, never below zero', () => {
    // V1 on P1 (cites P0 +50%): P0 5 (dave), P1 5 (alice). V2 on P2 (cites P1 +50%): P2 5 (bob), P1 +5 →
    // P0 +2.5 (dave 7.5), P1 +2.5 (alice 7.5). V3 (fee 20) on P3 citing P1 at −100%: P1 receives −20; it
    // takes back its whole donation to P0 (7.5, capped by the flow, not 10) → dave 0; P1 would reach
    // 7.5 − 12.5 < 0, so it stops at 0 (alice 0) and 5 is refunded: P3 = 20 + 15 = 35 (carol).
    const out = run({}, [
      post('P0', { dave: 1e6 }), post('P1', { alice: 1e6 }, { P0: 500_000 }), ...quickPool('V1', 'P1', '10'),
      post('P2', { bob: 1e6 }, { P1: 500_000 }), ...quickPool('V2', 'P2', '10'),
      post('P3', { carol: 1e6 }, { P1: -1_000_000 }), ...quickPool('V3', 'P3', '20'),
    ])
    expect(out.balances).toEqual({ alice: '0', bob: '5', carol: '35', dave: '0' })
    expect(out.posts).toEqual({ P0: '0', P1: '0', P2: '5', P3: '35' })
    expect([out.totalSupply, out.minted, out.burned]).toEqual(['40', '40', '0'])
  })

  it('a leach cannot take REP the author has locked: the shortfall is refunded to the leaching post', () => {
    // P1 = 10 (alice). alice locks all 10 in V2. P2 leaches 100% of 10 from P1: alice has 0 free, so
    // nothing is taken; P2 keeps 10 (bob). P1 keeps its value (nothing was taken from it).
    const out = run({}, [
      post('P1', { alice: 1e6 }), ...quickPool('V1', 'P1', '10'),
      post('PX', { zed: 1e6 }), pool('V2', 'PX', '2'), stake('V2', 'alice', '10', true),
      post('P2', { bob: 1e6 }, { P1: -1_000_000 }), pool('V3', 'P2', '10'), advance(), resolve('V3'),
    ])
    expect(out.balances.alice).toBe('10')
    expect(out.balances.bob).toBe('10')
    expect(out.posts.P1).toBe('10')
  })

  it('incineration burns what flows to the incinerator', () => {
    const out = run({}, [post('P1', { alice: 1e6 }, { '@incinerator': 500_000 }), ...quickPool('V1', 'P1', '10')])
    expect(out.balances).toEqual({ alice: '5' })
    expect([out.totalSupply, out.minted, out.burned]).toEqual(['5', '10', '5'])
  })

  it('multiple authors share by weight; the rounding remainder goes to the largest weight', () => {
    expect(run({}, [post('P1', { alice: 600_000, bob: 400_000 }), ...quickPool('V1', 'P1', '10')]).balances).toEqual({ alice: '6', bob: '4' })
    // 10 nano-REP over 1/3 each: 3, 3, 3 and the 1 nano remainder to carol (333334 ppm).
    const out = run({}, [post('P1', { alice: 333_333, bob: 333_333, carol: 333_334 }), ...quickPool('V1', 'P1', '0.00000001')])
    expect(out.balances).toEqual({ alice: '0.000000003', bob: '0.000000003', carol: '0.000000004' })
  })

  it('overlapping authors across posts accumulate from each', () => {
    // P2 (bob, carol) keeps 5 → 2.5 each; P1 (alice, bob) receives 5 → 2.5 each. bob: 5.
    const out = run({}, [post('P1', { alice: 500_000, bob: 500_000 }), post('P2', { bob: 500_000, carol: 500_000 }, { P1: 500_000 }), ...quickPool('V1', 'P2', '10')])
    expect(out.balances).toEqual({ alice: '2.5', bob: '5', carol: '2.5' })
  })

  it('quorum not met: stakes return, the mint is burned, the post gets nothing', () => {
    // quorum 20%: bob's 10 of 110 circulating is 9%.
    const out = run({ alice: '100', bob: '10' }, [
      post('P1', { carol: 1e6 }), pool('V1', 'P1', '10', { quorumPpm: 200_000 }), stake('V1', 'bob', '10', true), advance(), resolve('V1'),
    ])
    expect(out).toEqual({
      balances: { alice: '100', bob: '10' }, posts: { P1: '0' }, pools: { V1: { passed: false, quorumMet: false } },
      totalSupply: '110', minted: '10', burned: '10',
    })
  })
})

describe('scenario runner refuses invalid steps, naming the step, with nothing applied after it', () => {
  const base = [post('P1', { alice: 1e6 }), pool('V1', 'P1', '10')]
  const cases: [string, Step, RegExp][] = [
    ['unknown post', pool('V2', 'NOPE', '1'), /step 2 \(pool V2\): unknown post NOPE/],
    ['stake above free balance', stake('V1', 'bob', '11', true), /step 2 \(stake V1\): bob stakes 11 REP but has 10 free/],
    ['citation weights over the limit', post('P2', { bob: 1e6 }, { P1: 700_000, '@incinerator': 400_000 }), /step 2 \(post P2\).*1100000 ppm > revaluationLimitPpm 1000000/],
    ['resolve before the duration', resolve('V1'), /step 2 \(resolve V1\): pool V1 runs until slot 16 and height 16 \(now 0, 0\)/],
  ]
  for (const [name, bad, msg] of cases) {
    it(name, () => {
      const steps = [...base, bad, advance(), resolve('V1')]
      let err: unknown
      try { runScenario({ genesis: { bob: '10' }, steps }) } catch (e) { err = e }
      expect(err).toBeInstanceOf(ScenarioError)
      expect((err as ScenarioError).step).toBe(2)
      expect((err as Error).message).toMatch(msg)
      // Nothing after the bad step: V1 still open, bob untouched.
      expect((err as ScenarioError).output.pools.V1).toEqual({ passed: false, quorumMet: false })
      expect((err as ScenarioError).output.balances.bob).toBe('10')
    })
  }
  it('locked stake is not spendable in another pool', () => {
    expect(() => runScenario({ genesis: { bob: '10' }, steps: [...base, pool('V2', 'P1', '1'), stake('V1', 'bob', '10', true), stake('V2', 'bob', '1', true)] }))
      .toThrow(/step 4 \(stake V2\): bob stakes 1 REP but has 0 free/)
  })
})
