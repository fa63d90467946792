// Wire format of consensus messages: canonical DAG-CBOR, schema-checked with zod where it enters.
// The value type is the caller's: `parseValue` validates the decoded value (throw to reject).
import { z } from 'zod'
import { decode, encode } from '../../core/encoding.ts'
import { AgoraError } from '../../core/errors.ts'
import { type ConsensusMessage, LIMITS, type SignedVote } from './types.ts'

/** Hard cap on an encoded message (justifications of 1024 validators fit well below it). */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024

const bytes = (max: number) => z.instanceof(Uint8Array).refine((b) => b.length <= max, `at most ${max} bytes`)
const int = z.number().int().min(-1).max(Number.MAX_SAFE_INTEGER)

const voteSchema = z.object({
  instance: z.string().max(LIMITS.maxInstanceLength),
  height: int.min(0),
  round: int.min(0).max(LIMITS.maxRound),
  type: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]),
  valueHash: bytes(64),
  preparedRound: int,
  preparedValueHash: bytes(64),
}).strict()

const signedVoteSchema = z.object({ vote: voteSchema, signer: z.string().min(1).max(256), signature: bytes(128) }).strict()

const certificateSchema = z.object({
  instance: z.string().max(LIMITS.maxInstanceLength),
  height: int.min(0),
  round: int.min(0).max(LIMITS.maxRound),
  valueHash: bytes(64),
  commits: z.array(z.object({ signer: z.string().min(1).max(256), signature: bytes(128) }).strict()).max(LIMITS.maxValidators),
}).strict()

const wireSchema = z.union([
  z.object({ kind: z.literal('vote'), signed: signedVoteSchema, value: z.unknown().optional(), justification: z.array(signedVoteSchema).max(LIMITS.maxJustification) }).strict(),
  z.object({ kind: z.literal('decided'), value: z.unknown(), certificate: certificateSchema }).strict(),
])

export function encodeConsensusMessage<V>(message: ConsensusMessage<V>, encodeValue: (v: V) => unknown = (v) => v): Uint8Array {
  const wire = message.kind === 'vote'
    ? { ...message, value: message.value === undefined ? undefined : encodeValue(message.value) }
    : { ...message, value: encodeValue(message.value) }
  return encode(wire)
}

export function decodeConsensusMessage<V>(data: Uint8Array, parseValue: (raw: unknown) => V): ConsensusMessage<V> {
  if (data.length > MAX_MESSAGE_BYTES) throw new AgoraError('BAD_MESSAGE', `consensus message of ${data.length} bytes exceeds ${MAX_MESSAGE_BYTES}`)
  const parsed = wireSchema.safeParse(decode(data))
  if (!parsed.success) throw new AgoraError('BAD_MESSAGE', `consensus message: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`)
  const m = parsed.data
  let value: V | undefined
  try {
    value = m.value === undefined ? undefined : parseValue(m.value)
  } catch (e) {
    throw new AgoraError('BAD_MESSAGE', `consensus message value: ${(e as Error).message}`)
  }
  if (m.kind === 'decided') {
    if (value === undefined) throw new AgoraError('BAD_MESSAGE', 'decided message without a value')
    return { kind: 'decided', value, certificate: m.certificate }
  }
  const justification: SignedVote[] = m.justification
  return { kind: 'vote', signed: m.signed, ...(value === undefined ? {} : { value }), justification }
}
