// Ids of everything the ledger creates, derived from the log so nobody can take one first: a member's
// posts and pools from (sender, nonce) — each nonce is used once — and the system's dispute, evidence and
// slashing objects from (kind, subject, height). A human-readable name is never a key.
import { toHex } from '../core/bytes.ts'
import { hashValue } from '../core/encoding.ts'
import type { PoolId, PostId } from '../core/ids.ts'
import type { LedgerTxBody } from './txs.ts'

/** Hex digits kept from the hash: 128 bits, far beyond any collision an attacker could search for. */
const ID_HEX = 32

export type UserObjectKind = 'post' | 'pool'
export type SystemObjectKind = 'dispute' | 'evidence'

const derive = (prefix: string, v: Record<string, unknown>): string => `${prefix}-${toHex(hashValue(v)).slice(0, ID_HEX)}`

/** The id of the post or pool a member's transaction with `nonce` creates. */
export const userObjectId = (kind: UserObjectKind, sender: string, nonce: number): string =>
  derive(kind === 'post' ? 'p' : 'v', { kind, sender, nonce })

export const userPostId = (sender: string, nonce: number): PostId => userObjectId('post', sender, nonce) as PostId
export const userPoolId = (sender: string, nonce: number): PoolId => userObjectId('pool', sender, nonce) as PoolId

/** The post (and, with the `pool-` prefix, the pool) the system opens about `subject` at `height`. */
export const systemPostId = (kind: SystemObjectKind, subject: string, height: number): PostId =>
  derive(kind, { kind, subject, height }) as PostId
export const systemPoolOf = (post: PostId): PoolId => `pool-${post}` as PoolId

/**
 * Why `tx` names an id other than the one its (sender, nonce) derive, or undefined. The ledger refuses
 * such a transaction with BAD_ID; mempool admission can refuse it early with the same check.
 */
export function derivedIdError(tx: LedgerTxBody, sender: string, nonce: number): string | undefined {
  const want = tx.type === 'Post' ? tx.id : tx.type === 'ProposeChallenge' ? tx.post : tx.type === 'InitiatePool' ? tx.id : undefined
  if (want === undefined) return undefined
  const derived = tx.type === 'InitiatePool' ? userPoolId(sender, nonce) : userPostId(sender, nonce)
  return want === derived ? undefined : `${tx.type} id ${want} must be ${derived} (derived from sender and nonce)`
}
