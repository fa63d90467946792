// The ledger: applies decided blocks to the forum + registry (forum/) and the evaluation state
// (submissions, reports, final scores, epoch weights). A pure function of the decided log: integers only,
// sorted iteration, no clock — slots come from block headers. The node persists what it returns.
import { concatBytes, fromHex, toHex, utf8 } from '../core/bytes.ts'
import { encode, hashValue } from '../core/encoding.ts'
import { taggedHash } from '../core/hash.ts'
import { parseRep, ONE_REP } from '../core/amount.ts'
import type { AgoraError } from '../core/errors.ts'
import { verifyBlsPossession } from '../core/crypto/sign.ts'
import type { MemberId, PoolId, PostId } from '../core/ids.ts'
import * as forum from '../forum/index.ts'
import { activeChallenges } from '../registry/lifecycle.ts'
import type { Genesis } from './genesis.ts'
import { genesisHash } from './genesis.ts'
import type { Block } from './block.ts'
import { blockHash } from './block.ts'
import type { VerifiedTx } from './txs.ts'
import { certificationSet, checkKeyRegistration, type CertificationSet, type ValidatorKeys } from './validator-keys.ts'
import {
  addCommit, addReport, addSubmission, computeEpochResult, emptyEvalState, evalStateForRoot, finalizeReady,
  submissionIdOf, type EpochResult, type EvalState, type SubmissionRecord,
} from './evaluations.ts'

/** Protocol constants of the ledger (candidates for governed parameters; see the issue notes). */
export const LEDGER_RULES = {
  /** Slots after inclusion during which committee members commit to their reports (reveals come after). */
  commitWindowSlots: 3,
  /** Slots a committee has to report before a submission is finalized by the median. */
  evaluationDeadlineSlots: 8,
  /** REP a deviating validator's report is bonded with in its dispute pool (capped at its free REP). */
  disputeBond: 10n * ONE_REP,
  /** Fee (fee currency) of each validator's epoch evidence pool: mints REP for duties done. */
  evidenceFee: ONE_REP,
  // Inline payloads travel in a /agora/1/submissions envelope (256 KiB cap) with the signed transaction.
  maxPayloadBytes: 192 * 1024,
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
}

export type LedgerEvent =
  | { type: 'forum'; event: forum.ForumEvent }
  | { type: 'submission'; submission: SubmissionRecord }
  | { type: 'finalScore'; submission: SubmissionRecord }
  /** `set` certified epoch `result.epoch`; `nextSet` certifies the epoch that starts (the hand-over). */
  | { type: 'epochClosed'; result: EpochResult; set: CertificationSet; nextSet: CertificationSet }
  | { type: 'dispute'; pool: string; validator: string; submission: string }

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
    if (verifyBlsPossession(fromHex(v.blsPublicKey), fromHex(v.blsProof))) validatorKeys.set(v.peerId, { blsPublicKey: v.blsPublicKey.toLowerCase(), evmAddress: v.evmAddress.toLowerCase() })
  }
  return {
    height: 0, lastBlockHash: genesisHash(g), lastSlot: -1, forum: state, evals: emptyEvalState(), nonces: new Map(),
    validatorKeys, epochSeed: genesisHash(g),
    genesisChallenges: g.challenges.map((c) => ({ id: c.id, moduleHash: c.moduleHash.replace(/^0x/, ''), emissionSharePpm: c.emissionSharePpm })).sort((a, b) => (a.id < b.id ? -1 : 1)),
  }
}

/** Challenges that score this epoch: genesis ones plus registry-active ones, by id. */
export function activeChallengeTable(s: LedgerState): { id: string; moduleHash: string; emissionSharePpm: number; committeeSize?: number }[] {
  const out = new Map<string, { id: string; moduleHash: string; emissionSharePpm: number; committeeSize?: number }>()
  for (const c of s.genesisChallenges) out.set(c.id, c)
  for (const e of activeChallenges(s.forum.registry)) {
    out.set(e.name, { id: e.name, moduleHash: e.manifest.moduleHash, emissionSharePpm: e.manifest.emissionSharePpm, committeeSize: e.manifest.committeeSize })
  }
  return [...out.keys()].sort().map((k) => out.get(k)!)
}

