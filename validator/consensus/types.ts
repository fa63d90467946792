// Consensus message and proof types. Votes reference values by hash; only a pre-prepare, a round change
// (its prepared value) and a decided message carry a value body. Every vote is signed by its signer.

/** Vote types; the numbers are part of the signed payload and never change. */
export const MsgType = { PRE_PREPARE: 1, PREPARE: 2, COMMIT: 3, ROUND_CHANGE: 4 } as const
export type VoteType = (typeof MsgType)[keyof typeof MsgType]
export const voteTypeName = (t: VoteType): string =>
  t === 1 ? 'PRE_PREPARE' : t === 2 ? 'PREPARE' : t === 3 ? 'COMMIT' : 'ROUND_CHANGE'

/** Explicit limits: anything beyond them is dropped at the door. */
export const LIMITS = {
  maxValidators: 1024,
  maxRound: 1_000_000,
  /** Votes for rounds further ahead than this are ignored (bounds the buffer a peer can fill). */
  maxRoundsAhead: 256,
  /** A justification holds at most a quorum of round changes plus a quorum of prepares. */
  maxJustification: 2 * 1024,
  maxInstanceLength: 128,
} as const

/** The signed payload of every consensus vote (signEd25519(seed, Domain.consensus, vote)). */
export interface Vote {
  /** What is being agreed ("block", or a duty key): votes of one instance never count in another. */
  readonly instance: string
  readonly height: number
  readonly round: number
  readonly type: VoteType
  /** Hash of the value voted for; empty for ROUND_CHANGE. */
  readonly valueHash: Uint8Array
  /** ROUND_CHANGE only: the round and value hash this signer prepared, -1 / empty when none. */
  readonly preparedRound: number
  readonly preparedValueHash: Uint8Array
}

export interface SignedVote {
  readonly vote: Vote
  readonly signer: string
  readonly signature: Uint8Array
}

/**
 * A vote on the wire. PRE_PREPARE carries the proposed value; ROUND_CHANGE carries its prepared value
 * (so the next leader can re-propose it). Justification: for a PRE_PREPARE of round > 0, a quorum of
 * ROUND_CHANGEs (+ the quorum of PREPAREs behind the highest prepared one); for a ROUND_CHANGE with a
 * prepared round, the quorum of PREPAREs for it.
 */
export interface VoteMessage<V> {
  readonly kind: 'vote'
  readonly signed: SignedVote
  readonly value?: V
  readonly justification: readonly SignedVote[]
}

/** Sent to laggards (in reply to their round changes): the decided value and its proof. */
export interface DecidedMessage<V> {
  readonly kind: 'decided'
  readonly value: V
  readonly certificate: CommitCertificate
}

export type ConsensusMessage<V> = VoteMessage<V> | DecidedMessage<V>

export interface CertifiedCommit {
  readonly signer: string
  readonly signature: Uint8Array
}

/** > 2/3 of the power signed COMMIT for (instance, height, round, valueHash). */
export interface CommitCertificate {
  readonly instance: string
  readonly height: number
  readonly round: number
  readonly valueHash: Uint8Array
  readonly commits: readonly CertifiedCommit[]
}

/** Two valid votes by one signer for the same (instance, height, round, type) with different values. */
export interface Evidence {
  readonly kind: 'equivocation'
  readonly signer: string
  readonly first: SignedVote
  readonly second: SignedVote
}

/** What a node persisted when it prepared: enough to report it in a ROUND_CHANGE after a restart. */
export interface PreparedState<V> {
  readonly round: number
  readonly valueHash: Uint8Array
  readonly value: V
  readonly justification: readonly SignedVote[]
}

export const NO_ROUND = -1
export const EMPTY = new Uint8Array(0)
