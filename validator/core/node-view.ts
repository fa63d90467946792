// The node's read model for the API: maps ledger, block store and host state to the plain DTOs of
// view.ts. Lists are sorted deterministically and paginated by an opaque cursor (the offset).
// Reads of live ledger maps go through peek: a tracked get() marks the record changed for the state root.
import { peek, peekValues } from '../../core/tracked-map.ts'
import { formatRep } from '../../core/amount.ts'
import { toHex } from '../../core/bytes.ts'
import type { Clock } from '../../core/clock.ts'
import type { NodeKeys } from '../../core/crypto/keys.ts'
import * as forum from '../../forum/index.ts'
import type { MemberId, PoolId, PostId } from '../../core/ids.ts'
import type { CommitCertificate } from '../consensus/index.ts'
import type { Network } from './interfaces.ts'
import type { Genesis } from '../../ledger/genesis.ts'
import { blockHash, type Block } from '../../ledger/block.ts'
import { activeChallengeTable, type LedgerState } from '../../ledger/ledger.ts'
import { proveKey, type StateProof } from '../../ledger/state-tree.ts'
import { epochWeightsOf, submissionOutcome, type EpochWeights, type SubmissionRecord } from '../../ledger/evaluations.ts'
import type { BlockStore, EpochRecord } from '../infra/db/block-store.ts'
import type { Schedule } from './scheduler.ts'
import type { Mempool } from './mempool.ts'
import { policyToJson } from '../infra/runtime/policy.ts'
import { CHALLENGE_POLICIES } from '../../challenges/index.ts'
import { DEFAULT_YUMA_PARAMS, formatYumaEpoch, runYumaEpoch } from '../../ledger/scoring/index.ts'
import type {
  BalanceDto, BlockDto, ChallengeDto, EpochDto, NodeView, Page, PageArgs, PoolDto, PostDto, StateProofDto, SubmissionDto,
} from '../api/view.ts'

export const MAX_PAGE = 500

export function paginate<T>(items: readonly T[], args: PageArgs): Page<T> {
  const start = args.after ? Math.max(0, Number.parseInt(Buffer.from(args.after, 'base64url').toString(), 10) || 0) : 0
  const first = Math.min(MAX_PAGE, Math.max(0, args.first ?? 50))
  const slice = items.slice(start, start + first)
  const end = start + slice.length
  return { items: slice, total: items.length, nextCursor: end < items.length ? Buffer.from(String(end)).toString('base64url') : null }
}

export function dtoBlock(b: Block, stateRoot: string, cert: CommitCertificate | undefined, epoch = 0): BlockDto {
  return {
    height: b.height, slot: b.slot, epoch, hash: blockHash(b), prevHash: b.prevHash, prevStateRoot: b.prevStateRoot,
    stateRoot, proposer: b.proposer, txCount: b.txs.length, certificateSigners: cert ? cert.commits.map((c) => c.signer) : [],
  }
}

export function dtoPool(p: forum.PoolRecord): PoolDto {
  const stakes = [...p.stakes.keys()].sort().flatMap((m) => {
    const s = p.stakes.get(m)!
    const out: PoolDto['stakes'] = []
    if (s.inFavor > 0n) out.push({ member: m, amount: formatRep(s.inFavor), inFavor: true })
    if (s.against > 0n) out.push({ member: m, amount: formatRep(s.against), inFavor: false })
    return out
  })
  return {
    id: p.id, post: p.post, fee: formatRep(p.fee), startSlot: p.startSlot, endSlot: p.endSlot, startHeight: p.startHeight, endHeight: p.endHeight,
    resolved: !!p.outcome,
    passed: p.outcome ? p.outcome.passed : null, quorumMet: p.outcome ? p.outcome.quorumMet : null, stakes,
    forTotal: formatRep(p.memberInFavor + p.favourMinted), againstTotal: formatRep(p.memberAgainst + p.againstMinted),
  }
}

export function dtoSubmission(s: SubmissionRecord): SubmissionDto {
  const deviating = new Set(s.final?.deviating ?? [])
  const outcome = submissionOutcome(s)
  return {
    id: s.id, miner: s.miner, challenge: s.challenge, payloadCid: s.payloadCid, height: s.height,
    committee: s.committee.map((c) => c.validator),
    reports: s.reports.map((r) => ({ validator: r.validator, score: String(r.score), fuelUsed: r.fuelUsed.toString(), outputHash: r.outputHash, deviating: deviating.has(r.validator), ok: r.ok })),
    finalScore: s.final && outcome !== 'no-result' ? String(s.final.score) : null, final: !!s.final, outcome,
  }
}

