// Gossipsub peer-scoring parameters for Agora: invalid (Reject) messages cost the forwarding peer
// quadratically, delivery-rate penalties are off (a small validator set is quiet most of the time), and
// loopback peers are exempt from the IP-colocation penalty so a local devnet can form a mesh.
import type { PeerScoreParams, PeerScoreThresholds, TopicScoreParams } from '@libp2p/gossipsub/score'
import { ALL_TOPICS } from './constants.ts'

/** Score change of one rejected message from a peer with a clean record (topic weight 1). */
export const INVALID_MESSAGE_WEIGHT = -10

export const LOOPBACK_IPS = ['127.0.0.1', '::1'] as const

function topicParams(): Partial<TopicScoreParams> {
  return {
    topicWeight: 1,
    timeInMeshWeight: 0.01,
    timeInMeshQuantum: 1000,
    timeInMeshCap: 100,
    firstMessageDeliveriesWeight: 1,
    firstMessageDeliveriesDecay: 0.5,
    firstMessageDeliveriesCap: 10,
    meshMessageDeliveriesWeight: 0,
    meshFailurePenaltyWeight: 0,
    invalidMessageDeliveriesWeight: INVALID_MESSAGE_WEIGHT,
    // Decays per `decayInterval` (1 s): half-life ~70 s, so a burst of bad messages is remembered.
    invalidMessageDeliveriesDecay: 0.99,
  }
}

export function agoraScoreParams(opts: { whitelistIps?: readonly string[] } = {}): Partial<PeerScoreParams> {
  return {
    topics: Object.fromEntries(ALL_TOPICS.map((t) => [t, topicParams() as TopicScoreParams])),
    IPColocationFactorWhitelist: new Set(opts.whitelistIps ?? LOOPBACK_IPS),
  }
}

export const agoraScoreThresholds: Partial<PeerScoreThresholds> = {
  gossipThreshold: -10,
  publishThreshold: -50,
  graylistThreshold: -80,
}
