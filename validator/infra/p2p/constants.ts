// Protocol constants of the Agora network layer: topic names, protocol ids, DHT namespaces and every
// size, rate and time limit, named in one place (docs/PROTOCOL.md documents the same table).
import { Domain, type SigningDomain } from '../../../core/crypto/sign.ts'

const KiB = 1024
const MiB = 1024 * KiB

export const Topic = {
  submissions: '/agora/1/submissions',
  consensus: '/agora/1/consensus',
  evaluations: '/agora/1/evaluations',
  forum: '/agora/1/forum',
  parsig: '/agora/1/parsig',
} as const
export type TopicName = (typeof Topic)[keyof typeof Topic]
export const ALL_TOPICS: readonly TopicName[] = Object.values(Topic)

export function isTopic(t: string): t is TopicName {
  return (ALL_TOPICS as readonly string[]).includes(t)
}

/** Signing domain of each topic's envelopes: a signature for one topic never verifies on another. */
export const TOPIC_DOMAIN: Readonly<Record<TopicName, SigningDomain>> = {
  [Topic.submissions]: Domain.gossipSubmissions,
  [Topic.consensus]: Domain.gossipConsensus,
  [Topic.evaluations]: Domain.gossipEvaluations,
  [Topic.forum]: Domain.gossipForum,
  [Topic.parsig]: Domain.gossipParsig,
}

/** Largest encoded envelope (bytes on the wire) accepted per topic; larger is Reject. */
export const DEFAULT_TOPIC_SIZE_CAP: Readonly<Record<TopicName, number>> = {
  [Topic.submissions]: 256 * KiB,
  [Topic.consensus]: 1 * MiB,
  [Topic.evaluations]: 256 * KiB,
  [Topic.forum]: 64 * KiB,
  [Topic.parsig]: 16 * KiB,
}

export const ENVELOPE_VERSION = 1
/** Envelopes older than this (by their `time` field) are Ignore: replays after the seen-cache expiry. */
export const DEFAULT_MAX_MESSAGE_AGE_MS = 5 * 60_000
/** Envelopes dated further ahead than this are Ignore (clock skew allowance). */
export const DEFAULT_MAX_CLOCK_SKEW_MS = 30_000
/** Remembered (sender, seq) pairs for duplicate detection. */
export const SEEN_CACHE_SIZE = 65_536
/** Per-signer token bucket on /agora/1/submissions: a miner cannot flood the network. */
export const DEFAULT_SUBMISSION_RATE = { perSecond: 20, burst: 40 } as const
/**
 * Token buckets per transaction signer (the key that signed the tx inside the payload, else the
 * envelope's author): a client cannot spend a relaying validator's budget, and a validator relaying many
 * clients is not limited as one. Consensus and parsig carry votes of the fixed set: no signer limit.
 */
export const DEFAULT_SIGNER_RATES: Readonly<Partial<Record<TopicName, { readonly perSecond: number; readonly burst: number }>>> = {
  [Topic.submissions]: DEFAULT_SUBMISSION_RATE,
  [Topic.forum]: { perSecond: 5, burst: 20 },
  [Topic.evaluations]: { perSecond: 5, burst: 20 },
}
/**
 * Token buckets per forwarding peer and topic, checked before any decoding or signature check: one
 * connection cannot make us verify without bound, and spam on one topic never uses another's budget.
 * Far above honest traffic (a peer forwards the whole network's messages).
 */
export const DEFAULT_PEER_RATES: Readonly<Record<TopicName, { readonly perSecond: number; readonly burst: number }>> = {
  [Topic.submissions]: { perSecond: 200, burst: 400 },
  [Topic.consensus]: { perSecond: 1_000, burst: 2_000 },
  [Topic.evaluations]: { perSecond: 200, burst: 400 },
  [Topic.forum]: { perSecond: 200, burst: 400 },
  [Topic.parsig]: { perSecond: 200, burst: 400 },
}
/**
 * Topics validated in turns, one message per event-loop turn, lower number first (evaluations make scores
 * final, submissions are the miners', forum posts anyone's). Consensus and parsig are absent: they are
 * validated at once, so a burst of transactions never delays a vote.
 */
