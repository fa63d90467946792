// Consensus on the log: one QBFT instance per height over the /agora/1/consensus topic. At each slot the
// node starts the next height's instance with its own proposal; a slot that began while the previous
// height was still being decided or imported starts the next one as soon as that block is in. Every
// message is checked (schema, size, signer in the set, signature) before it is buffered or makes us sync;
// verified messages a few heights ahead are buffered, further ahead means we are behind.
import type { Clock } from '../../core/clock.ts'
import { ed25519PublicKey } from '../../core/crypto/sign.ts'
import { errorMessage } from '../../core/errors.ts'
import {
  startInstance, exponentialTimeout, encodeConsensusMessage, heightOf, ed25519VoteSigner,
  type ConsensusMessage, type Definition, type Instance, type ValidatorSet, type CommitCertificate, type SignerStore, type Evidence,
  type Vote, type VoteSigner, type VoteVerifier,
} from '../consensus/index.ts'
import type { Block } from '../../ledger/block.ts'
import type { Logger } from '../infra/log.ts'
import { CONSENSUS_BUFFER_HEIGHTS } from './limits.ts'
import { checkProposalSize, ConsensusError, ConsensusErrorCode, createVerifiedMessages, createVoteVerifyCache, verifyConsensusMessage } from './consensus-message.ts'
import { createConsensusBuffer } from './consensus-buffer.ts'

// The message door lives in consensus-message.ts; these are part of this component's interface.
export { checkProposalSize, ConsensusError, ConsensusErrorCode, parseBlockValue, verifyConsensusMessage } from './consensus-message.ts'

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

export interface BlockConsensus {
  /** Slot `slot` started: start the next height's instance if none is running (else once the running one is in). */
  onSlot(slot: number): void
  /** The gossip validator's check: why this message is refused, or undefined to accept it. */
  check(bytes: Uint8Array): ConsensusError | undefined
  /** A consensus message arrived by gossip; returns why it was dropped, if it was. */
  receive(bytes: Uint8Array, from: string): ConsensusError | undefined
  /** The ledger moved on without us (sync): drop the instance of a passed height. */
  resync(): void
  stop(): void
  readonly running: number | undefined
}

// A message that could not be published is logged with its size and dropped: the round timer moves
// the instance on, so a failing publish never stops consensus (nor is it silently swallowed).
async function publishMessage(m: BlockConsensusModules, msg: ConsensusMessage<Block>): Promise<void> {
  const t0 = m.clock.now()
  const bytes = encodeConsensusMessage(msg)
  try {
    const t1 = m.clock.now()
    await m.publish(bytes)
    m.log.debug({ height: heightOf(msg), type: msg.kind === 'vote' ? msg.signed.vote.type : 0, bytes: bytes.length, encodeMs: t1 - t0, publishMs: m.clock.now() - t1, t: m.clock.now() }, 'qbft published')
  } catch (e) {
    m.log.error({ height: heightOf(msg), kind: msg.kind, bytes: bytes.length, err: errorMessage(e) }, 'consensus message not published')
  }
}

function proposalFor(m: BlockConsensusModules, height: number): Block {
  const t0 = m.clock.now()
  const block = m.buildProposal(height)
  try {
    checkProposalSize(block)
    m.log.debug({ height, slot: block.slot, txs: block.txs.length, ms: m.clock.now() - t0, t: m.clock.now() }, 'qbft proposal built')
    return block
  } catch (e) {
    // A bug in the proposer: an empty block keeps the height moving instead of failing every round.
    m.log.error({ height, txs: block.txs.length, err: errorMessage(e) }, 'proposal too large, proposing an empty block')
    return { ...block, txs: [] }
  }
}

/** Longest round timer, in slots: 1, 2, 4, 8, 8, … (was up to 120 s: a stalled network took minutes to recover). */
export const MAX_ROUND_TIMEOUT_SLOTS = 8

/** The QBFT instance of the block log for one height: its set, round timer, value check and decision. */
function blockInstance(m: BlockConsensusModules, set: ValidatorSet, verifyVote: VoteVerifier, next: (decidedSlot: number) => void): Definition<Block> {
  return {
    instance: 'block', set, verifyVote,
    // Doubling, not linear: the simulator showed a linear timer leaves a node that ran ahead out of
    // step for many rounds (its round starts never converge with the others'). Capped, so that a CPU stall
    // or a staggered start does not leave the network in minute-long rounds (round changes, not the
    // timer, bring nodes in later rounds together).
    roundTimeout: exponentialTimeout(Math.max(1000, m.slotMs()), MAX_ROUND_TIMEOUT_SLOTS * Math.max(1000, m.slotMs())),
    validateValue: async (h, v) => {
      checkProposalSize(v)
      const t0 = m.clock.now()
      const valid = await m.validateBlock(h, v)
      m.log.debug({ height: h, slot: v.slot, txs: v.txs.length, valid, ms: m.clock.now() - t0, t: m.clock.now() }, 'qbft validated')
      return valid
    },
    decide: async (h, v, cert) => {
      if (h !== m.nextHeight()) return // applied through sync
      const t0 = m.clock.now()
      await m.onDecided(v, cert)
      m.log.debug({ height: h, slot: v.slot, round: cert.round, txs: v.txs.length, importMs: m.clock.now() - t0, t: m.clock.now() }, 'qbft decided')
      next(v.slot)
    },
    onEvidence: (e) => m.onEvidence(e),
    // Each upon-rule with its time (debug): where a height's time goes, from the nodes' own logs.
    trace: (h, e) => {
      if (e.kind === 'rule') m.log.debug({ height: h, rule: e.rule, round: e.round, t: m.clock.now() }, 'qbft rule')
      else if (e.kind === 'dropped') m.log.debug({ height: h, reason: e.reason, t: m.clock.now() }, 'qbft dropped')
    },
  }
}

