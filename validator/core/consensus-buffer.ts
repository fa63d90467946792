// Verified consensus messages for heights we have not started yet (a few ahead of ours), bounded in
// total and per signer per height, so a flood for one height cannot push out everybody else's votes.
import type { ConsensusMessage } from '../consensus/index.ts'
import type { Block } from '../../ledger/block.ts'
import { CONSENSUS_BUFFER_MAX, CONSENSUS_BUFFER_PER_SIGNER } from './limits.ts'
import { ConsensusError, ConsensusErrorCode } from './consensus-message.ts'

export interface ConsensusBuffer {
  /** Keep `msg` for height `h`, or say why not (always Ignore: a full buffer is our state). */
  add(msg: ConsensusMessage<Block>, h: number): ConsensusError | undefined
  /** Whether some message is kept for `h`. */
  has(h: number): boolean
  /** The messages kept for `h`, removed from the buffer. */
  take(h: number): ConsensusMessage<Block>[]
  /** Forget every height below `next` (decided, or passed by sync). */
  dropBelow(next: number): void
}

const signerOf = (msg: ConsensusMessage<Block>): string => (msg.kind === 'vote' ? msg.signed.signer : '')
const full = (message: string) => new ConsensusError(ConsensusErrorCode.BUFFER_FULL, message, 'ignore')

export function createConsensusBuffer(): ConsensusBuffer {
  const buffer = new Map<number, ConsensusMessage<Block>[]>()
  let buffered = 0
  return {
    add(msg, h) {
      if (buffered >= CONSENSUS_BUFFER_MAX) return full(`${buffered} messages buffered`)
      const l = buffer.get(h) ?? []
      const who = signerOf(msg)
      if (l.filter((x) => signerOf(x) === who).length >= CONSENSUS_BUFFER_PER_SIGNER) {
        return full(`${who || 'decided'} has ${CONSENSUS_BUFFER_PER_SIGNER} messages buffered for height ${h}`)
      }
      l.push(msg)
      buffer.set(h, l)
      buffered++
      return undefined
    },
    has: (h) => buffer.has(h),
    take(h) {
      const queued = buffer.get(h) ?? []
      buffer.delete(h)
      buffered -= queued.length
      return queued
    },
    dropBelow(next) {
      for (const h of [...buffer.keys()]) if (h < next) { buffered -= buffer.get(h)!.length; buffer.delete(h) }
    },
  }
}
