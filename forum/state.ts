// The forum's replicated state and its read helpers. The state is a mutable value owned by whoever holds
// it: `applyTx` and `advanceTo` mutate it in place; take `cloneState` first to keep the old one.
// Every Map here is read in sorted key order wherever order matters (hashing, distribution, sampling).
import { AgoraError } from '../core/errors.ts'
import { peekEntries } from '../core/tracked-map.ts'
import type { MemberId, PoolId, PostId } from '../core/ids.ts'
import { DEFAULT_PARAMS, mergeParams, type ParamKey, type Params } from './params.ts'
import { cloneRegistry, emptyRegistry, type RegistryState } from '../registry/lifecycle.ts'
import type { PostPayload } from './tx.ts'

export interface Account {
  /** Total REP (nano), including what is locked. */
  rep: bigint
  /** REP locked in open pool stakes and availability stakes: never spendable. */
  locked: bigint
  /** Fee-currency balance (nano units): pays pool and business fees, receives fee distributions. */
  credits: bigint
}

export interface Author { member: MemberId; weightPpm: number }
export interface Citation {
  post: PostId
  weightPpm: number
  /** Net nano-REP that has moved through this citation (donated > 0, leached < 0); bounds reversals. */
  flow: bigint
}
export interface PostRecord {
  id: PostId
  sender: MemberId
  /** Sorted by member id. */
  authors: Author[]
  /** Sorted by post id. */
  citations: Citation[]
  /** REP that stayed with the post after propagation (never negative). */
  value: bigint
  createdSlot: number
  payload?: PostPayload
  content?: string
}

export interface MemberStake { inFavor: bigint; against: bigint }
export interface PoolOutcome {
  quorumMet: boolean
  passed: boolean
  /** Total awarded to the post (propagated), 0 unless passed. */
  postAward: bigint
  burned: bigint
  /** What the pool's effect on governance was (param change queued, challenge step), if any. */
  effect?: string
}
export interface PoolRecord {
  id: PoolId
  post: PostId
  sender: MemberId
  fee: bigint
  /** fee × mintingRatio; held by the pool (escrow) until resolution. */
  minted: bigint
  favourMinted: bigint
  againstMinted: bigint
  startSlot: number
  endSlot: number
  /**
   * Height of the block that opened it, and the least height it closes at: a pool is open until both its
   * end slot and as many blocks as its duration has slots have passed (./pool-window.ts).
   */
  startHeight: number
  endHeight: number
  quorumPpm: number
  winRatioPpm: number
  bindingPpm: number
  redistributeLosingStakes: boolean
  stakes: Map<MemberId, MemberStake>
  /** Member stakes only (minted halves excluded). */
  memberInFavor: bigint
  memberAgainst: bigint
  /**
   * Dispute pools only: the accused validator. Its own stakes do not vote, and the against half is the
   * honest weight the ledger measured (never paid to anyone: burned whatever the outcome).
   */
  accused?: MemberId
  outcome?: PoolOutcome
}

export interface AvailabilityStake {
  amount: bigint
  unlockEpoch: number
  /** Exit requested: out of the validator set from the next boundary; the REP stays locked until unlockEpoch. */
  exiting?: boolean
}
export interface Validator { member: MemberId; power: bigint }
export interface SlashRecord { member: MemberId; height: number; amount: bigint }

export interface Totals {
  genesis: bigint
  minted: bigint
  burned: bigint
  /** Minted REP held by open pools (counted in supply, owned by no member yet). */
  escrow: bigint
  genesisCredits: bigint
  deposited: bigint
}

export interface ForumState {
  params: Params
  /** Changes accepted by passed pools; all take effect at the next epoch boundary. */
  pendingParams: Map<ParamKey, { value: number | boolean; post: PostId }>
  /** Epoch at which each parameter last changed by governance (the cooldown counts from it). */
  paramChangedEpoch: Map<ParamKey, number>
  slot: number
  /** Height of the block the clock is at (the ledger's); without one, one block per slot (./epoch.ts). */
  height: number
  epoch: number
  epochStartSlot: number
  /** Height of the first block of the current epoch (late work counts blocks from it, ledger/ledger.ts). */
  epochStartHeight: number
  accounts: Map<MemberId, Account>
  posts: Map<PostId, PostRecord>
  pools: Map<PoolId, PoolRecord>
  availability: Map<MemberId, AvailabilityStake>
  /** The validator set of the current epoch (fixed until the next boundary), sorted by power desc, id. */
  validators: Validator[]
  /** Fee currency collected this epoch, distributed to REP holders at the boundary. */
  feePot: bigint
  /** Fee-waived transactions this epoch (senders without credits), in all and per sender; reset at each boundary. */
  freeTxs: { total: number; bySender: Map<MemberId, number> }
  /** Offences already punished (offence key → record): the same evidence slashes once. */
  slashed: Map<string, SlashRecord>
  totals: Totals
  registry: RegistryState
}

export interface Genesis {
  params?: Partial<Params>
  /** member → nano-REP */
  rep: Readonly<Record<string, bigint>>
  /** member → nano fee credits */
  credits?: Readonly<Record<string, bigint>>
  /** Initial availability stakes (the genesis validator set): member → nano-REP locked. */
  availability?: Readonly<Record<string, { amount: bigint; unlockEpoch: number }>>
}

