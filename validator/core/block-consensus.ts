// Consensus on the log: one QBFT instance per height over the /agora/1/consensus topic. At each slot the
// node starts the next height's instance (if the last block is older than this slot) with its own
// proposal. Every message is checked (schema, size, signer in the set, signature) before it is buffered
// or makes us sync; verified messages a few heights ahead are buffered, further ahead means we are behind.
import type { Clock } from '../../core/clock.ts'
import { encode, hashValue } from '../../core/encoding.ts'
import { sha256 } from '../../core/hash.ts'
import { toHex } from '../../core/bytes.ts'
import { AgoraError, errorMessage } from '../../core/errors.ts'
import {
  startInstance, exponentialTimeout, decodeConsensusMessage, encodeConsensusMessage, heightOf, ed25519VoteSigner, certificateError,
  verifyVoteEd25519, type ConsensusMessage, type Instance, type ValidatorSet, type CommitCertificate, type SignerStore, type Evidence,
} from '../consensus/index.ts'
import { BlockSchema, type Block } from '../../ledger/block.ts'
import type { Logger } from '../infra/log.ts'
import { CONSENSUS_BUFFER_HEIGHTS, CONSENSUS_BUFFER_MAX, CONSENSUS_BUFFER_PER_SIGNER, MAX_PROPOSAL_BYTES } from './limits.ts'

export interface BlockConsensusModules {
  clock: Clock
  log: Logger
  store: SignerStore<Block>
  selfId: string
  ed25519Seed: Uint8Array
  publish(bytes: Uint8Array): Promise<void>
  /** Current state of the ledger the next height builds on. */
  nextHeight(): number
  /** False while the node may hold a stale view (start-up sync): no instance starts, nothing is signed. */
  canVote(): boolean
  validatorSet(): ValidatorSet
  slotMs(): number
  /** Our proposal; its txs should come from `mempool.select({ maxBytes: PROPOSAL_TX_BYTES })`. */
  buildProposal(height: number): Block
  validateBlock(height: number, block: Block): Promise<boolean>
  onDecided(block: Block, certificate: CommitCertificate): Promise<void>
  /** A verified message for a height beyond the next one: fetch the blocks in between from `peer`. */
  onBehind(peer: string, height: number): void
  onEvidence(e: Evidence): void
}

/** Kept for callers of the first version. */
export const MAX_BUFFERED_MESSAGES = CONSENSUS_BUFFER_MAX

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
export class ConsensusError extends AgoraError {
  declare readonly code: ConsensusErrorCode
  constructor(code: ConsensusErrorCode, message: string, readonly verdict: 'ignore' | 'reject') {
    super(code, message)
    this.name = 'ConsensusError'
  }
}

export interface BlockConsensus {
  /** A slot started: start the next height's instance if none is running. */
  onSlot(): void
  /** The gossip validator's check: why this message is refused, or undefined to accept it. */
  check(bytes: Uint8Array): ConsensusError | undefined
  /** A consensus message arrived by gossip; returns why it was dropped, if it was. */
  receive(bytes: Uint8Array, from: string): ConsensusError | undefined
  /** The ledger moved on without us (sync): drop the instance of a passed height. */
  resync(): void
  stop(): void
  readonly running: number | undefined
}

export const parseBlockValue = (raw: unknown): Block => BlockSchema.parse(raw) as Block

/** Refuse a block over MAX_PROPOSAL_BYTES (it would not fit a gossip message or a sync frame). */
export function checkProposalSize(block: Block): void {
  const size = encode(block).length
  if (size > MAX_PROPOSAL_BYTES) throw new ConsensusError(ConsensusErrorCode.BLOCK_TOO_LARGE, `block of ${size} bytes exceeds ${MAX_PROPOSAL_BYTES}`, 'reject')
}

/**
 * Stateless checks of one message against the validator set: schema, block size, instance, signer and
 * signature (votes) or certificate (decided). Justifications are checked by the QBFT core.
 */
