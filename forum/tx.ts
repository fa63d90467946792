// Forum and registry transactions: a discriminated union on `type`, each with a zod schema so the node
// validates wire input (amounts arrive as decimal strings of nano-REP or bigints, are bigints inside).
// The node verifies signatures; the state machine trusts `sender`. SYSTEM_SENDER marks transactions the
// node itself derives from decided blocks (evidence/dispute pools, fee deposits), never from gossip.
import { z } from 'zod'
import type { MemberId, PoolId, PostId } from '../core/ids.ts'
import { SignedManifestSchema, type SignedManifest } from '../registry/manifest.ts'
import { CHALLENGE_STATUSES, type ChallengeStatus } from '../registry/lifecycle.ts'

export const SYSTEM_SENDER = '@system' as MemberId
/** Citing it burns what flows there (DGF's incinerator). */
export const INCINERATOR = '@incinerator' as PostId

export const MAX_AUTHORS = 32
export const MAX_CITATIONS = 32

/** Ids of members, posts and pools: 1–128 chars, starting alphanumeric (so '@system' / '@incinerator' never clash). */
export const MEMBER_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:\-]{0,127}$/
const idRe = MEMBER_ID_RE
export const MemberIdSchema = z.string().regex(idRe, 'member id').transform((s) => s as MemberId)
const SenderSchema = z.union([z.literal(SYSTEM_SENDER), z.string().regex(idRe)]).transform((s) => s as MemberId)
export const PostIdSchema = z.string().regex(idRe, 'post id').transform((s) => s as PostId)
const CitedSchema = z.union([z.literal(INCINERATOR), z.string().regex(idRe)]).transform((s) => s as PostId)
export const PoolIdSchema = z.string().regex(idRe, 'pool id').transform((s) => s as PoolId)

/** Non-negative nano amount from a bigint, a safe integer or a decimal string of nano units. */
export const NanoSchema = z.union([
  z.bigint(),
  z.number().int().refine(Number.isSafeInteger, 'unsafe integer'),
  z.string().regex(/^\d{1,40}$/, 'decimal nano amount'),
]).transform((v) => BigInt(v)).refine((v) => v >= 0n, 'negative amount')

const ppm = z.number().int().min(-1_000_000).max(1_000_000)

export const PostPayloadSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('params'), changes: z.record(z.string(), z.union([z.number().int(), z.boolean()])) }),
  z.strictObject({ kind: z.literal('challenge'), name: z.string().max(64), to: z.enum(CHALLENGE_STATUSES as [ChallengeStatus, ...ChallengeStatus[]]), version: z.string().max(64).optional() }),
])
export type PostPayload = z.infer<typeof PostPayloadSchema>

export const PostTxSchema = z.strictObject({
  type: z.literal('Post'),
  sender: SenderSchema,
  id: PostIdSchema,
  /** author → weight in PPM; weights sum to 1,000,000. */
  authors: z.record(z.string(), z.number().int().min(1).max(1_000_000)),
  /** cited post → weight in [-1e6, 1e6] PPM, non-zero; sum of |weights| ≤ revaluationLimitPpm. */
  citations: z.record(z.string(), ppm).default({}),
  payload: PostPayloadSchema.optional(),
  /** Content id of the post body (kept in the DHT / gossip, not here). */
  content: z.string().max(128).optional(),
})

export const PoolOverridesSchema = z.strictObject({
  quorumPpm: z.number().int().min(0).max(1_000_000).optional(),
  winRatioPpm: z.number().int().min(1).max(1_000_000).optional(),
  bindingPpm: z.number().int().min(0).max(1_000_000).optional(),
  redistributeLosingStakes: z.boolean().optional(),
})
export type PoolOverrides = z.infer<typeof PoolOverridesSchema>

export const InitiatePoolTxSchema = z.strictObject({
  type: z.literal('InitiatePool'),
  sender: SenderSchema,
  id: PoolIdSchema,
  post: PostIdSchema,
  /** Fee in nano units of the fee currency; mints fee × mintingRatio nano-REP. */
  fee: NanoSchema,
  durationSlots: z.number().int().min(1).max(10_000_000).optional(),
  /** Only SYSTEM_SENDER may override the governed pool parameters (dispute/evidence pools). */
  overrides: PoolOverridesSchema.optional(),
})