export function createState(genesis: Genesis): ForumState {
  const params = mergeParams(DEFAULT_PARAMS, genesis.params ?? {})
  const s: ForumState = {
    params, pendingParams: new Map(), paramChangedEpoch: new Map(), slot: 0, height: 0, epoch: 0, epochStartSlot: 0, epochStartHeight: 0,
    accounts: new Map(), posts: new Map(), pools: new Map(), availability: new Map(), validators: [],
    feePot: 0n, freeTxs: { total: 0, bySender: new Map() }, slashed: new Map(),
    totals: { genesis: 0n, minted: 0n, burned: 0n, escrow: 0n, genesisCredits: 0n, deposited: 0n },
    registry: emptyRegistry(),
  }
  for (const [m, v] of sortedEntries(genesis.rep)) {
    if (v < 0n) throw new AgoraError('BAD_GENESIS', `negative genesis REP for ${m}`)
    account(s, m as MemberId).rep += v
    s.totals.genesis += v
  }
  for (const [m, v] of sortedEntries(genesis.credits ?? {})) {
    if (v < 0n) throw new AgoraError('BAD_GENESIS', `negative genesis credits for ${m}`)
    account(s, m as MemberId).credits += v
    s.totals.genesisCredits += v
  }
  for (const [m, a] of sortedEntries(genesis.availability ?? {})) {
    const acc = account(s, m as MemberId)
    if (a.amount > acc.rep - acc.locked) throw new AgoraError('BAD_GENESIS', `genesis availability of ${m} above its REP`)
    acc.locked += a.amount
    s.availability.set(m as MemberId, { amount: a.amount, unlockEpoch: a.unlockEpoch })
  }
  s.validators = computeValidatorSet(s)
  return s
}

export function sortedEntries<V>(o: Readonly<Record<string, V>>): [string, V][] {
  return Object.keys(o).sort().map((k) => [k, o[k]!])
}
export const sortedKeys = <K extends string>(m: Map<K, unknown>): K[] => [...m.keys()].sort()

/** The account of `m`, created empty on first touch. */
export function account(s: ForumState, m: MemberId): Account {
  let a = s.accounts.get(m)
  if (!a) { a = { rep: 0n, locked: 0n, credits: 0n }; s.accounts.set(m, a) }
  return a
}

export const balanceOf = (s: ForumState, m: MemberId): bigint => s.accounts.get(m)?.rep ?? 0n
export const lockedOf = (s: ForumState, m: MemberId): bigint => s.accounts.get(m)?.locked ?? 0n
export const freeOf = (s: ForumState, m: MemberId): bigint => balanceOf(s, m) - lockedOf(s, m)
export const creditsOf = (s: ForumState, m: MemberId): bigint => s.accounts.get(m)?.credits ?? 0n

/** REP held by members (free + locked), summed over accounts: O(members), for checks and reports. */
export function sumOfBalances(s: ForumState): bigint {
  let t = 0n
  for (const a of s.accounts.values()) t += a.rep
  return t
}
/** All REP in existence (members' plus what open pools hold) from the running totals. */
export const totalSupply = (s: ForumState): bigint => s.totals.genesis + s.totals.minted - s.totals.burned
/** REP held by members, O(1): total supply minus pool escrow (equals `sumOfBalances` — an invariant). */
export const circulatingSupply = (s: ForumState): bigint => totalSupply(s) - s.totals.escrow

/** Members eligible for duties this epoch: top `maxValidators` by availability stake (ties: lower id). */
export function computeValidatorSet(s: ForumState): Validator[] {
  const vs: Validator[] = []
  for (const m of sortedKeys(s.availability)) {
    const a = s.availability.get(m)!
    if (a.amount > 0n && a.unlockEpoch > s.epoch && !a.exiting) vs.push({ member: m, power: a.amount })
  }
  vs.sort((x, y) => (x.power !== y.power ? (x.power > y.power ? -1 : 1) : x.member < y.member ? -1 : 1))
  return vs.slice(0, s.params.maxValidators)
}

/** Deep copy: the returned state shares nothing mutable with `s`. Reads peek (a clone marks nothing changed). */
export function cloneState(s: ForumState): ForumState {
  const copy = <K, V>(m: Map<K, V>, f: (v: V) => V): Map<K, V> => new Map([...peekEntries(m)].map(([k, v]) => [k, f(v)]))
  const same = <V>(v: V): V => v
  return {
    params: { ...s.params },
    pendingParams: copy(s.pendingParams, (v) => ({ ...v })),
    paramChangedEpoch: copy(s.paramChangedEpoch, same),
    slot: s.slot, height: s.height, epoch: s.epoch, epochStartSlot: s.epochStartSlot, epochStartHeight: s.epochStartHeight,
    accounts: copy(s.accounts, (a) => ({ ...a })),
    posts: copy(s.posts, (p) => ({ ...p, authors: p.authors.map((a) => ({ ...a })), citations: p.citations.map((c) => ({ ...c })) })),
    pools: copy(s.pools, (p) => ({
      ...p, stakes: new Map([...p.stakes].map(([m, st]) => [m, { ...st }])), outcome: p.outcome ? { ...p.outcome } : undefined,
    })),
    availability: copy(s.availability, (a) => ({ ...a })),
    validators: s.validators.map((v) => ({ ...v })),
    feePot: s.feePot,
    freeTxs: { total: s.freeTxs.total, bySender: copy(s.freeTxs.bySender, same) },
    slashed: copy(s.slashed, (r) => ({ ...r })),
    totals: { ...s.totals },
    registry: cloneRegistry(s.registry),
  }
}

export function requirePost(s: ForumState, id: PostId): PostRecord {
  const p = s.posts.get(id)
  if (!p) throw new AgoraError('UNKNOWN_POST', `unknown post ${id}`)
  return p
}
export function requirePool(s: ForumState, id: PoolId): PoolRecord {
  const p = s.pools.get(id)
  if (!p) throw new AgoraError('UNKNOWN_POOL', `unknown pool ${id}`)
  return p
}
