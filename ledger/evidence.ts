// Equivocation evidence as a transaction: two consensus votes signed by one validator for the same
// (instance, height, round, type) that say different things, or two BLS checkpoint signatures by one
// validator for one epoch over different headers (the parsig duty). Anyone may submit it; the ledger
// verifies it against the offender's key, burns slashPpm of its availability stake at once and marks the
// stake exiting (out of the set at the next boundary). One offence slashes once.
import { z } from 'zod'
import { PPM } from '../core/amount.ts'
import { equalBytes, fromHex, toHex } from '../core/bytes.ts'
import { hashValue } from '../core/encoding.ts'
import { Domain, verifyBls, verifyEd25519 } from '../core/crypto/sign.ts'
import { AgoraError } from '../core/errors.ts'
import type { MemberId } from '../core/ids.ts'
import type { ForumState, SlashRecord } from '../forum/index.ts'
import { memberIdOf } from './txs.ts'

/** Evidence about votes older than this many blocks is refused, so the record of offences stays bounded. */
export const EVIDENCE_MAX_AGE_BLOCKS = 4096
/** Checkpoint signatures are exchanged only for epochs near the current one (parsig): older evidence is refused. */
export const CHECKPOINT_EVIDENCE_MAX_AGE_EPOCHS = 2
/** Consensus vote types (validator/consensus/types.ts MsgType; part of the signed payload, never change). */
const ROUND_CHANGE = 4

export const EvidenceErrorCode = {
  NOT_CONFLICTING: 'EVIDENCE_NOT_CONFLICTING',
  BAD_SIGNATURE: 'EVIDENCE_BAD_SIGNATURE',
  WRONG_KEY: 'EVIDENCE_WRONG_KEY',
  TOO_OLD: 'EVIDENCE_TOO_OLD',
  NOT_SLASHABLE: 'EVIDENCE_NOT_SLASHABLE',
  DUPLICATE: 'EVIDENCE_DUPLICATE',
} as const

const hex = (max: number) => z.string().regex(/^[0-9a-f]*$/).max(2 * max)
const VoteSchema = z.strictObject({
  instance: z.string().min(1).max(128),
  height: z.number().int().nonnegative(),
  round: z.number().int().nonnegative().max(1_000_000),
  type: z.number().int().min(1).max(4),
  valueHash: hex(64),
  preparedRound: z.number().int().min(-1).max(1_000_000),
  preparedValueHash: hex(64),
})
const SignedVoteSchema = z.strictObject({ vote: VoteSchema, signature: z.string().regex(/^[0-9a-f]{128}$/) })
export type EvidenceVote = z.infer<typeof VoteSchema>

const ConsensusEvidenceSchema = z.strictObject({
  type: z.literal('Evidence'),
  kind: z.literal('consensus').optional(),
  sender: z.string().min(1).max(128),
  nonce: z.number().int().nonnegative(),
  offender: z.string().min(1).max(128),
  /** The offender's ed25519 key: its member id must be `offender`. */
  publicKey: z.string().regex(/^[0-9a-f]{64}$/),
  first: SignedVoteSchema,
  second: SignedVoteSchema,
})
const CheckpointSignatureSchema = z.strictObject({ valueHash: z.string().regex(/^[0-9a-f]{64}$/), signature: z.string().regex(/^[0-9a-f]{192}$/) })
const CheckpointEvidenceSchema = z.strictObject({
  type: z.literal('Evidence'),
  kind: z.literal('checkpoint'),
  sender: z.string().min(1).max(128),
  nonce: z.number().int().nonnegative(),
  offender: z.string().min(1).max(128),
  epoch: z.number().int().nonnegative(),
  first: CheckpointSignatureSchema,
  second: CheckpointSignatureSchema,
})

