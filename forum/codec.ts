// Canonical encoding of the forum state: explicit arrays sorted by id (never Map iteration order) in
// deterministic DAG-CBOR; `snapshot`/`restore` carry the state in a checkpoint (the state root is
// ./root.ts, over the same rows). Reads peek, so a snapshot never marks the state's tracked maps changed.
// Decoding normalises integers back to bigint where the state holds bigints.
import { encode, decode } from '../core/encoding.ts'
import { AgoraError } from '../core/errors.ts'
import { peek } from '../core/tracked-map.ts'
import type { MemberId, PoolId, PostId } from '../core/ids.ts'
import type { ChallengeEntry, ChallengeStatus } from '../registry/lifecycle.ts'
import { mergeParams, DEFAULT_PARAMS, type ParamKey, type Params } from './params.ts'
import { sortedKeys, type ForumState, type PoolRecord, type PostRecord } from './state.ts'
import type { PostPayload } from './tx.ts'

const VERSION = 3
type Row = unknown[]

function canonical(s: ForumState): Record<string, unknown> {
  const params: Record<string, unknown> = {}
  for (const k of Object.keys(s.params).sort()) params[k] = s.params[k as ParamKey]
  return {
    v: VERSION, slot: s.slot, height: s.height, epoch: s.epoch, epochStartSlot: s.epochStartSlot, epochStartHeight: s.epochStartHeight, params,
    pendingParams: sortedKeys(s.pendingParams).map((k) => { const p = peek(s.pendingParams, k)!; return [k, p.value, p.post] }),
    paramChangedEpoch: sortedKeys(s.paramChangedEpoch).map((k) => [k, peek(s.paramChangedEpoch, k)!]),
    accounts: sortedKeys(s.accounts).map((m) => { const a = peek(s.accounts, m)!; return [m, a.rep, a.locked, a.credits] }),
    posts: sortedKeys(s.posts).map((id) => postRow(peek(s.posts, id)!)),
    pools: sortedKeys(s.pools).map((id) => poolRow(peek(s.pools, id)!)),
    availability: sortedKeys(s.availability).map((m) => { const a = peek(s.availability, m)!; return [m, a.amount, a.unlockEpoch, a.exiting ? 1 : 0] }),
    validators: s.validators.map((v) => [v.member, v.power]),
    feePot: s.feePot,
    freeTxs: [s.freeTxs.total, sortedKeys(s.freeTxs.bySender).map((m) => [m, peek(s.freeTxs.bySender, m)!])],
    slashed: sortedKeys(s.slashed).map((k) => { const r = peek(s.slashed, k)!; return [k, r.member, r.height, r.amount] }),
    totals: [s.totals.genesis, s.totals.minted, s.totals.burned, s.totals.escrow, s.totals.genesisCredits, s.totals.deposited],
    registry: [...s.registry.challenges.keys()].sort().map((n) => {
      const e = peek(s.registry.challenges, n)!
      return [e.name, e.status, e.manifest, e.signature, e.upgrade ?? null, e.since]
    }),
  }
}

export const postRow = (p: PostRecord): Row => [
  p.id, p.sender, p.authors.map((a) => [a.member, a.weightPpm]), p.citations.map((c) => [c.post, c.weightPpm, c.flow]),
  p.value, p.createdSlot, p.payload ?? null, p.content ?? null,
]

export const poolRow = (p: PoolRecord): Row => [
  p.id, p.post, p.sender, p.fee, p.minted, p.favourMinted, p.againstMinted, p.startSlot, p.endSlot,
  p.quorumPpm, p.winRatioPpm, p.bindingPpm, p.redistributeLosingStakes,
  sortedKeys(p.stakes).map((m) => { const st = p.stakes.get(m)!; return [m, st.inFavor, st.against] }),
  p.memberInFavor, p.memberAgainst,
  p.outcome ? [p.outcome.quorumMet, p.outcome.passed, p.outcome.postAward, p.outcome.burned, p.outcome.effect ?? null] : null,
  p.accused ?? null, p.startHeight, p.endHeight,
]

/** Canonical bytes of the whole state. */
export const snapshot = (s: ForumState): Uint8Array => encode(canonical(s))

const big = (v: unknown): bigint => {
  if (typeof v === 'bigint') return v
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v)
  throw new AgoraError('BAD_SNAPSHOT', `expected an integer, got ${typeof v}`)
}
const num = (v: unknown): number => {
  const b = big(v)
  if (b > BigInt(Number.MAX_SAFE_INTEGER) || b < BigInt(Number.MIN_SAFE_INTEGER)) throw new AgoraError('BAD_SNAPSHOT', 'integer out of range')
  return Number(b)
}
const str = <T extends string = string>(v: unknown): T => {
  if (typeof v !== 'string') throw new AgoraError('BAD_SNAPSHOT', `expected a string, got ${typeof v}`)
  return v as T
}
const rows = (v: unknown): unknown[][] => {
  if (!Array.isArray(v)) throw new AgoraError('BAD_SNAPSHOT', 'expected an array')
  return v as unknown[][]
}

