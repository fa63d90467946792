// Test-only faults a node can be started with, so e2e tests can watch the network punish them: a
// dishonest evaluator (perturbed scores) and an equivocator (two conflicting signed consensus votes for one
// height). The equivocation wraps the node's Network from outside the core; nothing here runs unless
// AGORA_TEST_FAULTS=1 is set, and a node that runs one says so at error level.
import { sha256 } from '../../core/hash.ts'
import { AgoraError } from '../../core/errors.ts'
import { decodeConsensusMessage, encodeConsensusMessage } from '../consensus/codec.ts'
import { ed25519VoteSigner } from '../consensus/signing.ts'
import { MsgType, type ConsensusMessage, type SignedVote } from '../consensus/types.ts'
import { Topic } from '../infra/p2p/constants.ts'
import type { Logger } from '../infra/log.ts'
import type { Network } from '../core/interfaces.ts'

/** The environment switch without which no test fault can be enabled (a flag alone is never enough). */
export const TEST_FAULTS_ENV = 'AGORA_TEST_FAULTS'

export interface TestFaults {
  /** Report perturbed scores (outvoted and disputed). */
  readonly dishonest?: boolean
  /** Sign a second, conflicting PREPARE and COMMIT at one height (slashed by evidence). */
  readonly equivocate?: boolean
}

/**
 * The first height at which the equivocator double-signs: past the first blocks, so the network is
 * running and every peer has the height's instance (its votes are compared there).
 */
export const EQUIVOCATE_FROM_HEIGHT = 3

const enabled = (f: TestFaults): string[] => Object.entries(f).filter(([, on]) => on).map(([k]) => k)

/** Refuse test faults unless AGORA_TEST_FAULTS=1 (code TEST_FAULTS_DISABLED); returns the enabled names. */
export function checkTestFaults(f: TestFaults, env: NodeJS.ProcessEnv = process.env): string[] {
  const names = enabled(f)
  if (names.length > 0 && env[TEST_FAULTS_ENV] !== '1') {
    throw new AgoraError('TEST_FAULTS_DISABLED', `test-only faults (${names.join(', ')}) need ${TEST_FAULTS_ENV}=1 in the environment: never on a real network`)
  }
  return names
}

/** Say loudly that this node misbehaves on purpose (once at start, at error level). */
export function announceTestFaults(f: TestFaults, log: Logger): void {
  const names = enabled(f)
  if (names.length > 0) log.error({ faults: names }, 'TEST FAULTS ENABLED: this node misbehaves on purpose and will be punished')
}

/**
 * The node's network, except that at the first height ≥ EQUIVOCATE_FROM_HEIGHT the PREPARE and the COMMIT
 * it publishes are each followed by a second vote of the same (height, round, type) for another value,
 * signed with its key. One height only: the ledger records one offence per (offender, height), so the
 * node is slashed exactly once however many peers report it.
 */
export function equivocatingNetwork(net: Network, o: { readonly selfId: string; readonly ed25519Seed: Uint8Array; readonly log: Logger }): Network {
  const signer = ed25519VoteSigner(o.selfId, o.ed25519Seed)
  let target: number | undefined
  const twin = (sv: SignedVote): SignedVote => {
    // Another value: the hash of the real one, so it is a valid vote for a block nobody proposed.
    const vote = { ...sv.vote, valueHash: sha256(sv.vote.valueHash) }
    return { vote, signer: o.selfId, signature: signer.sign(vote) }
  }
  const conflicting = (bytes: Uint8Array): Uint8Array | undefined => {
    let msg: ConsensusMessage<unknown>
    try { msg = decodeConsensusMessage(bytes, (v) => v) } catch { return undefined }
    if (msg.kind !== 'vote' || msg.signed.signer !== o.selfId) return undefined
    const v = msg.signed.vote
    if (v.type !== MsgType.PREPARE && v.type !== MsgType.COMMIT) return undefined
    if (v.height < EQUIVOCATE_FROM_HEIGHT || (target !== undefined && v.height !== target)) return undefined
    target = v.height
    o.log.error({ height: v.height, round: v.round, type: v.type }, 'TEST FAULT: publishing a conflicting consensus vote')
    return encodeConsensusMessage({ kind: 'vote', signed: twin(msg.signed), justification: [] })
  }
  return {
    dht: net.dht,
    peers: () => net.peers(),
    handleBlocks: (fn) => net.handleBlocks(fn),
    handleBlobs: (fn) => net.handleBlobs(fn),
    requestBlocks: (peer, from, to, opts) => net.requestBlocks(peer, from, to, opts),
    requestBlob: (peer, cid, opts) => net.requestBlob(peer, cid, opts),
    gossip: {
      subscribe: (topic, handler) => net.gossip.subscribe(topic, handler),
      async publish(topic, value) {
        const r = await net.gossip.publish(topic, value)
        const second = topic === Topic.consensus && value instanceof Uint8Array ? conflicting(value) : undefined
        if (second) await net.gossip.publish(topic, second)
        return r
      },
    },
  }
}