export const QUEUED_TOPIC_PRIORITY: Readonly<Partial<Record<TopicName, number>>> = {
  [Topic.evaluations]: 0,
  [Topic.submissions]: 1,
  [Topic.forum]: 2,
}
/**
 * Messages waiting for a validation turn, per queued topic; past it Ignore (`busy`). A tx refused by its
 * precheck costs ~0.2 ms and an admitted one ~2.5 ms (two ed25519 verifications): a queue of spam is a
 * fraction of a second of work, and the free quota (mempool-policy.ts) caps how much of it is ever admitted.
 */
export const VALIDATION_QUEUE_MAX = 1_024
/** Bytes waiting per queued topic (a bound on the queue's memory: 1,024 submissions at their cap would be 256 MiB). */
export const VALIDATION_QUEUE_MAX_BYTES = 16 * MiB
/**
 * Share of the node's wall time (ppm, and the most it may save up) each queued topic may spend in
 * validation; past it, its messages wait (up to VALIDATION_QUEUE_MAX, then `busy`). Every validator checks
 * every post: under the spam soak (4 nodes and the load on 2 cores) each node spent ~0.3 of a core on the
 * burst, and the slot's proposal, votes and import waited for the CPU (heights took 1.5–2 slots). Wall time,
 * not CPU time, is charged: on a loaded machine a validation takes longer and the topic backs off. An
 * admitted fat post costs ~1.5 ms on an idle core (two ed25519 verifications, decoding), so at 10 % a node
 * still admits ~60 a second, more than 128 KiB blocks carry (~30 a slot at 1 s slots). Evaluations are the
 * validators' own duty (few, from the set): not metered.
 */
export const DEFAULT_VALIDATION_SHARE: Readonly<Partial<Record<TopicName, { readonly ppm: number; readonly burstMs: number }>>> = {
  [Topic.submissions]: { ppm: 200_000, burstMs: 400 },
  [Topic.forum]: { ppm: 100_000, burstMs: 200 },
}

// ---- DHT -----------------------------------------------------------------------------------------
export const DHT_PROTOCOL = '/agora/kad/1.0.0'
export const CKPT_NAMESPACE = 'agora-ckpt'
export const BLOB_NAMESPACE = 'agora-blob'
/** Key under which every node keeps the highest-epoch certified checkpoint it has seen. */
export const CKPT_LATEST = 'latest'
export const MAX_CHECKPOINT_RECORD = 256 * KiB
/** Blobs up to this size are stored as DHT values; larger ones only via providers + /agora/sync/blob. */
export const MAX_DHT_BLOB = 1 * MiB
/** Largest blob the network moves at all (payloads, modules, state chunks). */
export const MAX_BLOB = 16 * MiB

// ---- request/response ----------------------------------------------------------------------------
export const Protocol = {
  blocks: '/agora/sync/blocks/1.0.0',
  blob: '/agora/sync/blob/1.0.0',
  state: '/agora/sync/state/1.0.0',
} as const
export type ProtocolId = (typeof Protocol)[keyof typeof Protocol]

export const MAX_REQUEST_BYTES = 4 * KiB
/** Each response frame carries at most this many bytes (a blob is split into frames of this size). */
export const MAX_FRAME_BYTES = 1 * MiB
/** Total bytes of one response, headers included. */
export const MAX_RESPONSE_BYTES = MAX_BLOB + 64 * KiB
export const MAX_BLOCKS_PER_REQUEST = 64
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000
/** Server side: time allowed for the requester to send its request frame. */
export const REQUEST_READ_TIMEOUT_MS = 5_000
/** Per-peer, per-protocol token bucket for inbound requests. */
export const DEFAULT_REQUEST_RATE = { perSecond: 20, burst: 40 } as const
