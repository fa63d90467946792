// Agora gossip over gossipsub: publishes signed envelopes and validates every received one before it is
// delivered or forwarded. Structural faults (size, format, signature) are Reject — which costs the
// forwarding peer score — while duplicates, stale messages and rate-limited peers or signers are Ignore.
// A subscriber's cheap `precheck` runs before the envelope signature is verified, its `validate` last.
// Transaction topics wait their turn in a validation queue, within a share of the node's time, so their
// bursts never delay consensus nor take the CPU a slot's votes and import need.
import { TopicValidatorResult, type GossipSub, type Message } from '@libp2p/gossipsub'
import { decode, encode } from '../../../core/encoding.ts'
import { sha256 } from '../../../core/hash.ts'
import { toHex } from '../../../core/bytes.ts'
import { AgoraError, errorMessage } from '../../../core/errors.ts'
import type { Clock } from '../../../core/clock.ts'
import {
  DEFAULT_MAX_CLOCK_SKEW_MS, DEFAULT_MAX_MESSAGE_AGE_MS, DEFAULT_PEER_RATES, DEFAULT_SIGNER_RATES, DEFAULT_TOPIC_SIZE_CAP,
  DEFAULT_VALIDATION_SHARE, QUEUED_TOPIC_PRIORITY, SEEN_CACHE_SIZE, Topic, VALIDATION_QUEUE_MAX, VALIDATION_QUEUE_MAX_BYTES, ALL_TOPICS, isTopic, type TopicName,
} from './constants.ts'
import { EnvelopeError, encodeEnvelope, parseEnvelope, signEnvelope, verifyEnvelopeSignature, type GossipEnvelope } from './envelope.ts'
import { createRateLimiter, createSeenSet, type RateLimit } from './rate-limit.ts'
import { createValidationQueue, type ValidationShare } from './validation-queue.ts'

export type Verdict = 'accept' | 'ignore' | 'reject'

export interface ContentVerdict { readonly verdict: Verdict; readonly code: string }

export interface MessageContext {
  /** Peer id of the peer that forwarded the message to us (not necessarily its author). */
  readonly from: string
  /** Hex sha256 of the envelope bytes: the gossip message id. */
  readonly msgId: string
}

export interface TopicHandler {
  /**
   * Who a message's signer rate limit is charged to; default: the key that signed the transaction in a
   * `{ tx: SignedTx }` payload, else the envelope's author (hex ed25519 key).
   */
  rateKey?(env: GossipEnvelope): string
  /**
   * Cheap checks on an envelope whose signature is not verified yet (e.g. "already have it", "no fee"):
   * a refusal here must be Ignore, or Reject only for a fault of the bytes themselves. Undefined: go on.
   */
  precheck?(env: GossipEnvelope): ContentVerdict | undefined
  /**
   * Content checks after the envelope checks passed; a verdict, or a verdict with the refusal's code
   * (reported as the reason). A thrown error counts as 'ignore'.
   */
  validate?(env: GossipEnvelope, ctx: MessageContext): Verdict | ContentVerdict | Promise<Verdict | ContentVerdict>
  /** Called once per accepted message (never for our own publications). */
  onMessage(env: GossipEnvelope, ctx: MessageContext): void
}

export interface VerdictEvent extends MessageContext {
  readonly topic: string
  readonly verdict: Verdict
  /**
   * Stable reason code: 'ok', an EnvelopeFault, 'peer-rate-limited', 'duplicate', 'stale', 'future',
   * 'rate-limited', 'content', 'validator-error', or the content check's own code.
   */
  readonly reason: string
  /** Hex ed25519 key of the author when the envelope decoded. */
  readonly sender?: string
}

export interface GossipOptions {
  /** Our ed25519 seed: signs the envelopes we publish. */
  readonly seed: Uint8Array
  readonly clock: Clock
  readonly sizeCaps?: Partial<Record<TopicName, number>>
  /** Signer rate on /agora/1/submissions (shorthand for `signerRates[submissions]`). */
  readonly submissionRate?: RateLimit
  /** Per tx-signer rates by topic (see DEFAULT_SIGNER_RATES); a topic absent here has none. */
  readonly signerRates?: Partial<Record<TopicName, RateLimit>>
  /** Per forwarding-peer rates by topic (see DEFAULT_PEER_RATES). */
  readonly peerRates?: Partial<Record<TopicName, RateLimit>>
  readonly maxMessageAgeMs?: number
  readonly maxClockSkewMs?: number
  /** Messages waiting for a validation turn, per queued topic; past it, Ignore `busy`. */
  readonly validationQueueMax?: number
  /** Share of the node's time each queued topic may spend in validation (see DEFAULT_VALIDATION_SHARE). */
  readonly validationShares?: Partial<Record<TopicName, ValidationShare>>
}

/** The gossipsub service plus the scoring accessors its implementation has (not in its interface). */
export type GossipsubService = GossipSub & {
  getScore(peerId: string): number
  getMeshPeers(topic: string): string[]
}

