// The ledger: applies decided blocks to the forum + registry (forum/) and the evaluation state
// (submissions, reports, final scores, epoch weights). A pure function of the decided log: integers only,
// sorted iteration, no clock — slots come from block headers. The node persists what it returns.
import { fromHex, toHex, utf8 } from '../core/bytes.ts'
import { encode, hashValue } from '../core/encoding.ts'
import { parseRep } from '../core/amount.ts'
import type { AgoraError } from '../core/errors.ts'
import type { MemberId } from '../core/ids.ts'
import * as forum from '../forum/index.ts'
import { activeChallenges, rejectProposal } from '../registry/lifecycle.ts'
import type { RuntimePolicy as RegistryPolicy } from '../registry/manifest.ts'
import type { Genesis } from './genesis.ts'
import { genesisHash } from './genesis.ts'
import type { Block } from './block.ts'
import { blockHash } from './block.ts'
import type { LedgerTxBody, VerifiedTx } from './txs.ts'
import { openDispute, openEvidencePools } from './disputes.ts'
import { applyEvidence, pruneOffences } from './evidence.ts'
import { derivedIdError } from './ids.ts'
import { blsPossessionValid, certificationSet, checkKeyRegistration, type CertificationSet, type ValidatorKeys } from './validator-keys.ts'
import {
  challengeInstanceSeed, addCommit, addReport, addSubmission, computeEpochResult, emptyEvalState, finalizeReady,
  submissionIdOf, type EpochResult, type EvalState, type SubmissionRecord,
} from './evaluations.ts'
import { ledgerStateRoot } from './state-tree.ts'
import { peek, peekEntries } from '../core/tracked-map.ts'

export { ledgerStateRoot }

/**
 * Protocol constants of the ledger. The economic and timing rules (commit window, deadline, dispute bond,
 * evidence fee, fees, slashing) are governed parameters (forum/params.ts) within safety envelopes.
 */
export const LEDGER_RULES = {
  // Inline payloads travel in a /agora/1/submissions envelope (256 KiB cap) with the signed transaction.
  maxPayloadBytes: 192 * 1024,
  // Work made for epoch e − 1's seed still counts in the first blocks of e: a miner that submits near the
  // boundary lands after it (gossip, then the next proposal, plus a round change or two). Counted in blocks,
  // not slots: when blocks come slots apart (load, a hand-over) e's first 4 slots may hold no block at all.
  // Older work, or e − 1's after this, is refused STALE_EPOCH.
  lateWorkGraceBlocks: 4,
} as const

export interface LedgerState {
  height: number
  lastBlockHash: string
  lastSlot: number
  forum: forum.ForumState
  evals: EvalState
  /** Highest nonce used per sender (replay protection). */
  nonces: Map<string, number>
  /** Challenges active at genesis (id → share, module hash); the registry adds governed ones. */
  genesisChallenges: { id: string; moduleHash: string; emissionSharePpm: number }[]
  /** Keys validators registered with their availability stake (genesis validators: from genesis). */
  validatorKeys: Map<string, ValidatorKeys>
  /** Seed of the current epoch's challenge instances: the hash of the last block of the previous epoch. */
  epochSeed: string
  /** The previous epoch's seed: late work for it is accepted for LEDGER_RULES.lateWorkGraceBlocks. */
  prevEpochSeed: string
  /**
   * The challenges of the current epoch (genesis ones plus registry-active ones), fixed at the boundary:
   * an activation, upgrade, deprecation or retirement the registry records takes effect at the next one.
   */
  challengeTable: ChallengeRow[]
}

/** One challenge of an epoch; a registry row carries its manifest's runtime policy (the bytes run under it). */
export interface ChallengeRow {
  id: string
  moduleHash: string
  emissionSharePpm: number
  committeeSize?: number
  /** Present for a registry challenge (absent: a genesis one, whose bytes and policy the genesis file names). */
  policy?: RegistryPolicy
}