/** The transaction body (hashes and signatures as lower-case hex, like every other body); no kind = consensus. */
export const EvidenceTxSchema = z.union([CheckpointEvidenceSchema, ConsensusEvidenceSchema])
export type EvidenceTx = z.infer<typeof EvidenceTxSchema>
type ConsensusEvidenceTx = z.infer<typeof ConsensusEvidenceSchema>
type CheckpointEvidenceTx = z.infer<typeof CheckpointEvidenceSchema>
/** The BLS key a member registered with its availability stake (hex), if any (LedgerState.validatorKeys). */
export type BlsKeyOf = (member: string) => string | undefined

/** The payload a consensus vote is signed over (validator/consensus/signing.ts votePayload, bytes as bytes). */
const votePayload = (v: EvidenceVote) => ({
  instance: v.instance, height: v.height, round: v.round, type: v.type,
  valueHash: fromHex(v.valueHash), preparedRound: v.preparedRound, preparedValueHash: fromHex(v.preparedValueHash),
})

function conflicting(a: EvidenceVote, b: EvidenceVote): boolean {
  if (a.instance !== b.instance || a.height !== b.height || a.round !== b.round || a.type !== b.type) return false
  if (a.type === ROUND_CHANGE) return a.preparedRound !== b.preparedRound || a.preparedValueHash !== b.preparedValueHash
  return !equalBytes(fromHex(a.valueHash), fromHex(b.valueHash))
}

/** The key under which an offence is recorded: one per (offender, instance, height), whatever the round. */
export const offenceKey = (offender: string, v: EvidenceVote): string =>
  `equivocation-${toHex(hashValue({ offender, instance: v.instance, height: v.height })).slice(0, 32)}`

/** Verify evidence against the ledger at `height` (throws a coded AgoraError; nothing is mutated). */
export function checkEvidence(s: ForumState, tx: EvidenceTx, height: number, blsKeyOf: BlsKeyOf): { offender: MemberId; key: string } {
  const key = tx.kind === 'checkpoint' ? checkCheckpointEvidence(s, tx, blsKeyOf) : checkConsensusEvidence(tx, height)
  const offender = tx.offender as MemberId
  const stake = s.availability.get(offender)
  if (!stake || stake.amount === 0n) throw new AgoraError(EvidenceErrorCode.NOT_SLASHABLE, `${offender} has no availability stake`)
  if (s.slashed.has(key)) throw new AgoraError(EvidenceErrorCode.DUPLICATE, 'this offence was already punished')
  return { offender, key }
}

/** The payload a validator BLS-signs for a checkpoint (validator/core/checkpoint.ts checkpointSigningPayload). */
const checkpointPayload = (headerHash: string) => ({ checkpoint: headerHash })

function checkCheckpointEvidence(s: ForumState, tx: CheckpointEvidenceTx, blsKeyOf: BlsKeyOf): string {
  if (tx.first.valueHash === tx.second.valueHash) throw new AgoraError(EvidenceErrorCode.NOT_CONFLICTING, 'both signatures are over the same checkpoint')
  if (tx.epoch + CHECKPOINT_EVIDENCE_MAX_AGE_EPOCHS < s.epoch) throw new AgoraError(EvidenceErrorCode.TOO_OLD, `checkpoint of epoch ${tx.epoch} is older than ${CHECKPOINT_EVIDENCE_MAX_AGE_EPOCHS} epochs`)
  const pub = blsKeyOf(tx.offender)
  if (!pub) throw new AgoraError(EvidenceErrorCode.WRONG_KEY, `${tx.offender} registered no BLS key`)
  for (const sig of [tx.first, tx.second]) {
    if (!verifyBls(fromHex(pub.replace(/^0x/, '')), Domain.checkpoint, checkpointPayload(sig.valueHash), fromHex(sig.signature))) throw new AgoraError(EvidenceErrorCode.BAD_SIGNATURE, 'a checkpoint signature does not verify')
  }
  return `equivocation-${toHex(hashValue({ offender: tx.offender, kind: 'checkpoint', epoch: tx.epoch })).slice(0, 32)}`
}