export const StakeTxSchema = z.strictObject({
  type: z.literal('Stake'), sender: SenderSchema, pool: PoolIdSchema, amount: NanoSchema, inFavor: z.boolean(),
})
export const ResolvePoolTxSchema = z.strictObject({ type: z.literal('ResolvePool'), sender: SenderSchema, pool: PoolIdSchema })
/** Keys a validator registers with its stake (checked by the ledger: ledger/validator-keys.ts). */
export const ValidatorKeysInputSchema = z.strictObject({
  blsPublicKey: z.string().regex(/^0x[0-9a-f]{96}$/, 'BLS12-381 G1 key, 0x-hex'),
  /** BLS proof of possession (core/crypto/sign.ts proveBlsPossession). */
  blsProof: z.string().regex(/^0x[0-9a-f]{192}$/, 'BLS signature, 0x-hex'),
  evmAddress: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
  /** EIP-191 signature by the EVM key over `agora/v1/evm-possession:<sender>`. */
  evmProof: z.string().regex(/^0x[0-9a-f]{130}$/, '65-byte signature, 0x-hex'),
})
export type ValidatorKeysInput = z.infer<typeof ValidatorKeysInputSchema>
export const StakeAvailabilityTxSchema = z.strictObject({
  type: z.literal('StakeAvailability'), sender: SenderSchema, amount: NanoSchema, epochs: z.number().int().min(1).max(100_000),
  keys: ValidatorKeysInputSchema.optional(),
})
export const UnstakeAvailabilityTxSchema = z.strictObject({ type: z.literal('UnstakeAvailability'), sender: SenderSchema })
export const BusinessRequestTxSchema = z.strictObject({
  type: z.literal('BusinessRequest'), sender: SenderSchema, fee: NanoSchema, request: z.string().max(256),
})
/** Fee currency entering from outside (chain deposit, miner submission fee); SYSTEM_SENDER only. */
export const DepositTxSchema = z.strictObject({ type: z.literal('Deposit'), sender: SenderSchema, to: MemberIdSchema, amount: NanoSchema })
export const ProposeChallengeTxSchema = z.strictObject({
  type: z.literal('ProposeChallenge'),
  sender: SenderSchema,
  /** The governing post created with the proposal (authors: the sender); a pool on it activates the challenge. */
  post: PostIdSchema,
  signed: SignedManifestSchema,
})

export const TxSchema = z.discriminatedUnion('type', [
  PostTxSchema, InitiatePoolTxSchema, StakeTxSchema, ResolvePoolTxSchema, StakeAvailabilityTxSchema,
  UnstakeAvailabilityTxSchema, BusinessRequestTxSchema, DepositTxSchema, ProposeChallengeTxSchema,
])

export type PostTx = z.infer<typeof PostTxSchema>
export type InitiatePoolTx = z.infer<typeof InitiatePoolTxSchema>
export type StakeTx = z.infer<typeof StakeTxSchema>
export type ResolvePoolTx = z.infer<typeof ResolvePoolTxSchema>
export type StakeAvailabilityTx = z.infer<typeof StakeAvailabilityTxSchema>
export type UnstakeAvailabilityTx = z.infer<typeof UnstakeAvailabilityTxSchema>
export type BusinessRequestTx = z.infer<typeof BusinessRequestTxSchema>
export type DepositTx = z.infer<typeof DepositTxSchema>
export type ProposeChallengeTx = z.infer<typeof ProposeChallengeTxSchema> & { signed: SignedManifest }
/** Input type (before zod's transforms): what a client may put on the wire. */
export type TxInput = z.input<typeof TxSchema>
export type ForumTx = z.infer<typeof TxSchema>

/** Validate wire input into a typed transaction; throws a ZodError on bad input. */
export const parseTx = (input: unknown): ForumTx => TxSchema.parse(input)