export type LedgerEvent =
  | { type: 'forum'; event: forum.ForumEvent }
  | { type: 'submission'; submission: SubmissionRecord }
  | { type: 'finalScore'; submission: SubmissionRecord }
  /** `set` certified epoch `result.epoch`; `nextSet` certifies the epoch that starts (the hand-over). */
  | { type: 'epochClosed'; result: EpochResult; set: CertificationSet; nextSet: CertificationSet }
  | { type: 'dispute'; pool: string; validator: string; submission: string }
  /** Equivocation evidence burned `amount` of the validator's availability stake; it leaves the set at the boundary. */
  | { type: 'slashed'; validator: string; amount: bigint }

export interface TxOutcome { id: string; ok: boolean; code?: string; message?: string }
export interface ApplyResult { events: LedgerEvent[]; outcomes: TxOutcome[]; stateRoot: string; hash: string }

export function createGenesisLedger(g: Genesis): LedgerState {
  const rep: Record<string, bigint> = {}
  for (const [m, v] of Object.entries(g.balances)) rep[m] = parseRep(v)
  const availability: Record<string, { amount: bigint; unlockEpoch: number }> = {}
  for (const v of g.validators) {
    const stake = parseRep(v.stake)
    rep[v.peerId] = (rep[v.peerId] ?? 0n) < stake ? stake : rep[v.peerId]!
    availability[v.peerId] = { amount: stake, unlockEpoch: 1_000_000 }
  }
  // The system pays evidence fees from outside the forum; members pay pool fees from genesis credits.
  const credits: Record<string, bigint> = {}
  for (const [m, v] of Object.entries(g.credits)) credits[m] = parseRep(v)
  const state = forum.createState({ params: g.params as Partial<forum.Params>, rep, credits, availability })
  // A genesis key without a valid proof of possession never certifies (rogue-key defence for aggregates).
  const validatorKeys = new Map<string, ValidatorKeys>()
  for (const v of [...g.validators].sort((a, b) => (a.peerId < b.peerId ? -1 : 1))) {
    if (blsPossessionValid(v.blsPublicKey, v.blsProof)) validatorKeys.set(v.peerId, { blsPublicKey: v.blsPublicKey.toLowerCase(), evmAddress: v.evmAddress.toLowerCase() })
  }
  const s: LedgerState = {
    height: 0, lastBlockHash: genesisHash(g), lastSlot: -1, forum: state, evals: emptyEvalState(), nonces: new Map(),
    validatorKeys, epochSeed: genesisHash(g), prevEpochSeed: genesisHash(g), challengeTable: [],
    genesisChallenges: g.challenges.map((c) => ({ id: c.id, moduleHash: c.moduleHash.replace(/^0x/, ''), emissionSharePpm: c.emissionSharePpm })).sort((a, b) => (a.id < b.id ? -1 : 1)),
  }
  s.challengeTable = registryChallengeTable(s)
  return s
}

/** Challenges that score this epoch (fixed at its start), by id. */
export const activeChallengeTable = (s: LedgerState): readonly ChallengeRow[] => s.challengeTable

/** What the registry holds now: genesis challenges plus registry-active ones (genesis names are reserved). */
export function registryChallengeTable(s: LedgerState): ChallengeRow[] {
  const out = new Map<string, ChallengeRow>()
  for (const c of s.genesisChallenges) out.set(c.id, { ...c })
  for (const e of activeChallenges(s.forum.registry)) {
    if (out.has(e.name)) continue
    const row: ChallengeRow = { id: e.name, moduleHash: e.manifest.moduleHash, emissionSharePpm: e.manifest.emissionSharePpm, policy: e.manifest.policy }
    if (e.manifest.committeeSize !== undefined) row.committeeSize = e.manifest.committeeSize
    out.set(e.name, row)
  }
  return [...out.keys()].sort().map((k) => out.get(k)!)
}

