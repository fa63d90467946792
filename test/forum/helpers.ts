// Test helpers: typed transactions and a state with some REP, applied at explicit slots.
import { parseRep } from '../../core/amount.ts'
import type { MemberId, PoolId, PostId } from '../../core/ids.ts'
import { applyTx, createState, type ForumState, type ForumTx, type Genesis, type TxResult } from '../../forum/index.ts'

export const M = (s: string) => s as MemberId
export const rep = parseRep

export function state(reps: Record<string, string>, extra: Partial<Genesis> = {}): ForumState {
  const r: Record<string, bigint> = {}
  for (const [k, v] of Object.entries(reps)) r[k] = parseRep(v)
  return createState({ ...extra, rep: r })
}

/** Apply and require success (the failure message in the assertion names the transaction). */
export function ok(s: ForumState, tx: ForumTx, slot = s.slot): TxResult {
  const r = applyTx(s, tx, { slot })
  if (!r.ok) throw new Error(`${tx.type} failed: ${r.message}`)
  return r
}

export const postTx = (id: string, sender: string, authors: Record<string, number>, extra: Partial<Extract<ForumTx, { type: 'Post' }>> = {}): ForumTx =>
  ({ type: 'Post', sender: M(sender), id: id as PostId, authors, citations: {}, ...extra })
export const poolTx = (id: string, post: string, fee: bigint, sender = '@system', extra: Partial<Extract<ForumTx, { type: 'InitiatePool' }>> = {}): ForumTx =>
  ({ type: 'InitiatePool', sender: M(sender), id: id as PoolId, post: post as PostId, fee, ...extra })
export const stakeTx = (pool: string, sender: string, amount: bigint, inFavor = true): ForumTx =>
  ({ type: 'Stake', sender: M(sender), pool: pool as PoolId, amount, inFavor })
export const resolveTx = (pool: string): ForumTx => ({ type: 'ResolvePool', sender: M('@system'), pool: pool as PoolId })
