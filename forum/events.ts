// What applying a transaction or crossing an epoch boundary did, for the node's logs, API subscriptions
// and metrics. Not part of the state (the state root does not cover events).
import type { PoolId, PostId } from '../core/ids.ts'

export type ForumEvent =
  | { type: 'PostCreated'; post: PostId }
  | { type: 'PoolOpened'; pool: PoolId; post: PostId; minted: bigint; endSlot: number; endHeight: number }
  | { type: 'PoolResolved'; pool: PoolId; post: PostId; quorumMet: boolean; passed: boolean; postAward: bigint; burned: bigint; effect?: string }
  | { type: 'FeesDistributed'; epoch: number; amount: bigint }
  | { type: 'ParamsActivated'; epoch: number; changes: Record<string, number | boolean> }
  | { type: 'ParamsDropped'; epoch: number; reason: string }
  | { type: 'EpochStarted'; epoch: number; startSlot: number; validators: number }
  | { type: 'ChallengeProposed'; name: string; version: string; post: PostId }