/**
 * What a Bittensor-style chain would pay for this epoch's matrix: one Yuma epoch (no bond history) over
 * uids = validators (stake = voting power) then miners, every validator's row being the certified weights.
 */
export function yumaOfEpoch(result: EpochWeights, validators: readonly { member: string; power: bigint }[]): string | null {
  if (result.uids.length === 0 || validators.length === 0) return null
  const v = validators.length
  const n = v + Math.max(...result.uids) + 1
  const row = new Array<number>(n).fill(0)
  result.uids.forEach((u, i) => { row[v + u] = result.weights[i]! })
  const stake = Array.from({ length: n }, (_, i) => (i < v ? validators[i]!.power : 0n))
  const ids = Array.from({ length: v }, (_, i) => i)
  const out = formatYumaEpoch(0, runYumaEpoch(DEFAULT_YUMA_PARAMS, { stake, validators: ids, weights: ids.map(() => row), active: ids, emission: 1_000_000_000n }))
  return JSON.stringify({
    incentive: Object.fromEntries(result.uids.map((u, i) => [result.miners[i] || String(u), out.incentive[v + u]])),
    dividends: Object.fromEntries(validators.map((x, i) => [x.member, out.dividends[i]])),
  })
}

export function dtoEpoch(ledger: Readonly<LedgerState>, rec: EpochRecord): EpochDto {
  const r = ledger.evals.results.get(rec.epoch)
  // The ledger's result while it keeps it, then the copy in the node's epoch record (pruned from state).
  const kept = r ? epochWeightsOf(r) : rec.result
  return {
    epoch: rec.epoch, uids: [...kept?.uids ?? []], miners: [...kept?.miners ?? []], weights: [...kept?.weights ?? []],
    weightsHash: rec.weightsHash ?? r?.weightsHash ?? '', certificateSigners: Object.keys(rec.weightSignatures ?? {}).sort(),
    chainTx: rec.chainTx ?? null, yuma: kept ? yumaOfEpoch(kept, ledger.forum.validators) : null,
  }
}

export interface NodeViewModules {
  ledger: Readonly<LedgerState>
  blocks: BlockStore
  host: Pick<Network, 'peers'>
  self: string
  keys: NodeKeys
  genesis: Genesis
  schedule: Schedule
  clock: Clock
  mempool: Mempool
  root(): string
}

/** A post as the API shows it. */
const dtoPost = (p: forum.PostRecord): PostDto => ({
  id: p.id, authors: p.authors.map((a) => ({ member: a.member, weightPpm: a.weightPpm })),
  citations: p.citations.map((c) => ({ post: c.post, weightPpm: c.weightPpm })), value: formatRep(p.value),
  content: p.content ?? '', createdSlot: p.createdSlot,
})
const dtoBalance = (member: string, a: forum.Account): BalanceDto =>
  ({ member, balance: formatRep(a.rep), locked: formatRep(a.locked), free: formatRep(a.rep - a.locked), credits: formatRep(a.credits) })

/** Genesis challenges, then the registry's, by id. */
function challengeDtos(ledger: Readonly<LedgerState>): ChallengeDto[] {
  const active = new Set(activeChallengeTable(ledger).map((c) => c.id))
  const out: ChallengeDto[] = ledger.genesisChallenges.map((c) => ({
    id: c.id, name: c.id, version: '1.0.0', moduleHash: c.moduleHash, owner: 'genesis', status: active.has(c.id) ? 'active' : 'retired',
    emissionSharePpm: c.emissionSharePpm, policy: JSON.stringify(policyToJson((CHALLENGE_POLICIES as Record<string, never>)[c.id] ?? {})),
  }))
  for (const [name, e] of ledger.forum.registry.challenges) {
    out.push({ id: name, name, version: e.manifest.version, moduleHash: e.manifest.moduleHash, owner: e.manifest.owner, status: e.status, emissionSharePpm: e.manifest.emissionSharePpm, policy: JSON.stringify(e.manifest.policy) })
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : 1))
}

/**
 * The keys of an append-only ledger map (posts, pools and accounts are never deleted) in sorted order, kept
 * between reads: keys added since are the map's insertion-order tail, sorted and merged in once (O(n) per
 * block that adds any, nothing per read). A replaced map (snapshot, tracked copy) or a shrunk one is
 * sorted whole again.
 */