export function ledgerStateRoot(s: LedgerState): string {
  const nonces = [...s.nonces.keys()].sort().map((k) => [k, s.nonces.get(k)!])
  return toHex(taggedHash('agora/ledger-state', concatBytes(
    forum.stateRoot(s.forum), hashValue(evalStateForRoot(s.evals)), hashValue({ height: s.height, last: s.lastBlockHash, slot: s.lastSlot, nonces }),
    hashValue({ keys: validatorKeysRows(s), seed: s.epochSeed }),
  )))
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
  // Deadlines that passed before the boundary belong to the closing epoch.
  finalize(s, block.slot, prevEpoch, events)
  const closingSet = currentCertificationSet(s)
  push(forum.advanceTo(s.forum, block.slot))
  // The new epoch's instances are seeded by the last block of the one before: unknown until it is decided.
  if (s.forum.epoch > prevEpoch) s.epochSeed = s.lastBlockHash
  const nextSet = currentCertificationSet(s)
  // Epochs skipped without a block had no set change in between: the closing set certified them too.
  for (let e = prevEpoch; e < s.forum.epoch; e++) closeEpoch(s, e, block.slot, events, closingSet, e === s.forum.epoch - 1 ? nextSet : closingSet)
  push(forum.resolveDuePools(s.forum))

  const outcomes: TxOutcome[] = []
  for (const tx of txs) outcomes.push(applyOne(s, block, tx, events))
  finalize(s, block.slot, s.forum.epoch, events)

  s.height = block.height
  s.lastSlot = block.slot
  s.lastBlockHash = blockHash(block)
  return { events, outcomes, stateRoot: ledgerStateRoot(s), hash: s.lastBlockHash }
}