/** Registered keys as sorted rows (state root and snapshot). */
export const validatorKeysRows = (s: LedgerState): [string, string, string][] =>
  [...s.validatorKeys.keys()].sort().map((m) => { const k = s.validatorKeys.get(m)!; return [m, k.blsPublicKey, k.evmAddress] })

/** The certification set of the ledger's current epoch (its validator set with registered keys). */
export const currentCertificationSet = (s: LedgerState): CertificationSet => certificationSet(s.forum.validators, s.validatorKeys)

/** Apply a decided block (mutates `s`). `txs` are the block's transactions, already verified. */
export function applyBlock(s: LedgerState, block: Block, txs: readonly VerifiedTx[]): ApplyResult {
  const events: LedgerEvent[] = []
  const push = (evs: forum.ForumEvent[]) => { for (const e of evs) events.push({ type: 'forum', event: e }) }
  const prevEpoch = s.forum.epoch
  // Deadlines reached by this block, before its boundary and transactions, belong to the closing epoch.
  finalize(s, block, prevEpoch, events)
  const closingSet = currentCertificationSet(s)
  push(forum.advanceTo(s.forum, block.slot, block.height))
  // The new epoch's instances are seeded by the last block of the one before: unknown until it is decided.
  // Skipped epochs had no block in between, so the one just before the new epoch had this same seed.
  if (s.forum.epoch > prevEpoch) {
    s.prevEpochSeed = s.forum.epoch === prevEpoch + 1 ? s.epochSeed : s.lastBlockHash
    s.epochSeed = s.lastBlockHash
  }
  const nextSet = currentCertificationSet(s)
  // Epochs skipped without a block had no set change in between: the closing set certified them too.
  for (let e = prevEpoch; e < s.forum.epoch; e++) closeEpoch(s, e, block.slot, events, closingSet, e === s.forum.epoch - 1 ? nextSet : closingSet)
  if (s.forum.epoch > prevEpoch) s.challengeTable = registryChallengeTable(s)
  push(forum.resolveDuePools(s.forum))

  const outcomes: TxOutcome[] = []
  for (const tx of txs) outcomes.push(applyOne(s, block, tx, events))
  finalize(s, block, s.forum.epoch, events)
  withdrawFailedProposals(s, events)

  s.height = block.height
  s.lastSlot = block.slot
  s.lastBlockHash = blockHash(block)
  return { events, outcomes, stateRoot: ledgerStateRoot(s), hash: s.lastBlockHash }
}

/**
 * The epoch seed that work named for `epoch` was made with, or undefined when it is stale: the current
 * epoch's, or the previous one's within its grace blocks (no epoch named: the current one, as before).
 */
function workSeed(s: LedgerState, epoch: number | undefined, height: number): string | undefined {
  if (epoch === undefined || epoch === s.forum.epoch) return s.epochSeed
  const late = epoch === s.forum.epoch - 1 && height < s.forum.epochStartHeight + LEDGER_RULES.lateWorkGraceBlocks
  return late ? s.prevEpochSeed : undefined
}