export function sortedKeyIndex<K extends string>(): (map: ReadonlyMap<K, unknown>) => readonly K[] {
  let source: ReadonlyMap<K, unknown> | undefined
  let sorted: K[] = []
  return (map) => {
    if (map !== source || map.size < sorted.length) { source = map; sorted = [...map.keys()].sort(); return sorted }
    if (map.size === sorted.length) return sorted
    const fresh: K[] = []
    let i = 0
    for (const k of map.keys()) if (i++ >= sorted.length) fresh.push(k)
    sorted = mergeSorted(sorted, fresh.sort())
    return sorted
  }
}

function mergeSorted<K extends string>(a: readonly K[], b: readonly K[]): K[] {
  const out = new Array<K>(a.length + b.length)
  let i = 0, j = 0, o = 0
  while (i < a.length && j < b.length) out[o++] = a[i]! <= b[j]! ? a[i++]! : b[j++]!
  while (i < a.length) out[o++] = a[i++]!
  while (j < b.length) out[o++] = b[j++]!
  return out
}

/**
 * A list derived from the ledger, recomputed only when the ledger has moved to another block or one of
 * `inputs` is another value (a replaced map, a grown key index): the ledger changes only by whole blocks,
 * so scans such as "open pools" or "submissions by height" cost once per block, not once per read.
 */
export function perBlock<T>(ledger: Readonly<LedgerState>, inputs: () => readonly unknown[], compute: () => T): () => T {
  let key: readonly unknown[] = []
  let value: T | undefined
  return () => {
    const now = [ledger.height, ledger.lastBlockHash, ...inputs()]
    if (value === undefined || now.length !== key.length || now.some((x, i) => x !== key[i])) { value = compute(); key = now }
    return value
  }
}

/** A page of a keyed ledger map in key order: only the page's rows become DTOs. */
function pageOf<K extends string, V, D>(map: ReadonlyMap<K, V>, keys: readonly K[], args: PageArgs, dto: (k: K, v: V) => D): Page<D> {
  const page = paginate(keys, args)
  return { ...page, items: page.items.map((k) => dto(k, peek(map as Map<K, V>, k)!)) }
}

/** The DTO of a state proof (hex bytes) for `key` at `height` with root `stateRoot`. */
function stateProofDto(key: string, height: number, stateRoot: string, p: StateProof): StateProofDto {
  return {
    key, height, stateRoot, tree: p.tree, value: p.value ? toHex(p.value) : null, otherRoot: toHex(p.otherRoot),
    levels: p.proof.levels.map((l) => l.map(toHex)),
    otherLeaf: p.proof.other ? { path: toHex(p.proof.other.path), hash: toHex(p.proof.other.hash) } : null,
  }
}

/** Blocks the view keeps (newest first) for the blocks query. */
const RECENT_BLOCKS = 200

