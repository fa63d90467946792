// Transactions of the decided log. Every one is a signed envelope: canonical-CBOR body (which names its
// sender and a nonce) + the sender's ed25519 public key + a signature in Domain.transaction. A member id is
// the libp2p peer id of its ed25519 key, so the sender field is checked against the key itself.
import { z } from 'zod'
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { decode, encode, hashValue } from '../core/encoding.ts'
import { sha256, taggedHash } from '../core/hash.ts'
import { equalBytes, toHex } from '../core/bytes.ts'
import { Domain, signEd25519, verifyEd25519Digest } from '../core/crypto/sign.ts'
import { AgoraError } from '../core/errors.ts'
import { TxSchema as ForumTxSchema, NanoSchema, type ForumTx } from '../forum/tx.ts'
import { EvidenceTxSchema, type EvidenceTx } from './evidence.ts'

/** Limits on what one transaction may carry (explicit, named). */
export const MAX_TX_BYTES = 64 * 1024
export const MAX_REPORTS_PER_BATCH = 256

const hex32 = z.string().regex(/^[0-9a-f]{64}$/)

/** A miner's claim: "this payload (by content id) is my work for this challenge". */
export const SubmissionTxSchema = z.strictObject({
  type: z.literal('Submission'),
  sender: z.string().min(1).max(128),
  nonce: z.number().int().nonnegative(),
  challenge: z.string().min(1).max(64),
  payloadCid: z.string().min(8).max(128),
  payloadBytes: z.number().int().nonnegative(),
  /** The epoch whose seed the payload was made for; the ledger refuses it in any other epoch (STALE_EPOCH). */
  epoch: z.number().int().nonnegative().optional(),
})

export const EvaluationReportSchema = z.strictObject({
  submission: hex32,
  /** Score in PPM (0..1_000_000), from the challenge output's first 8 bytes. */
  score: z.number().int().min(0).max(1_000_000),
  fuelUsed: NanoSchema,
  outputHash: hex32,
  /** false when the runtime gave no result (timeout backstop, fetch failure): not a vote on the score. */
  ok: z.boolean(),
  /** The secret of the report's commitment (see `reportCommitment`). */
  salt: hex32,
})

/** A report's commitment, published before anyone reveals: so a lazy validator cannot copy others' reports. */
export const ReportCommitSchema = z.strictObject({ submission: hex32, commitment: hex32 })

/**
 * One signed batch per validator per slot covering all its evaluations (signatures don't grow with
 * submissions): commitments for fresh evaluations, reveals for those whose commit window has closed.
 */
export const EvaluationBatchTxSchema = z.strictObject({
  type: z.literal('Evaluations'),
  sender: z.string().min(1).max(128),
  nonce: z.number().int().nonnegative(),
  commits: z.array(ReportCommitSchema).max(MAX_REPORTS_PER_BATCH).default([]),
  reports: z.array(EvaluationReportSchema).max(MAX_REPORTS_PER_BATCH).default([]),
}).refine((b) => b.commits.length + b.reports.length > 0, 'an empty evaluation batch')

export type SubmissionTx = z.infer<typeof SubmissionTxSchema>
export type EvaluationReport = z.infer<typeof EvaluationReportSchema>
export type ReportCommit = z.infer<typeof ReportCommitSchema>

/** sha256 of the canonical (validator, report): binds the commitment to its author, so it cannot be replayed. */
export const reportCommitment = (validator: string, r: EvaluationReport): string =>
  toHex(hashValue({ validator, submission: r.submission, score: r.score, fuelUsed: BigInt(r.fuelUsed), outputHash: r.outputHash, ok: r.ok, salt: r.salt }))
export type EvaluationBatchTx = z.infer<typeof EvaluationBatchTxSchema>
export type LedgerTxBody = ForumTx | SubmissionTx | EvaluationBatchTx | EvidenceTx

const NoncedForum = z.object({ nonce: z.number().int().nonnegative() })

