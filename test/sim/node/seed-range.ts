// A range of whole-node seeds as the suite runs them (node.test.ts and node-51-100.test.ts each take half
// of the 100, so vitest's two workers share the load): every invariant holds on every seed, and the range
// exercised what the invariants need (blocks, votes, certified epochs on chain, every byzantine role and
// fault kind). Failures print each seed's faults and the command that replays it.
import { expect } from 'vitest'
import { replayNodeCommand, runNodeSchedule, type NodeSimConfig } from './run.ts'

export const SUITE_CONFIG = { validators: 4, byzantine: 1 } as const

type Result = Awaited<ReturnType<typeof runNodeSchedule>>

const failures = (rs: Result[], cfg: Omit<NodeSimConfig, 'seed'>) =>
  rs.filter((r) => r.violations.length > 0).map((r) => `seed ${r.seed}: ${r.violations.join('; ')}\n  faults: ${r.faults}\n  replay: ${replayNodeCommand({ seed: r.seed, ...cfg })}`)

export async function checkSeedRange(first: number, count: number): Promise<void> {
  const rs: Result[] = []
  for (let seed = first; seed < first + count; seed++) rs.push(await runNodeSchedule({ seed, ...SUITE_CONFIG }))
  const bad = failures(rs, SUITE_CONFIG)
  expect(bad, bad.join('\n')).toEqual([])
  const sum = (f: (r: Result) => number) => rs.reduce((t, r) => t + f(r), 0)
  expect(sum((r) => Math.min(...r.heights))).toBeGreaterThan(count * 2)
  expect(sum((r) => r.coverage.epochsCertified)).toBeGreaterThanOrEqual(count * 0.9)
  expect(sum((r) => r.coverage.epochsOnChain)).toBeGreaterThan(count / 4)
  expect(sum((r) => r.coverage.submissionsFinal)).toBeGreaterThan(count)
  expect(sum((r) => r.realTimers)).toBe(0)
  for (const role of ['lazy', 'lying', 'equivocating']) expect(rs.some((r) => r.roles.includes(role as never)), role).toBe(true)
  for (const fault of ['crash', 'partition', 'late join']) expect(rs.some((r) => r.faults.includes(fault)), fault).toBe(true)
}
