// The signed transaction bodies the API accepts, in one place: the forum's zod schemas (forum/tx.ts) plus
// the `nonce` every signed body carries, and the miner's Submission (ledger/txs.ts). Amounts are decimal strings
// of nano units (the forum's NanoSchema accepts them; canonical CBOR has no floats).
import { z } from 'zod'
import {
  BusinessRequestTxSchema, InitiatePoolTxSchema, PostTxSchema, ProposeChallengeTxSchema, StakeAvailabilityTxSchema,
  StakeTxSchema, UnstakeAvailabilityTxSchema,
} from '../../forum/tx.ts'
import { SubmissionTxSchema } from '../../ledger/txs.ts'
import { EvidenceTxSchema } from '../../ledger/evidence.ts'

const nonce = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)

/** A miner's claim (the ledger's own schema): this payload, by content id, is my work for this challenge. */
export const SubmissionBody = SubmissionTxSchema

/** Mutation name → the body schema it accepts (body.type must match). */
export const TX_BODY_BY_MUTATION = {
  submit: SubmissionBody,
  post: PostTxSchema.extend({ nonce }),
  initiatePool: InitiatePoolTxSchema.extend({ nonce }),
  stake: StakeTxSchema.extend({ nonce }),
  stakeAvailability: StakeAvailabilityTxSchema.extend({ nonce }),
  unstakeAvailability: UnstakeAvailabilityTxSchema.extend({ nonce }),
  businessRequest: BusinessRequestTxSchema.extend({ nonce }),
  proposeChallenge: ProposeChallengeTxSchema.extend({ nonce }),
  // Equivocation evidence names its own nonce (ledger/evidence.ts): anyone may submit it.
  evidence: EvidenceTxSchema,
} as const
export type TxMutation = keyof typeof TX_BODY_BY_MUTATION

export const TX_TYPE_BY_MUTATION: Readonly<Record<TxMutation, string>> = {
  submit: 'Submission', post: 'Post', initiatePool: 'InitiatePool', stake: 'Stake',
  stakeAvailability: 'StakeAvailability', unstakeAvailability: 'UnstakeAvailability', businessRequest: 'BusinessRequest', proposeChallenge: 'ProposeChallenge',
  evidence: 'Evidence',
}

/** What a client puts on the wire for each mutation (before the schemas' transforms). */
export type TxBodyOf<M extends TxMutation> = z.input<(typeof TX_BODY_BY_MUTATION)[M]>