/** Parse a decoded body into a typed transaction (forum bodies carry a nonce next to their schema's fields). */
export function parseTxBody(raw: unknown): LedgerTxBody {
  if (raw === null || typeof raw !== 'object') throw new AgoraError('MALFORMED', 'transaction body is not a map')
  const type = (raw as { type?: unknown }).type
  if (type === 'Submission') return SubmissionTxSchema.parse(raw)
  if (type === 'Evaluations') return EvaluationBatchTxSchema.parse(raw)
  if (type === 'Evidence') return EvidenceTxSchema.parse(raw)
  const { nonce: _n, ...rest } = raw as Record<string, unknown>
  NoncedForum.parse(raw)
  const tx = ForumTxSchema.parse(rest)
  if (tx.sender === '@system') throw new AgoraError('MALFORMED', 'the system sender cannot sign transactions')
  return tx
}

/** The wire/storage form: what goes into blocks and gossip. */
export interface SignedTx {
  readonly body: Uint8Array
  readonly publicKey: Uint8Array
  readonly signature: Uint8Array
}

export interface VerifiedTx {
  readonly id: string
  readonly sender: string
  readonly nonce: number
  readonly tx: LedgerTxBody
  readonly signed: SignedTx
}

const memberIdCache = new Map<string, string>()
/** Member id (peer id string) of an ed25519 public key. */
export function memberIdOf(publicKey: Uint8Array): string {
  const k = toHex(publicKey)
  let id = memberIdCache.get(k)
  if (!id) {
    id = peerIdFromPublicKey(publicKeyFromRaw(publicKey) as never).toString()
    if (memberIdCache.size > 100_000) memberIdCache.clear()
    memberIdCache.set(k, id)
  }
  return id
}

export const txIdOf = (signed: SignedTx): string => toHex(sha256(signed.body))

export function signTx(ed25519Seed: Uint8Array, publicKey: Uint8Array, body: Record<string, unknown>): SignedTx {
  return { body: encode(body), publicKey, signature: signEd25519(ed25519Seed, Domain.transaction, body) }
}

/**
 * One byte string per body: the id is sha256(body) while the signature covers the decoded value, so a
 * second encoding of the same value (a float for an integer, say) would otherwise be a second id.
 */
function isCanonicalBody(raw: unknown, body: Uint8Array): boolean {
  try {
    return equalBytes(encode(raw), body)
  } catch {
    return false // not encodable canonically at all (a float)
  }
}

/** Check size, encoding, schema, signature and that the sender is the key's member id. */
export function verifyTx(signed: SignedTx): VerifiedTx {
  if (signed.body.length > MAX_TX_BYTES) throw new AgoraError('MALFORMED', `transaction of ${signed.body.length} bytes exceeds ${MAX_TX_BYTES}`)
  if (signed.publicKey.length !== 32) throw new AgoraError('BAD_SIGNATURE', 'public key must be 32 bytes (ed25519)')
  const raw = decode<Record<string, unknown>>(signed.body)
  if (!isCanonicalBody(raw, signed.body)) throw new AgoraError('NON_CANONICAL', 'transaction body is not canonical DAG-CBOR (tx ids must not be malleable)')
  // The body is the canonical encoding of the signed value, so the signing digest (core/crypto/sign.ts
  // signingDigest) is taken over it directly: one encode less per tx, ~1 ms on a 4 KB post.
  if (!verifyEd25519Digest(signed.publicKey, taggedHash(`agora/v1/sig/${Domain.transaction}`, signed.body), signed.signature)) {
    throw new AgoraError('BAD_SIGNATURE', 'transaction signature does not verify')
  }
  let tx: LedgerTxBody
  try {
    tx = parseTxBody(raw)
  } catch (e) {
    if (e instanceof AgoraError) throw e
    const issue = (e as z.ZodError).issues?.[0]
    throw new AgoraError('MALFORMED', `invalid transaction: ${issue ? `${issue.path.join('.')}: ${issue.message}` : (e as Error).message}`)
  }
  const sender = memberIdOf(signed.publicKey)
  if (tx.sender !== sender) throw new AgoraError('BAD_SIGNATURE', `sender ${tx.sender} is not the signing key's member id ${sender}`)
  return { id: txIdOf(signed), sender, nonce: (raw as { nonce: number }).nonce, tx, signed }
}
