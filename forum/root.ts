// The forum's state root: the root of an authenticated tree (core/merkle.ts) with one leaf per account,
// post, pool, availability stake, slash record, free-tx count, pending or changed parameter and registry
// challenge, plus a `meta` leaf for the small remainder; updated incrementally (core/state-tree.ts).
// stateRoot = taggedHash('agora/forum-state/4', tree root). Leaf keys and rows: docs/PROTOCOL.md.
import { taggedHash } from '../core/hash.ts'
import type { MerkleTree } from '../core/merkle.ts'
import { type Section, type TreeSpec, syncTree, syncedRoot } from '../core/state-tree.ts'
import { type ParamKey } from './params.ts'
import { postRow, poolRow } from './codec.ts'
import type { AvailabilityStake, ForumState, PoolRecord, PostRecord, SlashRecord, Account } from './state.ts'
import type { ChallengeEntry } from '../registry/lifecycle.ts'

export const FORUM_ROOT_TAG = 'agora/forum-state/4'
const VERSION = 4

type AnyMap<V> = Map<string | number, V>
const section = <V>(prefix: string, mutableValues: boolean, read: (s: ForumState) => AnyMap<V>, replace: (s: ForumState, m: AnyMap<V>) => void, row: (v: V) => unknown): Section<ForumState, V> =>
  ({ prefix, mutableValues, read, replace, row })

export const FORUM_TREE: TreeSpec<ForumState> = {
  sections: [
    section<Account>('account', true, (s) => s.accounts as AnyMap<Account>, (s, m) => { s.accounts = m as ForumState['accounts'] }, (a) => [a.rep, a.locked, a.credits]),
    section<PostRecord>('post', true, (s) => s.posts as AnyMap<PostRecord>, (s, m) => { s.posts = m as ForumState['posts'] }, postRow),
    section<PoolRecord>('pool', true, (s) => s.pools as AnyMap<PoolRecord>, (s, m) => { s.pools = m as ForumState['pools'] }, poolRow),
    section<AvailabilityStake>('availability', true, (s) => s.availability as AnyMap<AvailabilityStake>, (s, m) => { s.availability = m as ForumState['availability'] },
      (a) => [a.amount, a.unlockEpoch, a.exiting ? 1 : 0]),
    section<SlashRecord>('slashed', true, (s) => s.slashed as AnyMap<SlashRecord>, (s, m) => { s.slashed = m as ForumState['slashed'] }, (r) => [r.member, r.height, r.amount]),
    section<number>('freeTx', false, (s) => s.freeTxs.bySender as AnyMap<number>, (s, m) => { s.freeTxs.bySender = m as ForumState['freeTxs']['bySender'] }, (n) => n),
    section<{ value: number | boolean; post: string }>('pendingParam', true, (s) => s.pendingParams as AnyMap<{ value: number | boolean; post: string }>,
      (s, m) => { s.pendingParams = m as ForumState['pendingParams'] }, (p) => [p.value, p.post]),
    section<number>('paramChanged', false, (s) => s.paramChangedEpoch as AnyMap<number>, (s, m) => { s.paramChangedEpoch = m as ForumState['paramChangedEpoch'] }, (e) => e),
    section<ChallengeEntry>('challenge', true, (s) => s.registry.challenges as AnyMap<ChallengeEntry>, (s, m) => { s.registry.challenges = m as Map<string, ChallengeEntry> },
      (e) => [e.name, e.status, e.manifest, e.signature, e.upgrade ?? null, e.since]),
  ] as unknown as Section<ForumState, unknown>[],
  arrays: [],
  meta: (s) => {
    const params: Record<string, unknown> = {}
    for (const k of Object.keys(s.params).sort()) params[k] = s.params[k as ParamKey]
    const t = s.totals
    return {
      v: VERSION, slot: s.slot, height: s.height, epoch: s.epoch, epochStartSlot: s.epochStartSlot, epochStartHeight: s.epochStartHeight, params,
      validators: s.validators.map((v) => [v.member, v.power]), feePot: s.feePot, freeTxs: s.freeTxs.total,
      totals: [t.genesis, t.minted, t.burned, t.escrow, t.genesisCredits, t.deposited],
    }
  },
}

/** The forum's authenticated tree, up to date (for proofs). */
export const forumTree = (s: ForumState): MerkleTree => syncTree(FORUM_TREE, s)
/** The state root that goes into the next block header; cost proportional to what changed since the last. */
export const stateRoot = (s: ForumState): Uint8Array => taggedHash(FORUM_ROOT_TAG, syncedRoot(FORUM_TREE, s))
