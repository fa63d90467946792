// Scenario runner behind `agora forum simulate`: a JSON list of steps (post, pool, stake, advance,
// resolve) applied to a fresh state, and the outcome as JSON. A stable contract other tools rely on:
// amounts are decimal REP strings, ratios integer PPM; an invalid step stops the run, naming the step.
import { z } from 'zod'
import { formatRep, parseRep } from '../core/amount.ts'
import { AgoraError, errorMessage } from '../core/errors.ts'
import type { MemberId, PoolId, PostId } from '../core/ids.ts'
import { applyTxOrThrow } from './apply.ts'
import { advanceTo } from './epoch.ts'
import { createState, sortedKeys, totalSupply, type ForumState } from './state.ts'
import { PoolOverridesSchema, PostPayloadSchema, SYSTEM_SENDER } from './tx.ts'

const RepString = z.string().regex(/^\d+(\.\d{1,9})?$/, 'decimal REP amount like "10" or "2.5"')
const Id = z.string().min(1).max(128)
const Weights = z.record(z.string(), z.number().int())

const StepSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('post'), id: Id, authors: Weights, citations: Weights.optional(), payload: PostPayloadSchema.optional() }),
  z.strictObject({ op: z.literal('pool'), id: Id, post: Id, fee: RepString, durationSlots: z.number().int().min(1).optional(), ...PoolOverridesSchema.shape }),
  z.strictObject({ op: z.literal('stake'), pool: Id, who: Id, amount: RepString, inFavor: z.boolean() }),
  z.strictObject({ op: z.literal('advance'), slots: z.number().int().min(0).max(1_000_000_000) }),
  z.strictObject({ op: z.literal('resolve'), pool: Id }),
])
export type ScenarioStep = z.infer<typeof StepSchema>

export const ScenarioSchema = z.strictObject({
  params: z.record(z.string(), z.union([z.number().int(), z.boolean()])).optional(),
  genesis: z.record(z.string(), RepString).default({}),
  steps: z.array(StepSchema).default([]),
})
export type Scenario = z.input<typeof ScenarioSchema>

export interface ScenarioOutput {
  balances: Record<string, string>
  posts: Record<string, string>
  pools: Record<string, { passed: boolean; quorumMet: boolean }>
  /** The parameters in force after the last step (so a scenario shows whether a change took effect). */
  params: Record<string, number | boolean>
  totalSupply: string
  minted: string
  burned: string
}

/** A step failed: `step` is its 0-based index; `output` is the state after the steps before it. */
export class ScenarioError extends AgoraError {
  constructor(readonly step: number, message: string, readonly output: ScenarioOutput) {
    super('SCENARIO', message)
  }
}

export function runScenario(input: unknown): { output: ScenarioOutput; state: ForumState } {
  const parsed = ScenarioSchema.safeParse(input)
  if (!parsed.success) {
    throw new AgoraError('SCENARIO', `invalid scenario: ${parsed.error.issues.map((i) => `${i.path.join('.') || '$'}: ${i.message}`).join('; ')}`)
  }
  const sc = parsed.data
  const rep: Record<string, bigint> = {}
  for (const [m, v] of Object.entries(sc.genesis)) rep[m] = parseRep(v)
  const s = createState({ params: sc.params as never, rep })
  sc.steps.forEach((step, i) => {
    try {
      applyStep(s, step)
    } catch (e) {
      const what = 'id' in step ? ` ${step.id}` : 'pool' in step ? ` ${step.pool}` : ''
      throw new ScenarioError(i, `step ${i} (${step.op}${what}): ${errorMessage(e)}`, outputOf(s))
    }
  })
  return { output: outputOf(s), state: s }
}

function applyStep(s: ForumState, step: ScenarioStep): void {
  const ctx = { slot: s.slot }
  switch (step.op) {
    case 'post':
      applyTxOrThrow(s, { type: 'Post', sender: SYSTEM_SENDER, id: step.id as PostId, authors: step.authors, citations: step.citations ?? {}, payload: step.payload }, ctx)
      return
    case 'pool': {
      const { quorumPpm, winRatioPpm, bindingPpm, redistributeLosingStakes } = step
      const overrides = Object.fromEntries(Object.entries({ quorumPpm, winRatioPpm, bindingPpm, redistributeLosingStakes }).filter(([, v]) => v !== undefined))
      // No override fields: no overrides at all (a governance pool refuses any).
      applyTxOrThrow(s, { type: 'InitiatePool', sender: SYSTEM_SENDER, id: step.id as PoolId, post: step.post as PostId, fee: parseRep(step.fee), durationSlots: step.durationSlots, ...(Object.keys(overrides).length ? { overrides } : {}) }, ctx)
      return
    }
    case 'stake':
      applyTxOrThrow(s, { type: 'Stake', sender: step.who as MemberId, pool: step.pool as PoolId, amount: parseRep(step.amount), inFavor: step.inFavor }, ctx)
      return
    case 'advance':
      advanceTo(s, s.slot + step.slots)
      return
    case 'resolve':
      applyTxOrThrow(s, { type: 'ResolvePool', sender: SYSTEM_SENDER, pool: step.pool as PoolId }, ctx)
  }
}

export function outputOf(s: ForumState): ScenarioOutput {
  const balances: Record<string, string> = {}
  for (const m of sortedKeys(s.accounts)) balances[m] = formatRep(s.accounts.get(m)!.rep)
  const posts: Record<string, string> = {}
  for (const id of sortedKeys(s.posts)) posts[id] = formatRep(s.posts.get(id)!.value)
  const pools: ScenarioOutput['pools'] = {}
  for (const id of sortedKeys(s.pools)) {
    const o = s.pools.get(id)!.outcome
    pools[id] = { passed: o?.passed ?? false, quorumMet: o?.quorumMet ?? false }
  }
  const params: Record<string, number | boolean> = {}
  for (const k of Object.keys(s.params).sort()) params[k] = s.params[k as keyof typeof s.params]
  return { balances, posts, pools, params, totalSupply: formatRep(totalSupply(s)), minted: formatRep(s.totals.minted), burned: formatRep(s.totals.burned) }
}