export interface AgoraGossip {
  subscribe(topic: TopicName, handler: TopicHandler): void
  unsubscribe(topic: TopicName): void
  /** Sign `value` (canonical CBOR) in an envelope and publish it; returns the envelope and recipients. */
  publish(topic: TopicName, value: unknown): Promise<{ envelope: GossipEnvelope; recipients: number }>
  /** Publish an envelope someone else signed (e.g. a miner's submission received over GraphQL). */
  publishEnvelope(env: GossipEnvelope): Promise<{ recipients: number }>
  /** Observe every validation verdict (metrics, tests). Returns an unsubscribe function. */
  onVerdict(cb: (e: VerdictEvent) => void): () => void
  peerScore(peerId: string): number
  meshPeers(topic: TopicName): string[]
  subscribers(topic: TopicName): string[]
}

/**
 * The gossip message id: sha256 of the envelope bytes (docs/PROTOCOL.md), hashed natively: every copy a
 * peer forwards is hashed before gossipsub knows it is a duplicate, and the pure-JS hash of a 4 KB post
 * was the largest single cost in a node's profile under the spam soak.
 */
export const gossipMessageId = (data: Uint8Array): Uint8Array => sha256(data)

type Judged = { verdict: Verdict; reason: string; env?: GossipEnvelope }

const RESULT: Record<Verdict, TopicValidatorResult> = {
  accept: TopicValidatorResult.Accept,
  ignore: TopicValidatorResult.Ignore,
  reject: TopicValidatorResult.Reject,
}