function applyOne(s: LedgerState, block: Block, v: VerifiedTx, events: LedgerEvent[]): TxOutcome {
  const fail = (code: string, message: string): TxOutcome => ({ id: v.id, ok: false, code, message })
  if (v.nonce <= (s.nonces.get(v.sender) ?? -1)) return fail('STALE_NONCE', `nonce ${v.nonce} already used by ${v.sender}`)
  s.nonces.set(v.sender, v.nonce)
  const tx = v.tx
  // Spam costs something: the fee is paid (or the free quota used) even if the transaction then fails.
  try { forum.chargeFee(s.forum, v.sender as MemberId, feeClassOf(tx)) } catch (e) { return fail((e as AgoraError).code, (e as Error).message) }
  const badId = derivedIdError(tx, v.sender, v.nonce)
  if (badId) return fail('BAD_ID', badId)
  switch (tx.type) {
    case 'Submission': {
      const ch = activeChallengeTable(s).find((c) => c.id === tx.challenge)
      if (!ch) return fail('UNKNOWN_CHALLENGE', `challenge ${tx.challenge} is not active`)
      // Work is for one epoch's instance: a payload made for another epoch's seed is refused.
      const epochSeed = workSeed(s, tx.epoch, block.height)
      if (epochSeed === undefined) return fail('STALE_EPOCH', `submission for epoch ${tx.epoch}, the log is at epoch ${s.forum.epoch}`)
      if (tx.payloadBytes > LEDGER_RULES.maxPayloadBytes) return fail('PAYLOAD_TOO_LARGE', `payload of ${tx.payloadBytes} bytes`)
      const id = submissionIdOf(tx.challenge, tx.payloadCid)
      if (s.evals.submissions.has(id)) return fail('DUPLICATE', 'this payload was already submitted (the first committer owns it)')
      const vals = s.forum.validators
      const seed = hashValue({ prev: fromHex(s.lastBlockHash), submission: id })
      const size = ch.committeeSize ?? s.forum.params.committeeSize
      const chosen = forum.assignCommittee(vals.map((x) => ({ member: x.member, stake: x.power })), seed, size)
      const power = new Map(vals.map((x) => [x.member as string, x.power]))
      const committee = [...chosen].sort().map((m) => ({ validator: m as string, power: power.get(m)! }))
      addSubmission(s.evals, {
        id, miner: tx.sender, challenge: tx.challenge, payloadCid: tx.payloadCid, payloadBytes: tx.payloadBytes,
        height: block.height, slot: block.slot, epoch: s.forum.epoch, seed: challengeInstanceSeed(epochSeed, tx.challenge), committee,
        revealHeight: block.height + forum.commitWindowBlocks(s.forum.params), deadlineHeight: block.height + forum.evaluationDeadlineBlocks(s.forum.params),
      })
      events.push({ type: 'submission', submission: s.evals.submissions.get(id)! })
      return { id: v.id, ok: true }
    }
    case 'Evaluations': {
      let recorded = 0
      for (const c of tx.commits) if (addCommit(s.evals, tx.sender, c, block.height) === 'recorded') recorded++
      for (const r of tx.reports) {
        const accused: string[] = []
        const outcome = addReport(s.evals, tx.sender, r, block, accused)
        for (const v of accused) dispute(s, s.evals.submissions.get(r.submission)!, v, block.slot, events)
        if (outcome === 'recorded' || outcome === 'late-deviating') recorded++
      }
      return recorded > 0 ? { id: v.id, ok: true } : fail('NO_EFFECT', 'no report in the batch was accepted')
    }
    case 'StakeAvailability': {
      // Keys are checked before the stake and stored only if the stake is accepted.
      let keys: ValidatorKeys | undefined
      if (tx.keys) {
        try { keys = checkKeyRegistration(s.validatorKeys, tx.sender, tx.keys) } catch (e) { return fail((e as AgoraError).code, (e as Error).message) }
      }
      const r = forum.applyTx(s.forum, tx, { slot: block.slot, height: block.height })
      for (const e of r.events) events.push({ type: 'forum', event: e })
      if (!r.ok) return fail(r.code, r.message)
      if (keys) s.validatorKeys.set(tx.sender, keys)
      return { id: v.id, ok: true }
    }
    case 'Evidence': {
      try {
        const rec = applyEvidence(s.forum, tx, block.height, (m) => s.validatorKeys.get(m)?.blsPublicKey)
        events.push({ type: 'slashed', validator: tx.offender, amount: rec.amount })
      } catch (e) { return fail((e as AgoraError).code, (e as Error).message) }
      return { id: v.id, ok: true }
    }
    case 'ProposeChallenge':
      // A registry entry under a genesis name would change the hash while the genesis bytes still ran.
      if (s.genesisChallenges.some((c) => c.id === tx.signed.manifest.name)) return fail('GENESIS_NAME', `challenge name ${tx.signed.manifest.name} is a genesis challenge`)
      return applyForumTx(s, block, v, tx, events)
    default:
      return applyForumTx(s, block, v, tx, events)
  }
}

