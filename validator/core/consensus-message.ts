// The stateless door of block consensus: a consensus message's schema, block size, instance, signer and
// signature (votes) or certificate (decided messages), each refusal a typed ConsensusError with its
// verdict; and the cache that lets the gossip check and the delivery verify the same bytes once.
import { encode, hashValue } from '../../core/encoding.ts'
import { sha256 } from '../../core/hash.ts'
import { toHex } from '../../core/bytes.ts'
import { errorMessage } from '../../core/errors.ts'
import {
  decodeConsensusMessage, heightOf, certificateError, verifyVoteEd25519,
  type ConsensusMessage, type ValidatorSet, type Vote, type VoteVerifier,
} from '../consensus/index.ts'
import { BlockSchema, type Block } from '../../ledger/block.ts'
import { MAX_PROPOSAL_BYTES } from './limits.ts'
import { GossipRefusal, type RefusalVerdict } from './refusal.ts'

export const ConsensusErrorCode = {
  /** Not a consensus message of our schema. */
  MALFORMED: 'CONSENSUS_MALFORMED',
  /** A block over MAX_PROPOSAL_BYTES (proposed, or carried by a message). */
  BLOCK_TOO_LARGE: 'CONSENSUS_BLOCK_TOO_LARGE',
  /** Votes of another instance never belong on this topic. */
  WRONG_INSTANCE: 'CONSENSUS_WRONG_INSTANCE',
  /** Signer not in our validator set (Ignore when the height is ahead: the set may have changed). */
  NOT_A_VALIDATOR: 'CONSENSUS_NOT_A_VALIDATOR',
  BAD_SIGNATURE: 'CONSENSUS_BAD_SIGNATURE',
  BAD_CERTIFICATE: 'CONSENSUS_BAD_CERTIFICATE',
  /** For a height we already decided and no longer run. */
  PASSED: 'CONSENSUS_PASSED',
  /** Verified, but beyond the buffer window: we sync instead. */
  AHEAD: 'CONSENSUS_AHEAD',
  /** The buffer (or this signer's share of it for that height) is full. */
  BUFFER_FULL: 'CONSENSUS_BUFFER_FULL',
} as const
export type ConsensusErrorCode = (typeof ConsensusErrorCode)[keyof typeof ConsensusErrorCode]

/** A refused consensus message or proposal, with its gossip verdict (docs/PROTOCOL.md §3.4). */
export class ConsensusError extends GossipRefusal<ConsensusErrorCode> {
  constructor(code: ConsensusErrorCode, message: string, verdict: RefusalVerdict) {
    super(code, message, verdict)
    this.name = 'ConsensusError'
  }
}

export const parseBlockValue = (raw: unknown): Block => BlockSchema.parse(raw) as Block

/** Encoded sizes of blocks already checked: the gossip check and the value check see one decoded object (blocks are immutable). */
const sizes = new WeakMap<Block, number>()

/** Refuse a block over MAX_PROPOSAL_BYTES (it would not fit a gossip message or a sync frame). */
export function checkProposalSize(block: Block): void {
  let size = sizes.get(block)
  if (size === undefined) { size = encode(block).length; sizes.set(block, size) }
  if (size > MAX_PROPOSAL_BYTES) throw new ConsensusError(ConsensusErrorCode.BLOCK_TOO_LARGE, `block of ${size} bytes exceeds ${MAX_PROPOSAL_BYTES}`, 'reject')
}

export type Verified = { msg: ConsensusMessage<Block> } | { error: ConsensusError }

/**
 * Stateless checks of one message against the validator set: schema, block size, instance, signer and
 * signature (votes) or certificate (decided). Justifications are checked by the QBFT core.
 */