export function createAgoraGossip(opts: GossipOptions, modules: { pubsub: GossipsubService }): AgoraGossip {
  const { pubsub } = modules
  const caps = { ...DEFAULT_TOPIC_SIZE_CAP, ...opts.sizeCaps }
  const maxAge = opts.maxMessageAgeMs ?? DEFAULT_MAX_MESSAGE_AGE_MS
  const maxSkew = opts.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS
  const signerRates = { ...DEFAULT_SIGNER_RATES, ...(opts.submissionRate ? { [Topic.submissions]: opts.submissionRate } : {}), ...opts.signerRates }
  const peerRates = { ...DEFAULT_PEER_RATES, ...opts.peerRates }
  const signerLimiters = new Map<string, ReturnType<typeof createRateLimiter>>()
  const peerLimiters = new Map<string, ReturnType<typeof createRateLimiter>>()
  for (const [t, r] of Object.entries(signerRates)) if (r) signerLimiters.set(t, createRateLimiter(r, opts.clock))
  for (const [t, r] of Object.entries(peerRates)) peerLimiters.set(t, createRateLimiter(r, opts.clock))
  const seen = createSeenSet(SEEN_CACHE_SIZE)
  const shares = { ...DEFAULT_VALIDATION_SHARE, ...opts.validationShares }
  const classShares = Array.from({ length: Math.max(...Object.values(QUEUED_TOPIC_PRIORITY)) + 1 }, (_, k) =>
    shares[ALL_TOPICS.find((t) => QUEUED_TOPIC_PRIORITY[t] === k)!])
  const queue = createValidationQueue(classShares, { messages: opts.validationQueueMax ?? VALIDATION_QUEUE_MAX, bytes: VALIDATION_QUEUE_MAX_BYTES }, opts.clock)
  const handlers = new Map<string, TopicHandler>()
  const accepted = new WeakMap<Message, { env: GossipEnvelope; msgId: string }>()
  const listeners = new Set<(e: VerdictEvent) => void>()
  let nextSeq = opts.clock.now()

  const emit = (e: VerdictEvent): void => {
    for (const l of listeners) {
      try { l(e) } catch { /* an observer must not change a verdict */ }
    }
  }

  /** The door: size and the forwarding peer's rate, then (transaction topics) a validation turn. */
  async function judge(topic: string, msg: Message, ctx: MessageContext): Promise<Judged> {
    if (!isTopic(topic)) return { verdict: 'reject', reason: 'unknown-topic' }
    if (msg.data.length > caps[topic]) return { verdict: 'reject', reason: 'oversize' }
    // Before decoding or verifying anything: a peer over its rate costs us almost nothing.
    if (peerLimiters.get(topic)?.take(ctx.from) === false) return { verdict: 'ignore', reason: 'peer-rate-limited' }
    const klass = QUEUED_TOPIC_PRIORITY[topic]
    if (klass === undefined) return examine(topic, msg, ctx)
    const turn = await queue.turn(klass, msg.data.length)
    if (!turn) return { verdict: 'ignore', reason: 'busy' }
    try {
      return await examine(topic, msg, ctx)
    } finally {
      turn.done() // the time this message took is charged to its topic's share
    }
  }

  /** The envelope, then the topic's checks (docs/PROTOCOL.md §3.4, from step 3). */
  async function examine(topic: TopicName, msg: Message, ctx: MessageContext): Promise<Judged> {
    let env: GossipEnvelope
    try {
      env = parseEnvelope(msg.data, topic, caps[topic])
    } catch (e) {
      if (e instanceof EnvelopeError) return { verdict: 'reject', reason: e.fault }
      return { verdict: 'reject', reason: 'malformed' }
    }
    const now = opts.clock.now()
    if (env.time + maxAge < now) return { verdict: 'ignore', reason: 'stale', env }
    if (env.time > now + maxSkew) return { verdict: 'ignore', reason: 'future', env }
    const key = `${topic}|${toHex(env.sender)}|${env.seq}`
    if (seen.has(key)) return { verdict: 'ignore', reason: 'duplicate', env }
    const handler = handlers.get(topic)
    try {
      const early = handler?.precheck?.(env)
      if (early) return { verdict: early.verdict === 'reject' ? 'reject' : 'ignore', reason: early.code, env }
    } catch {
      return { verdict: 'ignore', reason: 'validator-error', env }
    }
    try {
      verifyEnvelopeSignature(env)
    } catch (e) {
      return { verdict: 'reject', reason: e instanceof EnvelopeError ? e.fault : 'malformed' }
    }
    // Marked seen only once signed: a forged copy cannot shadow the real (sender, seq).
    seen.add(key)
    const signerLimiter = signerLimiters.get(topic)
    if (signerLimiter && !signerLimiter.take(handler?.rateKey?.(env) ?? txSignerKey(env))) {
      return { verdict: 'ignore', reason: 'rate-limited', env }
    }
    if (handler?.validate) {
      try {
        const r = await handler.validate(env, ctx)
        const v = typeof r === 'string' ? { verdict: r, code: 'content' } : r
        if (v.verdict !== 'accept') return { verdict: v.verdict === 'reject' ? 'reject' : 'ignore', reason: v.code, env }
      } catch {
        return { verdict: 'ignore', reason: 'validator-error', env }
      }
    }
    return { verdict: 'accept', reason: 'ok', env }
  }

  const validator = (topic: string) => async (peer: { toString(): string }, msg: Message): Promise<TopicValidatorResult> => {
    const ctx: MessageContext = { from: peer.toString(), msgId: toHex(gossipMessageId(msg.data)) }
    let result: Judged
    try {
      result = await judge(topic, msg, ctx)
    } catch {
      result = { verdict: 'ignore', reason: 'validator-error' }
    }
    if (result.verdict === 'accept' && result.env) accepted.set(msg, { env: result.env, msgId: ctx.msgId })
    emit({ ...ctx, topic, verdict: result.verdict, reason: result.reason, sender: result.env ? toHex(result.env.sender) : undefined })
    return RESULT[result.verdict]
  }

  pubsub.addEventListener('gossipsub:message', (evt) => {
    const { msg, propagationSource } = evt.detail
    const a = accepted.get(msg)
    const handler = handlers.get(msg.topic)
    if (!a || !handler) return
    accepted.delete(msg)
    try {
      handler.onMessage(a.env, { from: propagationSource.toString(), msgId: a.msgId })
    } catch { /* a subscriber's bug must not break the gossip loop */ }
  })

  async function send(topic: TopicName, data: Uint8Array): Promise<number> {
    if (data.length > caps[topic]) throw new AgoraError('GOSSIP_OVERSIZE', `message of ${data.length} bytes exceeds the ${topic} cap of ${caps[topic]}`)
    try {
      const r = await pubsub.publish(topic, data)
      return r.recipients.length
    } catch (e) {
      throw new AgoraError('GOSSIP_PUBLISH', `publish on ${topic}: ${errorMessage(e)}`)
    }
  }

  return {
    subscribe(topic, handler) {
      handlers.set(topic, handler)
      pubsub.topicValidators.set(topic, validator(topic))
      pubsub.subscribe(topic)
    },
    unsubscribe(topic) {
      handlers.delete(topic)
      pubsub.topicValidators.delete(topic)
      pubsub.unsubscribe(topic)
    },
    async publish(topic, value) {
      nextSeq = Math.max(nextSeq + 1, opts.clock.now())
      const envelope = signEnvelope(opts.seed, { topic, seq: nextSeq, time: opts.clock.now(), payload: encode(value) })
      seen.add(`${topic}|${toHex(envelope.sender)}|${envelope.seq}`)
      return { envelope, recipients: await send(topic, encodeEnvelope(envelope)) }
    },
    async publishEnvelope(env) {
      seen.add(`${env.topic}|${toHex(env.sender)}|${env.seq}`)
      return { recipients: await send(env.topic, encodeEnvelope(env)) }
    },
    onVerdict(cb) {
      listeners.add(cb)
      return () => { listeners.delete(cb) }
    },
    peerScore: (peerId) => pubsub.getScore(peerId),
    meshPeers: (topic) => pubsub.getMeshPeers(topic),
    subscribers: (topic) => pubsub.getSubscribers(topic).map((p) => p.toString()),
  }
}

/** The signer a message's rate is charged to: the tx's key in a `{ tx }` payload, else the envelope's author. */
export function txSignerKey(env: GossipEnvelope): string {
  try {
    const p = decode<{ tx?: { publicKey?: unknown } }>(env.payload)
    const k = p?.tx?.publicKey
    if (k instanceof Uint8Array && k.length === 32) return toHex(k)
  } catch { /* not decodable: the content check rejects it */ }
  return toHex(env.sender)
}
