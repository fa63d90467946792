// Consensus on the log: one QBFT instance per height over the /agora/1/consensus topic. At each slot the
// node starts the next height's instance (if the last block is older than this slot) with its own
// proposal; messages for heights ahead are buffered (bounded); a gap means we are behind, so we ask the
// sender for the missing blocks instead.
import type { Clock } from '../../core/clock.ts'
import { errorMessage } from '../../core/errors.ts'
import {
  startInstance, exponentialTimeout, decodeConsensusMessage, encodeConsensusMessage, heightOf, ed25519VoteSigner, type ConsensusMessage,
  type Instance, type ValidatorSet, type CommitCertificate, type SignerStore, type Evidence,
} from '../consensus/index.ts'
import { BlockSchema, type Block } from '../../ledger/block.ts'
import type { Logger } from '../infra/log.ts'

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
  buildProposal(height: number): Block
  validateBlock(height: number, block: Block): Promise<boolean>
  onDecided(block: Block, certificate: CommitCertificate): Promise<void>
  /** We saw traffic for a height beyond the next one: fetch the blocks in between from `peer`. */
  onBehind(peer: string, height: number): void
  onEvidence(e: Evidence): void
}

export const MAX_BUFFERED_MESSAGES = 4096
const MAX_HEIGHTS_AHEAD = 64

export interface BlockConsensus {
  /** A slot started: start the next height's instance if none is running. */
  onSlot(): void
  /** A consensus message arrived by gossip (already envelope-checked). */
  receive(bytes: Uint8Array, from: string): void
  /** The ledger moved on without us (sync): drop the instance of a passed height. */
  resync(): void
  stop(): void
  readonly running: number | undefined
}

export const parseBlockValue = (raw: unknown): Block => BlockSchema.parse(raw) as Block

export function createBlockConsensus(m: BlockConsensusModules): BlockConsensus {
  let current: Instance<Block> | undefined
  let previous: Instance<Block> | undefined // kept to hand laggards the DECIDED message
  let starting = false
  const buffer = new Map<number, ConsensusMessage<Block>[]>()
  let buffered = 0
  let stopped = false
  const signer = ed25519VoteSigner(m.selfId, m.ed25519Seed)

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
          validateValue: (h, v) => m.validateBlock(h, v),
          decide: async (h, v, cert) => { await decided(h, v, cert) },
          onEvidence: (e) => m.onEvidence(e),
        },
        transport: { broadcast: (msg) => m.publish(encodeConsensusMessage(msg)) },
        signer, store: m.store, clock: m.clock,
      })
      previous?.stop()
      previous = current
      current = inst
      const queued = buffer.get(height) ?? []
      buffer.delete(height)
      buffered -= queued.length
      await inst.input(m.buildProposal(height))
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

  return {
    get running() { return current?.height },
    onSlot() {
      if (stopped) return
      const h = m.nextHeight()
      if (!current || current.height < h) void start(h)
    },
    receive(bytes, from) {
      if (stopped) return
      let msg: ConsensusMessage<Block>
      try {
        msg = decodeConsensusMessage(bytes, parseBlockValue)
      } catch {
        return
      }
      const h = heightOf(msg)
      const next = m.nextHeight()
      if (current && h === current.height) { void current.deliver(msg); return }
      if (previous && h === previous.height) { void previous.deliver(msg); return }
      if (h < next) return
      if (h > next) m.onBehind(from, h)
      if (h > next + MAX_HEIGHTS_AHEAD || buffered >= MAX_BUFFERED_MESSAGES) return
      const l = buffer.get(h) ?? []
      l.push(msg)
      buffer.set(h, l)
      buffered++
      if (h === next) void start(h)
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
