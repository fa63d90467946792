// Justification checks (QBFT paper, Algorithm 4): a PRE_PREPARE of round > 0 must show a quorum of
// ROUND_CHANGEs and, if any of them prepared, a quorum of PREPAREs for the highest prepared value; a
// ROUND_CHANGE claiming a prepared value must show the quorum of PREPAREs behind it. Pure functions.
import { equalBytes } from '../../core/bytes.ts'
import { MsgType, NO_ROUND, type SignedVote, type Vote } from './types.ts'
import type { ValidatorSet } from './validator-set.ts'

export interface JustifyContext {
  readonly instance: string
  readonly height: number
  readonly set: ValidatorSet
  /** Signer is a member and the signature is valid (callers cache this). */
  readonly isAuthentic: (sv: SignedVote) => boolean
}

/** Power-weighted quorum of authentic votes, one per signer, all matching `match`. */
export function hasQuorumOf(ctx: JustifyContext, votes: readonly SignedVote[], match: (v: Vote) => boolean): boolean {
  const signers = new Set<string>()
  for (const sv of votes) {
    if (signers.has(sv.signer) || !match(sv.vote) || !sameInstance(ctx, sv.vote) || !ctx.isAuthentic(sv)) continue
    signers.add(sv.signer)
  }
  return ctx.set.hasQuorum(ctx.set.powerOf(signers))
}

/** The highest (preparedRound, preparedValueHash) claimed by a set of ROUND_CHANGE votes. */
export function highestPrepared(roundChanges: readonly Vote[]): { round: number; valueHash: Uint8Array } | undefined {
  let best: { round: number; valueHash: Uint8Array } | undefined
  for (const v of roundChanges) {
    if (v.preparedRound > (best?.round ?? NO_ROUND)) best = { round: v.preparedRound, valueHash: v.preparedValueHash }
  }
  return best
}

/** Why this ROUND_CHANGE is not justified, or undefined. `bodyHash` is the hash of the value it carries. */
export function roundChangeUnjustified(ctx: JustifyContext, rc: Vote, justification: readonly SignedVote[], bodyHash: Uint8Array | undefined): string | undefined {
  if (rc.preparedRound === NO_ROUND) return rc.preparedValueHash.length === 0 ? undefined : 'prepared value without prepared round'
  if (rc.preparedRound >= rc.round) return 'prepared round not below the round'
  if (!bodyHash || !equalBytes(bodyHash, rc.preparedValueHash)) return 'prepared value body missing or not matching'
  const ok = hasQuorumOf(ctx, justification, (v) =>
    v.type === MsgType.PREPARE && v.round === rc.preparedRound && equalBytes(v.valueHash, rc.preparedValueHash))
  return ok ? undefined : 'no quorum of prepares for the prepared value'
}

/** Why this PRE_PREPARE (already checked to come from the round's leader) is not justified, or undefined. */
export function prePrepareUnjustified(ctx: JustifyContext, pp: Vote, justification: readonly SignedVote[]): string | undefined {
  if (pp.round === 0) return undefined // Algorithm 4:1, round 0 needs no justification
  const rcs = justification.filter((sv) => sv.vote.type === MsgType.ROUND_CHANGE && sv.vote.round === pp.round)
  if (!hasQuorumOf(ctx, rcs, () => true)) return 'no quorum of round changes for the round'
  // Only authentic round changes count toward the highest prepared claim (J2).
  const authentic = rcs.filter((sv) => sameInstance(ctx, sv.vote) && ctx.isAuthentic(sv))
  const hp = highestPrepared(authentic.map((sv) => sv.vote))
  if (!hp) return undefined // J1: nobody prepared, any valid value may be proposed
  if (!equalBytes(pp.valueHash, hp.valueHash)) return 'does not re-propose the highest prepared value'
  const ok = hasQuorumOf(ctx, justification, (v) =>
    v.type === MsgType.PREPARE && v.round === hp.round && equalBytes(v.valueHash, hp.valueHash))
  return ok ? undefined : 'no quorum of prepares for the highest prepared value'
}

const sameInstance = (ctx: JustifyContext, v: Vote) => v.instance === ctx.instance && v.height === ctx.height