/** Rebuild a state from `snapshot` bytes; `snapshot(restore(b))` equals `b`. */
export function restore(bytes: Uint8Array): ForumState {
  const c = decode<Record<string, unknown>>(bytes)
  if (c === null || typeof c !== 'object' || c.v !== VERSION) throw new AgoraError('BAD_SNAPSHOT', 'not a forum snapshot (version)')
  const params: Params = mergeParams(DEFAULT_PARAMS, c.params as Record<string, unknown>)
  const t = rows(c.totals) as unknown as unknown[]
  const s: ForumState = {
    params,
    pendingParams: new Map(rows(c.pendingParams).map((r) => [str<ParamKey>(r[0]), { value: r[1] as number | boolean, post: str<PostId>(r[2]) }])),
    paramChangedEpoch: new Map(rows(c.paramChangedEpoch).map((r) => [str<ParamKey>(r[0]), num(r[1])])),
    slot: num(c.slot), height: num(c.height), epoch: num(c.epoch), epochStartSlot: num(c.epochStartSlot), epochStartHeight: num(c.epochStartHeight),
    accounts: new Map(rows(c.accounts).map((r) => [str<MemberId>(r[0]), { rep: big(r[1]), locked: big(r[2]), credits: big(r[3]) }])),
    posts: new Map(rows(c.posts).map((r) => {
      const p: PostRecord = {
        id: str(r[0]), sender: str(r[1]),
        authors: rows(r[2]).map((a) => ({ member: str<MemberId>(a[0]), weightPpm: num(a[1]) })),
        citations: rows(r[3]).map((x) => ({ post: str<PostId>(x[0]), weightPpm: num(x[1]), flow: big(x[2]) })),
        value: big(r[4]), createdSlot: num(r[5]),
      }
      if (r[6] !== null) p.payload = r[6] as PostPayload
      if (r[7] !== null) p.content = str(r[7])
      return [p.id, p]
    })),
    pools: new Map(rows(c.pools).map((r) => {
      const o = r[16] as unknown[] | null
      const p: PoolRecord = {
        id: str(r[0]), post: str(r[1]), sender: str(r[2]), fee: big(r[3]), minted: big(r[4]), favourMinted: big(r[5]),
        againstMinted: big(r[6]), startSlot: num(r[7]), endSlot: num(r[8]), startHeight: num(r[18]), endHeight: num(r[19]), quorumPpm: num(r[9]), winRatioPpm: num(r[10]),
        bindingPpm: num(r[11]), redistributeLosingStakes: r[12] === true,
        stakes: new Map(rows(r[13]).map((x) => [str<MemberId>(x[0]), { inFavor: big(x[1]), against: big(x[2]) }])),
        memberInFavor: big(r[14]), memberAgainst: big(r[15]),
      }
      if (r[17] !== null) p.accused = str<MemberId>(r[17])
      if (o) {
        p.outcome = { quorumMet: o[0] === true, passed: o[1] === true, postAward: big(o[2]), burned: big(o[3]) }
        if (o[4] !== null) p.outcome.effect = str(o[4])
      }
      return [p.id, p]
    })),
    availability: new Map(rows(c.availability).map((r) => [str<MemberId>(r[0]), { amount: big(r[1]), unlockEpoch: num(r[2]), ...(r[3] === 1 ? { exiting: true } : {}) }])),
    validators: rows(c.validators).map((r) => ({ member: str<MemberId>(r[0]), power: big(r[1]) })),
    feePot: big(c.feePot),
    freeTxs: { total: num(rows(c.freeTxs)[0]), bySender: new Map(rows(rows(c.freeTxs)[1]).map((r) => [str<MemberId>(r[0]), num(r[1])])) },
    slashed: new Map(rows(c.slashed).map((r) => [str(r[0]), { member: str<MemberId>(r[1]), height: num(r[2]), amount: big(r[3]) }])),
    totals: { genesis: big(t[0]), minted: big(t[1]), burned: big(t[2]), escrow: big(t[3]), genesisCredits: big(t[4]), deposited: big(t[5]) },
    registry: {
      challenges: new Map(rows(c.registry).map((r) => {
        const e: ChallengeEntry = { name: str(r[0]), status: str<ChallengeStatus>(r[1]), manifest: r[2] as ChallengeEntry['manifest'], signature: str(r[3]), since: num(r[5]) }
        if (r[4] !== null) e.upgrade = r[4] as ChallengeEntry['upgrade']
        return [e.name, e]
      })),
    },
  }
  return s
}