function applyForumTx(s: LedgerState, block: Block, v: VerifiedTx, tx: forum.ForumTx, events: LedgerEvent[]): TxOutcome {
  const r = forum.applyTx(s.forum, tx, { slot: block.slot, height: block.height })
  for (const e of r.events) events.push({ type: 'forum', event: e })
  return r.ok ? { id: v.id, ok: true } : { id: v.id, ok: false, code: r.code, message: r.message }
}

/** A proposal (or upgrade) whose pool failed, or passed but could not apply, frees its name. */
function withdrawFailedProposals(s: LedgerState, events: readonly LedgerEvent[]): void {
  for (const e of events) {
    if (e.type !== 'forum' || e.event.type !== 'PoolResolved') continue
    if (e.event.passed && !e.event.effect?.startsWith('rejected')) continue
    const payload = s.forum.posts.get(e.event.post)?.payload
    if (payload?.kind === 'challenge' && payload.to === 'active') rejectProposal(s.forum.registry, payload.name, payload.version)
  }
}

function finalize(s: LedgerState, block: Block, epoch: number, events: LedgerEvent[]): void {
  for (const f of finalizeReady(s.evals, block, epoch)) {
    events.push({ type: 'finalScore', submission: f.submission })
    for (const validator of f.deviating) dispute(s, f.submission, validator, block.slot, events)
  }
}

/** The fee class of a member transaction (forum/fees.ts): duties are free, posts and pools pay postFee. */
function feeClassOf(tx: LedgerTxBody): forum.FeeClass {
  switch (tx.type) {
    case 'Submission': return 'submission'
    case 'Evaluations': case 'Evidence': return 'duty'
    case 'Post': case 'InitiatePool': case 'ProposeChallenge': return 'post'
    default: return 'tx'
  }
}


/** A report that deviates from the final value opens a dispute pool (ledger/disputes.ts). */
function dispute(s: LedgerState, sub: SubmissionRecord, validator: string, slot: number, events: LedgerEvent[]): void {
  // Opened while applying the block at s.height + 1 (the height is set after its transactions).
  const pool = openDispute(s.forum, sub, validator, s.height + 1, slot)
  if (pool) events.push({ type: 'dispute', pool, validator, submission: sub.id })
}

/** Close epoch `e`: its weight result, and an evidence post (+ pool) per validator with duties in it. */
function closeEpoch(s: LedgerState, e: number, slot: number, events: LedgerEvent[], set: CertificationSet, nextSet: CertificationSet): void {
  const result = computeEpochResult(s.evals, e, activeChallengeTable(s))
  events.push({ type: 'epochClosed', result, set, nextSet })
  // Each validator's duties (done and missed) go on record; an evidence pool pays for the done ones.
  // Read only (peek): closing an epoch does not rehash every submission it counts.
  const subs = [...s.evals.submissions.keys()].sort().map((id) => peek(s.evals.submissions, id)!)
  openEvidencePools(s.forum, subs, e, s.height + 1, slot)
  pruneOffences(s.forum, s.height + 1)
  pruneEvaluations(s, e)
}

/** Keep submissions of the last two epochs only: the state root must not grow with history. */
function pruneEvaluations(s: LedgerState, closedEpoch: number): void {
  for (const [id, sub] of peekEntries(s.evals.submissions)) if (sub.final && sub.final.epoch < closedEpoch - 1) s.evals.submissions.delete(id)
  for (const ep of s.evals.results.keys()) if (ep < closedEpoch - 8) s.evals.results.delete(ep)
}