/** Time of each durable record before a vote leaves (debug: where a vote's time goes under load). */
function timedStore(m: BlockConsensusModules): SignerStore<Block> {
  return {
    ...m.store,
    recordSigned: async (height, round, type, valueHash) => {
      const t0 = m.clock.now()
      const ok = await m.store.recordSigned(height, round, type, valueHash)
      m.log.debug({ height, round, type, ms: m.clock.now() - t0, t: m.clock.now() }, 'qbft recorded')
      return ok
    },
  }
}

/** Our own votes go into the verified cache as they are signed (justifications and certificates quote them). */
function rememberingSigner(signer: VoteSigner, publicKey: Uint8Array, signed: (publicKey: Uint8Array, vote: Vote, signature: Uint8Array) => void): VoteSigner {
  return { id: signer.id, sign: (vote) => { const s = signer.sign(vote); signed(publicKey, vote, s); return s } }
}

const drop = (code: ConsensusErrorCode, message: string) => new ConsensusError(code, message, 'ignore')

/** Where a verified message goes: its running instance, the buffer (maybe starting its height), or refused. */
function routeMessage(m: BlockConsensusModules, buffer: ReturnType<typeof createConsensusBuffer>, running: readonly (Instance<Block> | undefined)[],
  start: (height: number) => void, msg: ConsensusMessage<Block>, from: string): ConsensusError | undefined {
  const next = m.nextHeight()
  const h = heightOf(msg)
  const inst = running.find((i) => i?.height === h)
  if (inst) { void inst.deliver(msg); return undefined }
  if (h < next) return drop(ConsensusErrorCode.PASSED, `height ${h} is decided (next ${next})`)
  if (h > next) m.onBehind(from, h) // verified: somebody in the set really is ahead of us
  if (h > next + CONSENSUS_BUFFER_HEIGHTS) return drop(ConsensusErrorCode.AHEAD, `height ${h} is beyond ${next} + ${CONSENSUS_BUFFER_HEIGHTS}`)
  const refused = buffer.add(msg, h)
  if (!refused && h === next) start(h)
  return refused
}

export function createBlockConsensus(m: BlockConsensusModules): BlockConsensus {
  let current: Instance<Block> | undefined
  let previous: Instance<Block> | undefined // kept to hand laggards the DECIDED message
  let starting = false
  let stopped = false
  let tickSlot = -1 // the last tick's slot: a tick that found the node busy is not lost (see startNext)
  const buffer = createConsensusBuffer()
  const store = timedStore(m)
  const votes = createVoteVerifyCache()
  const signer = rememberingSigner(ed25519VoteSigner(m.selfId, m.ed25519Seed), ed25519PublicKey(m.ed25519Seed), votes.signed)
  const verifyOnce = createVerifiedMessages((bytes) => verifyConsensusMessage(bytes, m.validatorSet(), m.nextHeight(), votes.verify))

  async function start(height: number): Promise<void> {
    if (starting || stopped || !m.canVote() || (current && current.height === height)) return
    const set = m.validatorSet()
    if (set.indexOf(m.selfId) < 0) return // not a validator this epoch: follow by sync only
    starting = true
    m.log.debug({ height, t: m.clock.now() }, 'qbft start')
    try {
      const inst = await startInstance<Block>({ height }, {
        definition: blockInstance(m, set, votes.verify, startNext), transport: { broadcast: (msg) => publishMessage(m, msg) }, signer, store, clock: m.clock,
      })
      previous?.stop()
      previous = current
      current = inst
      // Queued in the instance, not awaited: a height that decides from these messages imports its block
      // before the queue drains, and the next height must be free to start meanwhile.
      void inst.input(proposalFor(m, height))
      for (const msg of buffer.take(height)) void inst.deliver(msg)
    } catch (e) {
      m.log.warn({ height, err: errorMessage(e) }, 'consensus instance failed to start')
    } finally {
      starting = false
    }
  }

  /** The ledger moved on past a block of `lastSlot` (decided; undefined after a sync): start the next height
   *  now if a later slot has begun or others are in it already (their messages are buffered); otherwise
   *  the next slot tick starts it. Without this, a tick that found the previous height still being decided
   *  or imported was lost: the node waited a whole slot, and when it led the next height the others'
   *  round-0 timers ran out before its proposal came (a round change, and the next slot left empty). */
  function startNext(lastSlot: number | undefined): void {
    const h = m.nextHeight()
    if (stopped || (current && current.height >= h)) return
    if ((lastSlot !== undefined && tickSlot > lastSlot) || buffer.has(h)) void start(h)
  }

  return {
    get running() { return current?.height },
    onSlot(slot) {
      if (stopped) return
      tickSlot = Math.max(tickSlot, slot)
      const h = m.nextHeight()
      m.log.debug({ slot, height: h, running: current?.height, starting, t: m.clock.now() }, 'qbft slot')
      if (!current || current.height < h) void start(h)
    },
    check(bytes) {
      const r = verifyOnce(bytes, true)
      return 'error' in r ? r.error : undefined
    },
    receive(bytes, from) {
      if (stopped) return undefined
      const r = verifyOnce(bytes, false)
      return 'error' in r ? r.error : routeMessage(m, buffer, [current, previous], (h) => void start(h), r.msg, from)
    },
    resync() {
      const next = m.nextHeight()
      buffer.dropBelow(next)
      if (current && current.height < next) { previous?.stop(); previous = current; current = undefined }
      startNext(undefined)
    },
    stop() {
      stopped = true
      current?.stop()
      previous?.stop()
    },
  }
}
