// Equivocation evidence: two validly signed votes from one validator for the same (instance, height,
// round, type) with different values. Verifiable by anyone holding the validator set (pure).
import { equalBytes } from '../../core/bytes.ts'
import { type VoteVerifier, verifyVoteEd25519 } from './signing.ts'
import { type Evidence, MsgType, type SignedVote, type Vote } from './types.ts'
import type { ValidatorSet } from './validator-set.ts'

/** True when the two votes say different things for one slot (ROUND_CHANGE: different prepared claims). */
export function conflicting(a: Vote, b: Vote): boolean {
  if (a.instance !== b.instance || a.height !== b.height || a.round !== b.round || a.type !== b.type) return false
  if (a.type === MsgType.ROUND_CHANGE) return a.preparedRound !== b.preparedRound || !equalBytes(a.preparedValueHash, b.preparedValueHash)
  return !equalBytes(a.valueHash, b.valueHash)
}

export function makeEvidence(first: SignedVote, second: SignedVote): Evidence {
  return { kind: 'equivocation', signer: first.signer, first, second }
}

export function evidenceError(e: Evidence, set: ValidatorSet, verify: VoteVerifier = verifyVoteEd25519): string | undefined {
  if (e.first.signer !== e.signer || e.second.signer !== e.signer) return 'votes are not both from the accused signer'
  const member = set.byId(e.signer)
  if (!member) return `${e.signer} is not a validator`
  if (!conflicting(e.first.vote, e.second.vote)) return 'votes do not conflict'
  if (!verify(member.publicKey, e.first.vote, e.first.signature)) return 'first vote has a bad signature'
  if (!verify(member.publicKey, e.second.vote, e.second.signature)) return 'second vote has a bad signature'
  return undefined
}

export const verifyEvidence = (e: Evidence, set: ValidatorSet, verify: VoteVerifier = verifyVoteEd25519): boolean =>
  evidenceError(e, set, verify) === undefined
