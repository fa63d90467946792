// Signed gossip envelopes: {v, topic, sender, seq, time, payload, sig} in canonical DAG-CBOR, signed
// with ed25519 under the topic's domain. Pure checks here (format, canonical bytes, size, signature);
// freshness, duplicates, rate limits and content checks happen in gossip.ts.
import { z } from 'zod'
import { encode, decode } from '../../../core/encoding.ts'
import { equalBytes } from '../../../core/bytes.ts'
import { signEd25519, verifyEd25519, ed25519PublicKey } from '../../../core/crypto/sign.ts'
import { ENVELOPE_VERSION, TOPIC_DOMAIN, isTopic, type TopicName } from './constants.ts'

export interface GossipEnvelope {
  readonly v: number
  readonly topic: TopicName
  /** ed25519 public key (32 bytes) of the author; not necessarily the forwarding peer. */
  readonly sender: Uint8Array
  /** Unique per sender (recommended: start at unix ms, then increment). */
  readonly seq: number
  /** Author's clock, unix ms; used only for the freshness window. */
  readonly time: number
  /** Canonical DAG-CBOR of the topic's message; its schema belongs to the subscriber. */
  readonly payload: Uint8Array
  readonly sig: Uint8Array
}

export type UnsignedEnvelope = Omit<GossipEnvelope, 'sig'>

const bytes = (len?: number) =>
  z.instanceof(Uint8Array).refine((b) => len === undefined || b.length === len, `expected ${len} bytes`)
const uint = z.number().int().nonnegative().refine(Number.isSafeInteger, 'unsafe integer')

const EnvelopeSchema = z.object({
  v: z.literal(ENVELOPE_VERSION),
  topic: z.string().refine(isTopic, 'unknown topic'),
  sender: bytes(32),
  seq: uint,
  time: uint,
  payload: bytes(),
  sig: bytes(64),
}).strict()

/** Why an envelope failed a structural check; every one of these is a Reject. */
export type EnvelopeFault = 'oversize' | 'malformed' | 'non-canonical' | 'wrong-topic' | 'bad-signature'

export class EnvelopeError extends Error {
  constructor(readonly fault: EnvelopeFault, message: string) {
    super(message)
    this.name = 'EnvelopeError'
  }
}

function signedPart(e: UnsignedEnvelope): UnsignedEnvelope {
  return { v: e.v, topic: e.topic, sender: e.sender, seq: e.seq, time: e.time, payload: e.payload }
}

export function signEnvelope(seed: Uint8Array, msg: { topic: TopicName; seq: number; time: number; payload: Uint8Array }): GossipEnvelope {
  const unsigned: UnsignedEnvelope = { v: ENVELOPE_VERSION, topic: msg.topic, sender: ed25519PublicKey(seed), seq: msg.seq, time: msg.time, payload: msg.payload }
  return { ...unsigned, sig: signEd25519(seed, TOPIC_DOMAIN[msg.topic], signedPart(unsigned)) }
}

export const encodeEnvelope = (e: GossipEnvelope): Uint8Array => encode({ ...signedPart(e), sig: e.sig })

/**
 * Decode and check wire bytes received on `topic`: size cap, schema, canonical encoding (one byte
 * string per message, so ids cannot be malleated), topic binding, canonical payload, signature.
 */
export function openEnvelope(data: Uint8Array, topic: string, sizeCap: number): GossipEnvelope {
  const env = parseEnvelope(data, topic, sizeCap)
  verifyEnvelopeSignature(env)
  return env
}

/** `openEnvelope` without the signature check (cheap checks may run before paying for it). */
export function parseEnvelope(data: Uint8Array, topic: string, sizeCap: number): GossipEnvelope {
  if (data.length > sizeCap) throw new EnvelopeError('oversize', `envelope of ${data.length} bytes exceeds ${sizeCap}`)
  let raw: unknown
  try {
    raw = decode(data)
  } catch (e) {
    throw new EnvelopeError('malformed', (e as Error).message)
  }
  const parsed = EnvelopeSchema.safeParse(raw)
  if (!parsed.success) throw new EnvelopeError('malformed', `envelope: ${parsed.error.issues[0]?.message ?? 'invalid'}`)
  const env = parsed.data as GossipEnvelope
  if (!equalBytes(encodeEnvelope(env), data)) throw new EnvelopeError('non-canonical', 'envelope is not canonically encoded')
  if (env.topic !== topic) throw new EnvelopeError('wrong-topic', `envelope for ${env.topic} received on ${topic}`)
  if (!isCanonicalCbor(env.payload)) throw new EnvelopeError('non-canonical', 'payload is not canonical DAG-CBOR')
  return env
}

export function verifyEnvelopeSignature(env: GossipEnvelope): void {
  if (!verifyEd25519(env.sender, TOPIC_DOMAIN[env.topic], signedPart(env), env.sig)) {
    throw new EnvelopeError('bad-signature', 'envelope signature does not verify')
  }
}

function isCanonicalCbor(b: Uint8Array): boolean {
  try {
    return equalBytes(encode(decode(b)), b)
  } catch {
    return false
  }
}