export function verifyConsensusMessage(bytes: Uint8Array, set: ValidatorSet, nextHeight: number): { msg: ConsensusMessage<Block> } | { error: ConsensusError } {
  const fail = (code: ConsensusErrorCode, message: string, verdict: 'ignore' | 'reject') => ({ error: new ConsensusError(code, message, verdict) })
  let msg: ConsensusMessage<Block>
  try {
    msg = decodeConsensusMessage(bytes, parseBlockValue)
  } catch (e) {
    return fail(ConsensusErrorCode.MALFORMED, errorMessage(e), 'reject')
  }
  if (msg.value !== undefined) {
    try { checkProposalSize(msg.value) } catch (e) { return { error: e as ConsensusError } }
  }
  const h = heightOf(msg)
  // A message ahead of us may be signed by a set we have not reached yet: not the sender's fault.
  const unknownVerdict = h > nextHeight ? 'ignore' : 'reject'
  if (msg.kind === 'vote') {
    const { vote, signer, signature } = msg.signed
    if (vote.instance !== 'block') return fail(ConsensusErrorCode.WRONG_INSTANCE, `instance ${vote.instance}`, 'reject')
    const member = set.byId(signer)
    if (!member) return fail(ConsensusErrorCode.NOT_A_VALIDATOR, `${signer} is not a validator`, unknownVerdict)
    if (!verifyVoteEd25519(member.publicKey, vote, signature)) return fail(ConsensusErrorCode.BAD_SIGNATURE, `vote of ${signer} does not verify`, 'reject')
    return { msg }
  }
  if (msg.certificate.instance !== 'block') return fail(ConsensusErrorCode.WRONG_INSTANCE, `instance ${msg.certificate.instance}`, 'reject')
  const why = certificateError(hashValue(msg.value), msg.certificate, set)
  if (why) return fail(ConsensusErrorCode.BAD_CERTIFICATE, why, unknownVerdict)
  return { msg }
}

/** Messages verified by `check` kept for their delivery (one gossip validation ahead is typical). */
const VERIFIED_KEPT = 64

const signerOf = (msg: ConsensusMessage<Block>): string => (msg.kind === 'vote' ? msg.signed.signer : '')

