import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { finalizeScore, isQuorum, type CommitteeMember, type ScoreReport } from '../../../ledger/scoring/finality.ts'

const committee: CommitteeMember[] = [
  { validator: 'a', power: 40n }, { validator: 'b', power: 30n }, { validator: 'c', power: 20n }, { validator: 'd', power: 10n },
]
const rep = (validator: string, score: number, outputHash: string): ScoreReport => ({ validator, score: BigInt(score), outputHash })

describe('isQuorum', () => {
  it('needs strictly more than 2/3 of the power', () => {
    expect(isQuorum(67n, 100n)).toBe(true)
    expect(isQuorum(66n, 99n)).toBe(false) // exactly 2/3
    expect(isQuorum(1n, 1n)).toBe(true)
    expect(isQuorum(0n, 0n)).toBe(false)
  })
})

describe('finalizeScore', () => {
  it('is final as soon as > 2/3 of the committee power agrees on an output hash', () => {
    // a + b = 70 of 100 agree; c and d have not reported yet
    const r = finalizeScore(committee, [rep('a', 800_000, 'h1'), rep('b', 800_000, 'h1')], { deadlinePassed: false })
    expect(r).toMatchObject({ final: true, rule: 'quorum', score: 800_000n, outputHash: 'h1', agreeingPower: 70n, deviating: [] })
  })

  it('waits while agreement is at most 2/3 and no deadline', () => {
    // a + c = 60 agree, b = 30 disagrees: 60/100 is not a quorum
    const r = finalizeScore(committee, [rep('a', 800_000, 'h1'), rep('b', 100_000, 'h2'), rep('c', 800_000, 'h1')], { deadlinePassed: false })
    expect(r.final).toBe(false)
    expect(r.rule).toBe('pending')
    expect(r.deviating).toEqual([])
  })

  it('flags the deviating members of a quorum', () => {
    const r = finalizeScore(committee, [rep('a', 800_000, 'h1'), rep('b', 800_000, 'h1'), rep('c', 5, 'h9'), rep('d', 800_000, 'h1')], { deadlinePassed: false })
    expect(r).toMatchObject({ final: true, rule: 'quorum', outputHash: 'h1', agreeingPower: 80n, deviating: ['c'] })
  })

  it('takes the power-weighted median at the deadline and flags every other score only when a majority backs it', () => {
    // scores 900k (a, 40), 500k (b, 30), 100k (c, 20), 500k (d, 10): ascending cumulative 20, 60, 100 of 100;
    // minority ≈ 50.0008 → the first value whose cumulative exceeds it is 500k, backed by 40 of 100: nobody is accused
    const reports = [rep('a', 900_000, 'ha'), rep('b', 500_000, 'hb'), rep('c', 100_000, 'hc'), rep('d', 500_000, 'hd')]
    const r = finalizeScore(committee, reports, { deadlinePassed: true })
    expect(r).toMatchObject({ final: true, rule: 'median', score: 500_000n, agreeingPower: 40n, deviating: [] })
    // 500k backed by a and c (60 of 100, no quorum on one hash): b and d deviate
    const backed = finalizeScore(committee, [rep('a', 500_000, 'ha'), rep('b', 900_000, 'hb'), rep('c', 500_000, 'hc'), rep('d', 100_000, 'hd')], { deadlinePassed: true })
    expect(backed).toMatchObject({ final: true, rule: 'median', score: 500_000n, agreeingPower: 60n, deviating: ['b', 'd'] })
    expect(r.outputHash).toBe('hb') // the best-backed hash among the median reports
    // a stricter majority (kappa 0.9) pulls the consensus score down to what 90 % of power supports
    expect(finalizeScore(committee, reports, { deadlinePassed: true, kappaU16: 58982 }).score).toBe(100_000n)
  })

  it('finalises with the partial reports at the deadline, and empty when nobody reported', () => {
    const r = finalizeScore(committee, [rep('d', 300_000, 'h')], { deadlinePassed: true })
    expect(r).toMatchObject({ final: true, rule: 'median', score: 300_000n, reportedPower: 10n, committeePower: 100n })
    expect(finalizeScore(committee, [], { deadlinePassed: true })).toMatchObject({ final: true, rule: 'empty', score: 0n })
    expect(finalizeScore(committee, [], { deadlinePassed: false })).toMatchObject({ final: false, rule: 'pending' })
  })

  it('ignores non-members and second reports', () => {
    const r = finalizeScore(committee, [rep('x', 1, 'hx'), rep('a', 700_000, 'h'), rep('a', 1, 'hz'), rep('b', 700_000, 'h')], { deadlinePassed: false })
    expect(r).toMatchObject({ final: true, rule: 'quorum', score: 700_000n, ignored: ['a', 'x'] })
  })

  // Random committees (1–16 members, uneven powers) and reports drawn from few scores and hashes, so runs
  // reach quorums, split votes, medians and empty committees.
  const members = fc.uniqueArray(fc.record({ validator: fc.stringMatching(/^[a-p]$/), power: fc.bigInt({ min: 1n, max: 1000n }) }), { minLength: 1, maxLength: 16, selector: (m) => m.validator })
  const draws = fc.array(fc.record({ who: fc.nat(15), score: fc.constantFrom(0, 250_000, 500_000, 1_000_000), hash: fc.constantFrom('h1', 'h2', 'h3') }), { maxLength: 20 })
  const inputs = fc.tuple(members, draws, fc.boolean()).map(([c, d, deadlinePassed]) => ({
    committee: c, deadlinePassed,
    // One report per member (a second one is ignored by position, tested above), plus one non-member.
    reports: [...new Map(d.map((x) => [c[x.who % c.length]!.validator, x])).entries()].map(([v, x]) => rep(v, x.score, `${x.hash}-${x.score}`)).concat(d.length % 3 === 0 ? [rep('zz', 1, 'hz')] : []),
  }))

  it('holds its rules on random committees: order-free, quorum > 2/3, median within the reports, deviating ⊆ reporters', () => {
    const reached = new Set<string>()
    fc.assert(fc.property(inputs, fc.nat(), ({ committee: c, reports, deadlinePassed }, rot) => {
      const r = finalizeScore(c, reports, { deadlinePassed })
      reached.add(r.rule)
      // Order independence: a rotated committee and reversed reports give the same result.
      const k = rot % c.length
      expect(finalizeScore([...c.slice(k), ...c.slice(0, k)], [...reports].reverse(), { deadlinePassed })).toEqual(finalizeScore(c, reports, { deadlinePassed }))
      const total = c.reduce((a, m) => a + m.power, 0n)
      const firsts = new Map<string, ScoreReport>()
      for (const x of reports) if (!firsts.has(x.validator) && c.some((m) => m.validator === x.validator)) firsts.set(x.validator, x)
      for (const v of r.deviating) expect(firsts.has(v), `deviating ${v} reported`).toBe(true)
      expect(new Set(r.deviating).size).toBe(r.deviating.length)
      if (r.rule === 'quorum') {
        expect(3n * r.agreeingPower > 2n * total).toBe(true)
        for (const x of firsts.values()) if (x.outputHash !== r.outputHash) expect(r.deviating).toContain(x.validator)
        expect([...firsts.values()].some((x) => x.outputHash === r.outputHash && x.score === r.score)).toBe(true)
      }
      if (r.rule === 'median') expect([...firsts.values()].map((x) => x.score)).toContain(r.score)
      // Nobody is accused by a value that half of the committee's power or less backs.
      if (r.deviating.length > 0) expect(2n * r.agreeingPower > total, `accused by ${r.agreeingPower} of ${total}`).toBe(true)
      if (!deadlinePassed && r.rule !== 'quorum') expect(r.final).toBe(false)
      if (deadlinePassed) expect(r.final).toBe(true)
    }), { numRuns: 300 })
    expect([...reached].sort()).toEqual(['empty', 'median', 'pending', 'quorum'])
  })

  it('refuses a malformed committee', () => {
    expect(() => finalizeScore([{ validator: 'a', power: 1n }, { validator: 'a', power: 2n }], [], { deadlinePassed: true })).toThrow(/duplicate/)
  })
})
