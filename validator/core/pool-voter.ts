// POOL_VOTE decision, pure: given the operator's voting policy and one open pool, should this node stake
// for, against, or abstain? Governance pools follow the policy (default: against anything outside the
// node's safe envelope, otherwise abstain; explicit lists win); dispute pools follow the ledger (against a
// report the final value proved deviating); everything else abstains. The caller stakes and records the duty.
import { z } from 'zod'
import { PPM } from '../../core/amount.ts'
import { errorMessage } from '../../core/errors.ts'
import type { MemberId } from '../../core/ids.ts'
import * as forum from '../../forum/index.ts'
import { disputedSubmission } from '../../ledger/disputes.ts'
import type { SubmissionRecord } from '../../ledger/evaluations.ts'

const Choice = z.enum(['for', 'against', 'abstain'])
export type VoteChoice = z.infer<typeof Choice>
const Range = z.tuple([z.number().int(), z.number().int()]).refine(([a, b]) => a <= b, 'range min ≤ max')

/** The operator's policy file (validator/app/vote-policy.ts loads it from the data dir). */
export const VotePolicySchema = z.strictObject({
  version: z.literal(1),
  /** A governance change inside the safe envelope and on no list. */
  default: Choice.default('abstain'),
  /** A change that leaves the node's safe envelope (the hard one narrowed by `envelope`). */
  outsideEnvelope: Choice.default('against'),
  /** Narrower ranges than the protocol's SAFETY_ENVELOPE this operator accepts, per parameter. */
  envelope: z.record(z.string().max(64), Range).default({}),
  /** Per parameter: how to vote on any change that touches it (a change touching several takes the strictest). */
  params: z.record(z.string().max(64), Choice).default({}),
  /** Per challenge name: how to vote on its lifecycle steps. */
  challenges: z.record(z.string().max(64), Choice).default({}),
  /** Per post id: overrides everything above. */
  posts: z.record(z.string().max(128), Choice).default({}),
  /** Share of the node's free REP staked on a governance vote, and on a dispute vote. */
  stakePpm: z.number().int().min(1).max(1_000_000).default(100_000),
  disputeStakePpm: z.number().int().min(1).max(1_000_000).default(50_000),
})
export type VotePolicy = z.output<typeof VotePolicySchema>
export type VotePolicyInput = z.input<typeof VotePolicySchema>
export const DEFAULT_VOTE_POLICY: VotePolicy = VotePolicySchema.parse({ version: 1 })

export type PoolVote =
  | { vote: 'abstain'; reason: string }
  | { vote: 'for' | 'against'; amount: bigint; reason: string }

/** What the decision reads from the ledger: the forum state and the evaluation records (for disputes). */
export interface PoolVoterView {
  readonly forum: forum.ForumState
  readonly submissions: ReadonlyMap<string, SubmissionRecord>
}

/** Decide this node's vote on pool `poolId` (abstain when closed, already staked, or nothing to say). */
export function decidePoolVote(view: PoolVoterView, self: string, poolId: string, policy: VotePolicy): PoolVote {
  const s = view.forum
  const pool = s.pools.get(poolId as never)
  if (!pool || !forum.poolOpen(s, pool)) return { vote: 'abstain', reason: 'pool not open' }
  if (pool.stakes.has(self as MemberId)) return { vote: 'abstain', reason: 'already staked' }
  const post = s.posts.get(pool.post)
  if (!post) return { vote: 'abstain', reason: 'unknown post' }
  if (pool.accused) return disputeVote(view, self, pool.accused, post.content, policy)
  if (!post.payload) return { vote: 'abstain', reason: 'not a governance pool' }
  const [choice, reason] = governanceChoice(s, post.id, post.payload, policy)
  return stakeFor(s, self, choice, policy.stakePpm, reason)
}

function disputeVote(view: PoolVoterView, self: string, accused: string, content: string | undefined, policy: VotePolicy): PoolVote {
  if (accused === self) return { vote: 'abstain', reason: 'the accused does not vote on itself' }
  const sub = view.submissions.get(disputedSubmission(content) ?? '')
  if (!sub?.final) return { vote: 'abstain', reason: 'disputed submission unknown or not final' }
  if (!sub.final.deviating.includes(accused)) return { vote: 'abstain', reason: 'the report did not deviate' }
  return stakeFor(view.forum, self, 'against', policy.disputeStakePpm, 'the final value shows the report deviated')
}

/** The policy's answer for a governance payload, strictest first: post list, outside envelope, per-key lists, default. */
function governanceChoice(s: forum.ForumState, post: string, payload: forum.PostPayload, policy: VotePolicy): [VoteChoice, string] {
  const byPost = policy.posts[post]
  if (byPost) return [byPost, `post ${post} is on the policy's list`]
  if (payload.kind === 'challenge') {
    const c = policy.challenges[payload.name]
    return c ? [c, `challenge ${payload.name} is on the policy's list`] : [policy.default, 'policy default']
  }
  const keys = Object.keys(payload.changes).sort()
  const outside = outsideSafeEnvelope(s, payload.changes, policy)
  if (outside) return [policy.outsideEnvelope, outside]
  const listed = keys.map((k) => policy.params[k]).filter((c): c is VoteChoice => c !== undefined)
  if (listed.includes('against')) return ['against', 'a changed parameter is on the against list']
  if (listed.length === keys.length && listed.every((c) => c === 'for')) return ['for', 'every changed parameter is on the for list']
  return [policy.default, 'policy default']
}

/** Why a change leaves the node's safe envelope (the protocol's, narrowed by the policy), or undefined. */
function outsideSafeEnvelope(s: forum.ForumState, changes: Readonly<Record<string, number | boolean>>, policy: VotePolicy): string | undefined {
  try {
    forum.checkEnvelope(forum.mergeParams(forum.nextEpochParams(s), changes), Object.keys(changes))
  } catch (e) {
    return errorMessage(e)
  }
  for (const k of Object.keys(changes).sort()) {
    const r = policy.envelope[k]
    const v = changes[k]
    if (r && typeof v === 'number' && (v < r[0] || v > r[1])) return `${k}=${v} outside the operator's range [${r[0]}, ${r[1]}]`
  }
  return undefined
}

function stakeFor(s: forum.ForumState, self: string, choice: VoteChoice, ppm: number, reason: string): PoolVote {
  if (choice === 'abstain') return { vote: 'abstain', reason }
  const amount = (forum.freeOf(s, self as MemberId) * BigInt(ppm)) / PPM
  if (amount <= 0n) return { vote: 'abstain', reason: `${reason}; no free REP to stake` }
  return { vote: choice, amount, reason }
}
