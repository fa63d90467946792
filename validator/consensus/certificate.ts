// Commit certificates: the COMMIT signatures of signers holding > 2/3 of the power for one value.
// `verifyCertificate` is pure, so a laggard, a light client or the chain adapter can check a decision.
import { equalBytes } from '../../core/bytes.ts'
import { type VoteVerifier, valueVote, verifyVoteEd25519 } from './signing.ts'
import { type CommitCertificate, LIMITS, MsgType, type SignedVote } from './types.ts'
import type { ValidatorSet } from './validator-set.ts'

/** Build a certificate from a quorum of COMMIT votes for the same (instance, height, round, value). */
export function buildCertificate(commits: readonly SignedVote[], set: ValidatorSet): CommitCertificate {
  const first = commits[0]
  if (!first) throw new Error('assertion failed: certificate needs commits')
  const { instance, height, round, valueHash } = first.vote
  const sorted = [...commits].sort((a, b) => set.indexOf(a.signer) - set.indexOf(b.signer))
  return { instance, height, round, valueHash, commits: sorted.map((c) => ({ signer: c.signer, signature: c.signature })) }
}

/** Why `cert` does not prove `valueHash` decided under `set`, or undefined when it does. */
export function certificateError(valueHash: Uint8Array, cert: CommitCertificate, set: ValidatorSet, verify: VoteVerifier = verifyVoteEd25519): string | undefined {
  if (!equalBytes(cert.valueHash, valueHash)) return 'certificate is for another value'
  if (cert.commits.length > LIMITS.maxValidators) return 'certificate has too many commits'
  const vote = valueVote(cert.instance, cert.height, cert.round, MsgType.COMMIT, cert.valueHash)
  const seen = new Set<string>()
  let power = 0n
  for (const c of cert.commits) {
    if (seen.has(c.signer)) return `duplicate signer ${c.signer}`
    seen.add(c.signer)
    const member = set.byId(c.signer)
    if (!member) return `signer ${c.signer} is not a validator`
    if (!verify(member.publicKey, vote, c.signature)) return `bad signature from ${c.signer}`
    power += member.power
  }
  if (!set.hasQuorum(power)) return `signers hold ${power} of ${set.totalPower} power, not more than 2/3`
  return undefined
}

export function verifyCertificate(valueHash: Uint8Array, cert: CommitCertificate, set: ValidatorSet, verify: VoteVerifier = verifyVoteEd25519): boolean {
  return certificateError(valueHash, cert, set, verify) === undefined
}
