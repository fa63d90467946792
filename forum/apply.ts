// The transaction dispatcher: the one entry point the node's ledger calls per decided transaction.
// A transaction is checked completely before anything is mutated, so a failed one leaves the state as it
// was (except that time advanced to ctx.slot and ctx.height, which happens regardless of the transaction).
import { AgoraError, errorMessage, isAgoraError } from '../core/errors.ts'
import { addProposal, checkProposal } from '../registry/lifecycle.ts'
import { verifySignedManifest } from '../registry/manifest.ts'
import { stakeAvailability, unstakeAvailability } from './availability.ts'
import { businessRequest, deposit } from './business.ts'
import { advanceTo } from './epoch.ts'
import type { ForumEvent } from './events.ts'
import { addPost, checkPost } from './posts.ts'
import { duePools, initiatePool, resolvePool, stake } from './pool.ts'
import type { ForumState } from './state.ts'
import type { PoolId } from '../core/ids.ts'
import { SYSTEM_SENDER, type ForumTx } from './tx.ts'

/** The block a transaction is in: its slot, and its height (absent: one block per slot, forum/epoch.ts). */
export interface TxContext { slot: number; height?: number }
export type TxResult = { ok: true; events: ForumEvent[] } | { ok: false; code: string; message: string; events: ForumEvent[] }

/** Apply one transaction at `ctx.slot` (mutates `s`). Never throws for an invalid transaction: returns ok=false. */
export function applyTx(s: ForumState, tx: ForumTx, ctx: TxContext): TxResult {
  const events = advanceTo(s, ctx.slot, ctx.height)
  try {
    dispatch(s, tx, events)
    return { ok: true, events }
  } catch (e) {
    if (!isAgoraError(e)) throw e // a bug, not bad input: let it surface
    return { ok: false, code: e.code, message: errorMessage(e), events }
  }
}

/** Like applyTx but throws the AgoraError of an invalid transaction (scenario runner, tests). */
export function applyTxOrThrow(s: ForumState, tx: ForumTx, ctx: TxContext): ForumEvent[] {
  const r = applyTx(s, tx, ctx)
  if (!r.ok) throw new AgoraError(r.code, r.message)
  return r.events
}

function dispatch(s: ForumState, tx: ForumTx, events: ForumEvent[]): void {
  switch (tx.type) {
    case 'Post': {
      const p = addPost(s, tx)
      events.push({ type: 'PostCreated', post: p.id })
      return
    }
    case 'InitiatePool': {
      const p = initiatePool(s, tx)
      events.push({ type: 'PoolOpened', pool: p.id, post: p.post, minted: p.minted, endSlot: p.endSlot, endHeight: p.endHeight })
      return
    }
    case 'Stake': return stake(s, tx)
    case 'ResolvePool': {
      resolveOne(s, tx.pool, events)
      return
    }
    case 'StakeAvailability': return stakeAvailability(s, tx)
    case 'UnstakeAvailability': { unstakeAvailability(s, tx); return }
    case 'BusinessRequest': return businessRequest(s, tx)
    case 'Deposit': return deposit(s, tx)
    case 'ProposeChallenge': {
      if (tx.sender === SYSTEM_SENDER) throw new AgoraError('FORBIDDEN', 'a challenge proposal needs an author')
      const signed = verifySignedManifest(tx.signed, s.params)
      checkProposal(s.registry, signed)
      // The activation step is checked when its pool passes (emission shares may change until then).
      const rec = checkPost(s, { id: tx.post, sender: tx.sender, authors: { [tx.sender]: 1_000_000 }, citations: {} })
      rec.payload = { kind: 'challenge', name: signed.manifest.name, to: 'active', version: signed.manifest.version }
      addProposal(s.registry, signed, s.slot)
      s.posts.set(rec.id, rec)
      events.push({ type: 'ChallengeProposed', name: signed.manifest.name, version: signed.manifest.version, post: tx.post })
      return
    }
  }
}

function resolveOne(s: ForumState, pool: PoolId, events: ForumEvent[]): void {
  const o = resolvePool(s, pool)
  events.push({ type: 'PoolResolved', pool, post: s.pools.get(pool)!.post, ...o })
}

/** Resolve every open pool whose duration has passed (the node may call this once per block). */
export function resolveDuePools(s: ForumState): ForumEvent[] {
  const events: ForumEvent[] = []
  for (const p of duePools(s)) resolveOne(s, p.id, events)
  return events
}