function applyOne(s: LedgerState, block: Block, v: VerifiedTx, events: LedgerEvent[]): TxOutcome {
  const fail = (code: string, message: string): TxOutcome => ({ id: v.id, ok: false, code, message })
  if (v.nonce <= (s.nonces.get(v.sender) ?? -1)) return fail('STALE_NONCE', `nonce ${v.nonce} already used by ${v.sender}`)
  s.nonces.set(v.sender, v.nonce)
  const tx = v.tx
  switch (tx.type) {
    case 'Submission': {
      const ch = activeChallengeTable(s).find((c) => c.id === tx.challenge)
      if (!ch) return fail('UNKNOWN_CHALLENGE', `challenge ${tx.challenge} is not active`)
      // Work is for one epoch's instance: a payload made for another epoch's seed is refused.
      if (tx.epoch !== undefined && tx.epoch !== s.forum.epoch) return fail('STALE_EPOCH', `submission for epoch ${tx.epoch}, the log is at epoch ${s.forum.epoch}`)
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
        height: block.height, slot: block.slot, epoch: s.forum.epoch, seed: s.epochSeed, committee,
        revealSlot: block.slot + LEDGER_RULES.commitWindowSlots, deadlineSlot: block.slot + LEDGER_RULES.evaluationDeadlineSlots,
      })
      events.push({ type: 'submission', submission: s.evals.submissions.get(id)! })
      return { id: v.id, ok: true }
    }
    case 'Evaluations': {
      let recorded = 0
      for (const c of tx.commits) if (addCommit(s.evals, tx.sender, c, block.slot) === 'recorded') recorded++
      for (const r of tx.reports) {
        const outcome = addReport(s.evals, tx.sender, r, block.slot)
        if (outcome === 'late-deviating') openDispute(s, s.evals.submissions.get(r.submission)!, tx.sender, block.slot, events)
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
      const r = forum.applyTx(s.forum, tx, { slot: block.slot })
      for (const e of r.events) events.push({ type: 'forum', event: e })
      if (!r.ok) return fail(r.code, r.message)
      if (keys) s.validatorKeys.set(tx.sender, keys)
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
  const r = forum.applyTx(s.forum, tx, { slot: block.slot })
  for (const e of r.events) events.push({ type: 'forum', event: e })
  return r.ok ? { id: v.id, ok: true } : { id: v.id, ok: false, code: r.code, message: r.message }
}

function finalize(s: LedgerState, slot: number, epoch: number, events: LedgerEvent[]): void {
  for (const f of finalizeReady(s.evals, slot, epoch)) {
    events.push({ type: 'finalScore', submission: f.submission })
    for (const validator of f.deviating) openDispute(s, f.submission, validator, slot, events)
  }
}

/** A report that deviates from the final value opens a dispute pool; the report's bond is at stake. */
function openDispute(s: LedgerState, sub: SubmissionRecord, validator: string, slot: number, events: LedgerEvent[]): void {
  const post = `dispute-${sub.id.slice(0, 16)}-${validator}` as PostId
  const pool = `pool-${post}` as PoolId
  const sys = forum.SYSTEM_SENDER
  const ctx = { slot }
  const r1 = forum.applyTx(s.forum, { type: 'Post', sender: sys, id: post, authors: { [validator]: 1_000_000 }, citations: {} }, ctx)
  if (!r1.ok) return
  const r2 = forum.applyTx(s.forum, { type: 'InitiatePool', sender: sys, id: pool, post, fee: 0n, overrides: { quorumPpm: 0, bindingPpm: 1_000_000, redistributeLosingStakes: true } }, ctx)
  if (!r2.ok) return
  const free = forum.freeOf(s.forum, validator as MemberId)
  const bond = free < LEDGER_RULES.disputeBond ? free : LEDGER_RULES.disputeBond
  if (bond > 0n) forum.applyTx(s.forum, { type: 'Stake', sender: validator as MemberId, pool, amount: bond, inFavor: true }, ctx)
  events.push({ type: 'dispute', pool, validator, submission: sub.id })
}

/** Close epoch `e`: its weight result, and an evidence post + pool for each validator that did duties. */
function closeEpoch(s: LedgerState, e: number, slot: number, events: LedgerEvent[], set: CertificationSet, nextSet: CertificationSet): void {
  const result = computeEpochResult(s.evals, e, activeChallengeTable(s))
  events.push({ type: 'epochClosed', result, set, nextSet })
  const duties = new Map<string, number>()
  for (const id of [...s.evals.submissions.keys()].sort()) {
    const sub = s.evals.submissions.get(id)!
    if (sub.final?.epoch !== e) continue
    for (const r of sub.reports) if (!sub.final.deviating.includes(r.validator)) duties.set(r.validator, (duties.get(r.validator) ?? 0) + 1)
  }
  for (const validator of [...duties.keys()].sort()) {
    const post = `evidence-e${e}-${validator}` as PostId
    const r1 = forum.applyTx(s.forum, { type: 'Post', sender: forum.SYSTEM_SENDER, id: post, authors: { [validator]: 1_000_000 }, citations: {}, content: `duties:${duties.get(validator)}` }, { slot })
    if (r1.ok) forum.applyTx(s.forum, { type: 'InitiatePool', sender: forum.SYSTEM_SENDER, id: `pool-${post}` as PoolId, post, fee: LEDGER_RULES.evidenceFee }, { slot })
  }
  pruneEvaluations(s, e)
}

/** Keep submissions of the last two epochs only: the state root must not grow with history. */
function pruneEvaluations(s: LedgerState, closedEpoch: number): void {
  for (const [id, sub] of s.evals.submissions) if (sub.final && sub.final.epoch < closedEpoch - 1) s.evals.submissions.delete(id)
  for (const ep of s.evals.results.keys()) if (ep < closedEpoch - 8) s.evals.results.delete(ep)
}