export function createBlockConsensus(m: BlockConsensusModules): BlockConsensus {
  let current: Instance<Block> | undefined
  let previous: Instance<Block> | undefined // kept to hand laggards the DECIDED message
  let starting = false
  const buffer = new Map<number, ConsensusMessage<Block>[]>()
  let buffered = 0
  let stopped = false
  const signer = ed25519VoteSigner(m.selfId, m.ed25519Seed)
  // The gossip check and the delivery see the same bytes: decode and verify a (128 KiB) proposal once.
  const checked = new Map<string, ConsensusMessage<Block>>()
  function verifyOnce(bytes: Uint8Array, remember: boolean): ReturnType<typeof verifyConsensusMessage> {
    const id = toHex(sha256(bytes))
    const hit = checked.get(id)
    if (hit) { checked.delete(id); return { msg: hit } }
    const r = verifyConsensusMessage(bytes, m.validatorSet(), m.nextHeight())
    if (remember && 'msg' in r) {
      checked.set(id, r.msg)
      if (checked.size > VERIFIED_KEPT) checked.delete(checked.keys().next().value!)
    }
    return r
  }

  // A message that could not be published is logged with its size and dropped: the round timer moves
  // the instance on, so a failing publish never stops consensus (nor is it silently swallowed).
  async function broadcast(msg: ConsensusMessage<Block>): Promise<void> {
    const bytes = encodeConsensusMessage(msg)
    try {
      await m.publish(bytes)
    } catch (e) {
      m.log.error({ height: heightOf(msg), kind: msg.kind, bytes: bytes.length, err: errorMessage(e) }, 'consensus message not published')
    }
  }

  function proposal(height: number): Block {
    const block = m.buildProposal(height)
    try {
      checkProposalSize(block)
      return block
    } catch (e) {
      // A bug in the proposer: an empty block keeps the height moving instead of failing every round.
      m.log.error({ height, txs: block.txs.length, err: errorMessage(e) }, 'proposal too large, proposing an empty block')
      return { ...block, txs: [] }
    }
  }

  async function start(height: number): Promise<void> {
    if (starting || stopped || !m.canVote() || (current && current.height === height)) return
    const set = m.validatorSet()
    if (set.indexOf(m.selfId) < 0) return // not a validator this epoch: follow by sync only
    starting = true
    try {
      const inst = await startInstance<Block>({ height }, {
        definition: {
          instance: 'block', set,
          // Doubling, not linear: the simulator showed a linear timer leaves a node that ran ahead out of
          // step for many rounds (its round starts never converge with the others').
          roundTimeout: exponentialTimeout(Math.max(1000, m.slotMs()), 120_000),
          validateValue: (h, v) => { checkProposalSize(v); return m.validateBlock(h, v) },
          decide: async (h, v, cert) => { await decided(h, v, cert) },
          onEvidence: (e) => m.onEvidence(e),
        },
        transport: { broadcast },
        signer, store: m.store, clock: m.clock,
      })
      previous?.stop()
      previous = current
      current = inst
      const queued = buffer.get(height) ?? []
      buffer.delete(height)
      buffered -= queued.length
      await inst.input(proposal(height))
      for (const msg of queued) await inst.deliver(msg)
    } catch (e) {
      m.log.warn({ height, err: errorMessage(e) }, 'consensus instance failed to start')
    } finally {
      starting = false
    }
  }

  async function decided(height: number, block: Block, cert: CommitCertificate): Promise<void> {
    if (height !== m.nextHeight()) return // already applied through sync
    await m.onDecided(block, cert)
  }

  const drop = (code: ConsensusErrorCode, message: string) => new ConsensusError(code, message, 'ignore')

  function enqueue(msg: ConsensusMessage<Block>, h: number): ConsensusError | undefined {
    if (buffered >= CONSENSUS_BUFFER_MAX) return drop(ConsensusErrorCode.BUFFER_FULL, `${buffered} messages buffered`)
    const l = buffer.get(h) ?? []
    const who = signerOf(msg)
    if (l.filter((x) => signerOf(x) === who).length >= CONSENSUS_BUFFER_PER_SIGNER) {
      return drop(ConsensusErrorCode.BUFFER_FULL, `${who || 'decided'} has ${CONSENSUS_BUFFER_PER_SIGNER} messages buffered for height ${h}`)
    }
    l.push(msg)
    buffer.set(h, l)
    buffered++
    return undefined
  }

  return {
    get running() { return current?.height },
    onSlot() {
      if (stopped) return
      const h = m.nextHeight()
      if (!current || current.height < h) void start(h)
    },
    check(bytes) {
      const r = verifyOnce(bytes, true)
      return 'error' in r ? r.error : undefined
    },
    receive(bytes, from) {
      if (stopped) return undefined
      const next = m.nextHeight()
      const r = verifyOnce(bytes, false)
      if ('error' in r) return r.error
      const { msg } = r
      const h = heightOf(msg)
      if (current && h === current.height) { void current.deliver(msg); return undefined }
      if (previous && h === previous.height) { void previous.deliver(msg); return undefined }
      if (h < next) return drop(ConsensusErrorCode.PASSED, `height ${h} is decided (next ${next})`)
      if (h > next) m.onBehind(from, h) // verified: somebody in the set really is ahead of us
      if (h > next + CONSENSUS_BUFFER_HEIGHTS) return drop(ConsensusErrorCode.AHEAD, `height ${h} is beyond ${next} + ${CONSENSUS_BUFFER_HEIGHTS}`)
      const refused = enqueue(msg, h)
      if (!refused && h === next) void start(h)
      return refused
    },
    resync() {
      const next = m.nextHeight()
      for (const h of [...buffer.keys()]) if (h < next) { buffered -= buffer.get(h)!.length; buffer.delete(h) }
      if (current && current.height < next) { previous?.stop(); previous = current; current = undefined }
    },
    stop() {
      stopped = true
      current?.stop()
      previous?.stop()
    },
  }
}
