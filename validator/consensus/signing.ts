// Vote signatures behind a small interface: ed25519 (Node native, via core/crypto/sign.ts) in the node
// and the unit tests; the simulator may plug a cheaper deterministic scheme with the same shape.
import { Domain, signEd25519, verifyEd25519 } from '../../core/crypto/sign.ts'
import { MsgType, type Vote, type VoteType } from './types.ts'
import { EMPTY, NO_ROUND } from './types.ts'

export interface VoteSigner {
  readonly id: string
  sign(vote: Vote): Uint8Array
}

/** Checks `signature` over `vote` against the signer's public key. Must be pure and deterministic. */
export type VoteVerifier = (publicKey: Uint8Array, vote: Vote, signature: Uint8Array) => boolean

/** The canonical signed payload (plain fields only, so encoding is stable). */
export const votePayload = (v: Vote) => ({
  instance: v.instance, height: v.height, round: v.round, type: v.type,
  valueHash: v.valueHash, preparedRound: v.preparedRound, preparedValueHash: v.preparedValueHash,
})

export function ed25519VoteSigner(id: string, seed: Uint8Array): VoteSigner {
  return { id, sign: (vote) => signEd25519(seed, Domain.consensus, votePayload(vote)) }
}

export const verifyVoteEd25519: VoteVerifier = (publicKey, vote, signature) =>
  verifyEd25519(publicKey, Domain.consensus, votePayload(vote), signature)

/** A vote for a value (PRE_PREPARE / PREPARE / COMMIT). */
export function valueVote(instance: string, height: number, round: number, type: VoteType, valueHash: Uint8Array): Vote {
  return { instance, height, round, type, valueHash, preparedRound: NO_ROUND, preparedValueHash: EMPTY }
}

export function roundChangeVote(instance: string, height: number, round: number, prepared?: { round: number; valueHash: Uint8Array }): Vote {
  return {
    instance, height, round, type: MsgType.ROUND_CHANGE, valueHash: EMPTY,
    preparedRound: prepared?.round ?? NO_ROUND, preparedValueHash: prepared?.valueHash ?? EMPTY,
  }
}