/** Recent blocks and epoch records are cached in memory for the synchronous view; the owner calls refresh() when they change. */
export function createNodeView(m: NodeViewModules): NodeView & { refresh(): Promise<void> } {
  const { ledger } = m
  let recentBlocks: BlockDto[] = []
  let epochs: EpochRecord[] = []
  const refresh = async () => {
    const last = ledger.height
    // Only the blocks above the newest cached one are read (a refresh per block used to decode all 200).
    const cached = recentBlocks[0]?.height ?? 0
    const from = cached > 0 && cached <= last && last - cached < RECENT_BLOCKS ? cached : Math.max(1, last - RECENT_BLOCKS + 1)
    const stored = await m.blocks.range(from, last)
    // A block's post-state root is the next block's prevStateRoot (or the current root for the newest).
    const fresh = stored.map((s, i) => dtoBlock(s.block, stored[i + 1]?.block.prevStateRoot ?? (s.block.height === ledger.height ? m.root() : ''), s.certificate, m.schedule.epochOf(s.block.slot))).reverse()
    recentBlocks = from === cached ? [...fresh, ...recentBlocks.slice(1)].slice(0, RECENT_BLOCKS) : fresh
    epochs = (await m.blocks.epochRecords()).sort((a, b) => b.epoch - a.epoch)
  }
  void refresh().catch(() => {})
  const postKeys = sortedKeyIndex<PostId>(), poolKeys = sortedKeyIndex<PoolId>(), accountKeys = sortedKeyIndex<MemberId>()
  const subs = () => ledger.evals.submissions
  const submissions = perBlock(ledger, () => [subs(), subs().size], () =>
    [...peekValues(subs())].sort((a, b) => b.height - a.height || (a.id < b.id ? -1 : 1)).map(dtoSubmission))
  const pools = () => ledger.forum.pools
  // "Open" as a staker means it: not resolved and its window (slots and blocks) not passed at the head.
  const openPoolKeys = perBlock(ledger, () => [pools(), poolKeys(pools())], () => poolKeys(pools()).filter((id) => forum.poolOpen(ledger.forum, peek(pools(), id)!)))

  return {
    refresh,
    info() {
      const certified = epochs.find((e) => e.checkpoint)?.epoch ?? null
      return {
        peerId: m.self, evmAddress: m.keys.evmAddress, networkId: m.genesis.networkId, height: ledger.height,
        slot: m.schedule.slotAt(m.clock.now()), epoch: ledger.forum.epoch, stateRoot: m.root(), peers: m.host.peers(),
        synced: ledger.lastSlot >= m.schedule.slotAt(m.clock.now()) - 4, lastCertifiedEpoch: certified, epochSeed: ledger.epochSeed,
        mempoolSize: m.mempool.size,
      }
    },
    // Synchronous: the importer applies a block and its root in one step, so height, root and proof agree.
    stateProof: (key) => stateProofDto(key, ledger.height, m.root(), proveKey(ledger as LedgerState, key)),
    // Newest first; from a height on, oldest first (a reader catching up).
    blocks: (args) => paginate(args.fromHeight ? recentBlocks.filter((b) => b.height >= args.fromHeight!).reverse() : recentBlocks, args),
    block: (h) => recentBlocks.find((b) => b.height === h) ?? null,
    validators: (args) => {
      const total = ledger.forum.validators.reduce((s, v) => s + v.power, 0n)
      const g = new Map(m.genesis.validators.map((v) => [v.peerId, v]))
      return paginate(ledger.forum.validators.map((v) => ({
        peerId: v.member, evmAddress: g.get(v.member)?.evmAddress ?? '', power: formatRep(v.power),
        powerPpm: total > 0n ? Number((v.power * 1_000_000n) / total) : 0, blsPublicKey: g.get(v.member)?.blsPublicKey ?? '',
      })), args)
    },
    balances: (args) => pageOf(ledger.forum.accounts, accountKeys(ledger.forum.accounts), args, dtoBalance),
    balance: (member) => { const a = peek(ledger.forum.accounts, member as MemberId); return a ? dtoBalance(member, a) : null },
    posts: (args) => pageOf(ledger.forum.posts, postKeys(ledger.forum.posts), args, (_, p) => dtoPost(p)),
    post: (id) => { const p = peek(ledger.forum.posts, id as PostId); return p ? dtoPost(p) : null },
    pools: (args) => pageOf(pools(), args.openOnly ? openPoolKeys() : poolKeys(pools()), args, (_, p) => dtoPool(p)),
    pool: (id) => { const p = peek(ledger.forum.pools, id as never); return p ? dtoPool(p) : null },
    availability: (args) => pageOf(ledger.forum.availability, [...ledger.forum.availability.keys()].sort(), args, (mm, a) => ({ member: mm, amount: formatRep(a.amount), untilEpoch: a.unlockEpoch, exiting: !!a.exiting })),
    params: () => ({
      current: forum.PARAM_KEYS.map((k) => {
        const b = forum.PARAM_BOUNDS[k]
        return { name: k, value: String(ledger.forum.params[k]), min: b.kind === 'int' ? String(b.min) : null, max: b.kind === 'int' ? String(b.max) : null }
      }),
      pending: [...ledger.forum.pendingParams.keys()].sort().map((k) => ({ name: k, value: String(ledger.forum.pendingParams.get(k)!.value), effectiveEpoch: ledger.forum.epoch + 1 })),
    }),
    challenges: (args) => paginate(challengeDtos(ledger), args),
    challenge: (id) => challengeDtos(ledger).find((c) => c.id === id) ?? null,
    submissions: (args) => paginate(submissions().filter((s) => (!args.miner || s.miner === args.miner) && (!args.challenge || s.challenge === args.challenge)), args),
    submission: (id) => { const s = peek(ledger.evals.submissions, id); return s ? dtoSubmission(s) : null },
    epochs: (args) => paginate(epochs.map((e) => dtoEpoch(ledger, e)), args),
    epoch: (e) => { const r = epochs.find((x) => x.epoch === e); return r ? dtoEpoch(ledger, r) : null },
    checkpoints: (args) => paginate(epochs.filter((e) => e.checkpoint).map((e) => ({
      epoch: e.epoch, height: e.checkpoint!.height, stateRoot: e.checkpoint!.stateRoot, signers: e.checkpoint!.signers, cid: e.checkpoint!.cid ?? null,
    })), args),
  }
}