export function verifyConsensusMessage(bytes: Uint8Array, set: ValidatorSet, nextHeight: number, verifyVote: VoteVerifier = verifyVoteEd25519): Verified {
  const fail = (code: ConsensusErrorCode, message: string, verdict: RefusalVerdict) => ({ error: new ConsensusError(code, message, verdict) })
  let msg: ConsensusMessage<Block>
  try {
    msg = decodeConsensusMessage(bytes, parseBlockValue)
  } catch (e) {
    return fail(ConsensusErrorCode.MALFORMED, errorMessage(e), 'reject')
  }
  if (msg.value !== undefined) {
    try { checkProposalSize(msg.value) } catch (e) { return { error: e as ConsensusError } }
  }
  // A message ahead of us may be signed by a set we have not reached yet: not the sender's fault.
  const unknownVerdict = heightOf(msg) > nextHeight ? 'ignore' : 'reject'
  if (msg.kind === 'vote') {
    const { vote, signer, signature } = msg.signed
    if (vote.instance !== 'block') return fail(ConsensusErrorCode.WRONG_INSTANCE, `instance ${vote.instance}`, 'reject')
    const member = set.byId(signer)
    if (!member) return fail(ConsensusErrorCode.NOT_A_VALIDATOR, `${signer} is not a validator`, unknownVerdict)
    if (!verifyVote(member.publicKey, vote, signature)) return fail(ConsensusErrorCode.BAD_SIGNATURE, `vote of ${signer} does not verify`, 'reject')
    return { msg }
  }
  if (msg.certificate.instance !== 'block') return fail(ConsensusErrorCode.WRONG_INSTANCE, `instance ${msg.certificate.instance}`, 'reject')
  const why = certificateError(hashValue(msg.value), msg.certificate, set, verifyVote)
  if (why) return fail(ConsensusErrorCode.BAD_CERTIFICATE, why, unknownVerdict)
  return { msg }
}

/** Messages verified by the gossip check kept for their delivery (one gossip validation ahead is typical). */
const VERIFIED_KEPT = 64

/**
 * The gossip check and the delivery see the same bytes: decode and verify a (128 KiB) proposal once.
 * `verify(bytes, true)` (the check) remembers a success; the delivery's `verify(bytes, false)` takes it.
 */
export function createVerifiedMessages(verify: (bytes: Uint8Array) => Verified): (bytes: Uint8Array, remember: boolean) => Verified {
  const checked = new Map<string, ConsensusMessage<Block>>()
  return (bytes, remember) => {
    const id = toHex(sha256(bytes))
    const hit = checked.get(id)
    if (hit) { checked.delete(id); return { msg: hit } }
    const r = verify(bytes)
    if (remember && 'msg' in r) {
      checked.set(id, r.msg)
      if (checked.size > VERIFIED_KEPT) checked.delete(checked.keys().next().value!)
    }
    return r
  }
}

/**
 * Vote signatures already checked, by (key, vote, signature): enough for the votes of a few heights of a
 * large set (each height: every member's PREPARE and COMMIT, the proposal, a few round changes).
 */
const VOTES_KEPT = 2_048

const voteKey = (publicKey: Uint8Array, v: Vote, signature: Uint8Array) =>
  `${toHex(publicKey)}|${v.instance}|${v.height}|${v.round}|${v.type}|${toHex(v.valueHash)}|${v.preparedRound}|${toHex(v.preparedValueHash)}|${toHex(signature)}`

/**
 * A vote is checked once: at the gossip door, then the QBFT core (its authenticity check) and a DECIDED
 * message's certificate find it here. Our own votes are known good from the moment we sign them. Only
 * successes are kept, and the key covers the whole vote, so a signature never passes for another vote.
 */
export function createVoteVerifyCache(verify: VoteVerifier = verifyVoteEd25519): { verify: VoteVerifier; signed(publicKey: Uint8Array, vote: Vote, signature: Uint8Array): void } {
  const good = new Set<string>()
  const remember = (k: string) => {
    good.add(k)
    if (good.size > VOTES_KEPT) good.delete(good.values().next().value!)
  }
  return {
    verify(publicKey, vote, signature) {
      const k = voteKey(publicKey, vote, signature)
      if (good.has(k)) return true
      const ok = verify(publicKey, vote, signature)
      if (ok) remember(k)
      return ok
    },
    signed: (publicKey, vote, signature) => remember(voteKey(publicKey, vote, signature)),
  }
}
