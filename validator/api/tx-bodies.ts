// The signed transaction bodies the API accepts, in one place. Field names follow forum/tx.ts (the forum's
// zod schemas) plus what the API envelope adds: a `nonce` (replay protection belongs to the node) and the
// miner's `Submission`. Amounts are decimal strings of nano units (NanoSchema accepts them). When the forum
// schemas settle, the lead can derive these with `.extend({ nonce })` from forum/tx.ts.
import { z } from 'zod'

const idRe = /^[A-Za-z0-9@][A-Za-z0-9._:\-]{0,127}$/
const id = (what: string) => z.string().regex(idRe, what)
/** Non-negative nano amount as a decimal string (the canonical wire form; never a float). */
export const NanoString = z.string().regex(/^\d{1,40}$/, 'decimal nano amount')
const ppm = z.number().int().min(-1_000_000).max(1_000_000)
const common = {
  sender: id('member id'),
  /** Unique per sender; the node refuses a (sender, nonce) it has seen. */
  nonce: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
}

export const SubmissionBody = z.strictObject({
  type: z.literal('Submission'), ...common,
  challenge: id('challenge id'),
  /** CIDv1 (raw, sha2-256) of the payload bytes; inline bytes must match it. */
  payloadCid: z.string().min(8).max(128),
  fee: NanoString.optional(),
})
export const PostBody = z.strictObject({
  type: z.literal('Post'), ...common,
  id: id('post id'),
  authors: z.record(z.string(), z.number().int().min(1).max(1_000_000)),
  citations: z.record(z.string(), ppm).default({}),
  payload: z.unknown().optional(),
  content: z.string().max(128).optional(),
})
export const InitiatePoolBody = z.strictObject({
  type: z.literal('InitiatePool'), ...common,
  id: id('pool id'), post: id('post id'), fee: NanoString,
  durationSlots: z.number().int().min(1).max(10_000_000).optional(),
})
export const StakeBody = z.strictObject({
  type: z.literal('Stake'), ...common, pool: id('pool id'), amount: NanoString, inFavor: z.boolean(),
})
export const StakeAvailabilityBody = z.strictObject({
  type: z.literal('StakeAvailability'), ...common, amount: NanoString, epochs: z.number().int().min(1).max(100_000),
})
export const BusinessRequestBody = z.strictObject({
  type: z.literal('BusinessRequest'), ...common, fee: NanoString, request: z.string().max(256),
})
export const ProposeChallengeBody = z.strictObject({
  type: z.literal('ProposeChallenge'), ...common,
  post: id('post id'),
  /** A signed manifest (registry/manifest.ts SignedManifestSchema); the registry checks it fully. */
  signed: z.strictObject({
    manifest: z.looseObject({ name: z.string(), version: z.string(), moduleHash: z.string().regex(/^[0-9a-f]{64}$/) }),
    signature: z.string().regex(/^[0-9a-f]{128}$/),
  }),
})

/** Mutation name → the body schema it accepts (body.type must match). */
export const TX_BODY_BY_MUTATION = {
  submit: SubmissionBody,
  post: PostBody,
  initiatePool: InitiatePoolBody,
  stake: StakeBody,
  stakeAvailability: StakeAvailabilityBody,
  businessRequest: BusinessRequestBody,
  proposeChallenge: ProposeChallengeBody,
} as const
export type TxMutation = keyof typeof TX_BODY_BY_MUTATION

export const TX_TYPE_BY_MUTATION: Readonly<Record<TxMutation, string>> = {
  submit: 'Submission', post: 'Post', initiatePool: 'InitiatePool', stake: 'Stake',
  stakeAvailability: 'StakeAvailability', businessRequest: 'BusinessRequest', proposeChallenge: 'ProposeChallenge',
}

export type SubmissionTxBody = z.input<typeof SubmissionBody>
export type PostTxBody = z.input<typeof PostBody>
export type InitiatePoolTxBody = z.input<typeof InitiatePoolBody>
export type StakeTxBody = z.input<typeof StakeBody>
export type StakeAvailabilityTxBody = z.input<typeof StakeAvailabilityBody>
export type BusinessRequestTxBody = z.input<typeof BusinessRequestBody>
export type ProposeChallengeTxBody = z.input<typeof ProposeChallengeBody>
export type TxBody = SubmissionTxBody | PostTxBody | InitiatePoolTxBody | StakeTxBody | StakeAvailabilityTxBody
  | BusinessRequestTxBody | ProposeChallengeTxBody