function checkConsensusEvidence(tx: ConsensusEvidenceTx, height: number): string {
  const { first, second } = tx
  if (memberIdOf(fromHex(tx.publicKey)) !== tx.offender) throw new AgoraError(EvidenceErrorCode.WRONG_KEY, `key is not ${tx.offender}'s`)
  if (!conflicting(first.vote, second.vote)) throw new AgoraError(EvidenceErrorCode.NOT_CONFLICTING, 'votes do not conflict')
  if (first.vote.height + EVIDENCE_MAX_AGE_BLOCKS < height) throw new AgoraError(EvidenceErrorCode.TOO_OLD, `votes at height ${first.vote.height} are older than ${EVIDENCE_MAX_AGE_BLOCKS} blocks`)
  const pub = fromHex(tx.publicKey)
  for (const sv of [first, second]) {
    if (!verifyEd25519(pub, Domain.consensus, votePayload(sv.vote), fromHex(sv.signature))) throw new AgoraError(EvidenceErrorCode.BAD_SIGNATURE, 'a vote signature does not verify')
  }
  return offenceKey(tx.offender, first.vote)
}

/** Verify and punish: burn slashPpm of the offender's availability stake, mark it exiting. Returns the record. */
export function applyEvidence(s: ForumState, tx: EvidenceTx, height: number, blsKeyOf: BlsKeyOf): SlashRecord {
  const { offender, key } = checkEvidence(s, tx, height, blsKeyOf)
  const stake = s.availability.get(offender)!
  const amount = (stake.amount * BigInt(s.params.slashPpm)) / PPM
  const acc = s.accounts.get(offender)!
  stake.amount -= amount
  stake.exiting = true
  acc.rep -= amount
  acc.locked -= amount
  s.totals.burned += amount
  const rec: SlashRecord = { member: offender, height, amount }
  s.slashed.set(key, rec)
  return rec
}

/**
 * Forget offences too old for new evidence to name them (called at each epoch close): older than the vote
 * horizon and than the checkpoint horizon (in blocks, at most one per slot) with an epoch to spare.
 */
export function pruneOffences(s: ForumState, height: number): void {
  const horizon = Math.max(EVIDENCE_MAX_AGE_BLOCKS, (CHECKPOINT_EVIDENCE_MAX_AGE_EPOCHS + 2) * s.params.epochSlots)
  for (const [k, r] of s.slashed) if (r.height + horizon < height) s.slashed.delete(k)
}

/** Structurally the consensus layer's Evidence (validator/consensus/types.ts), so a node can turn one into a body. */
export interface ConsensusEvidence {
  signer: string
  first: { vote: { instance: string; height: number; round: number; type: number; valueHash: Uint8Array; preparedRound: number; preparedValueHash: Uint8Array }; signature: Uint8Array }
  second: ConsensusEvidence['first']
}

/** The Evidence transaction body (without sender/nonce) for detected equivocation. */
export function evidenceTxBody(e: ConsensusEvidence, offenderPublicKey: Uint8Array): Omit<ConsensusEvidenceTx, 'sender' | 'nonce'> {
  const vote = (sv: ConsensusEvidence['first']) => ({
    vote: { ...sv.vote, valueHash: toHex(sv.vote.valueHash), preparedValueHash: toHex(sv.vote.preparedValueHash) },
    signature: toHex(sv.signature),
  })
  return { type: 'Evidence', offender: e.signer, publicKey: toHex(offenderPublicKey), first: vote(e.first), second: vote(e.second) }
}

/** The Evidence body for two checkpoint signatures by `offender` for one epoch (hex, with or without 0x). */
export function checkpointEvidenceTxBody(offender: string, epoch: number, a: { valueHash: string; signature: string }, b: { valueHash: string; signature: string }): Omit<CheckpointEvidenceTx, 'sender' | 'nonce'> {
  const norm = (x: { valueHash: string; signature: string }) => ({ valueHash: x.valueHash.replace(/^0x/, '').toLowerCase(), signature: x.signature.replace(/^0x/, '').toLowerCase() })
  return { type: 'Evidence', kind: 'checkpoint', offender, epoch, first: norm(a), second: norm(b) }
}
