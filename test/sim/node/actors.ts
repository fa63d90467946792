// Actors around the nodes: honest miners submitting real payloads for the bundled challenges (good,
// weak and invalid ones, as the devnet miners do), a spammer publishing garbage and invalid transactions
// on every topic, and the equivocation wrapper that makes a validator sign a second value for a vote.
import { cidOfBytes, encode } from '../../../core/encoding.ts'
import { sha256 } from '../../../core/hash.ts'
import type { NodeKeys } from '../../../core/crypto/keys.ts'
import { tspPayloads, powSearch, powPayloads } from '../../../challenges/payloads.ts'
import { challengeSeed } from '../../../validator/core/evaluator.ts'
import { signTx } from '../../../ledger/txs.ts'
import { ALL_TOPICS, Topic, type TopicName } from '../../../validator/infra/p2p/constants.ts'
import { decodeConsensusMessage, encodeConsensusMessage, ed25519VoteSigner, MsgType, type ConsensusMessage, type Vote } from '../../../validator/consensus/index.ts'
import type { Rng } from '../prng.ts'
import type { SimHost, SimNetwork } from './network.ts'

/** Payload variants per challenge, computed once per process (the pow search is the slow part). */
let variants: { challenge: string; bytes: Uint8Array }[] | undefined
function payloadVariants(): { challenge: string; bytes: Uint8Array }[] {
  if (variants) return variants
  const tsp = challengeSeed('tsp'), pow = challengeSeed('pow')
  const rotations = [0, 7, 13, 29].map((by) => rotateTour(tspPayloads.good(tsp), by))
  variants = [
    ...rotations.map((bytes) => ({ challenge: 'tsp', bytes })),
    { challenge: 'tsp', bytes: tspPayloads.nearestNeighbour(tsp) },
    { challenge: 'tsp', bytes: tspPayloads.duplicateCity() },
    ...[6, 8, 10].map((bits) => ({ challenge: 'pow', bytes: powSearch(pow, bits).nonce })),
    { challenge: 'pow', bytes: powPayloads.tooLong() },
  ]
  return variants
}

function rotateTour(tour: Uint8Array, by: number): Uint8Array {
  const n = tour.length / 2
  const out = new Uint8Array(tour.length)
  for (let i = 0; i < n; i++) { const j = (i + by) % n; out[2 * i] = tour[2 * j]!; out[2 * i + 1] = tour[2 * j + 1]! }
  return out
}

/** Deliver a value on `topic` to every live validator, as a client outside the mesh would. */
function inject(net: SimNetwork, from: string, sender: Uint8Array, topic: TopicName, value: unknown, seq: number): void {
  const any = [...net.hosts.values()].find((h) => h.up)
  any?.emit(topic, value, sender, undefined, { from, seq })
}

/** An honest miner: one submission for a random variant every few slots. */
export function minerAction(net: SimNetwork, rng: Rng, keys: NodeKeys, round: number): void {
  const v = rng.pick(payloadVariants())
  const body = { type: 'Submission', sender: keys.peerId, nonce: round + 1, challenge: v.challenge, payloadCid: cidOfBytes(v.bytes), payloadBytes: v.bytes.length }
  inject(net, keys.peerId, keys.ed25519PublicKey, Topic.submissions, { tx: signTx(keys.ed25519Seed, keys.ed25519PublicKey, body), payload: v.bytes }, round + 1)
}

/** A spammer: garbage, transactions with bad signatures, submissions without payload, replayed nonces. */
export function spamAction(net: SimNetwork, rng: Rng, keys: NodeKeys, round: number): void {
  const topic = rng.pick(ALL_TOPICS)
  const junk = new Uint8Array(rng.range(0, 64)).map(() => rng.int(256))
  const body = { type: 'Submission', sender: keys.peerId, nonce: 1, challenge: 'tsp', payloadCid: cidOfBytes(junk), payloadBytes: junk.length }
  const tx = signTx(keys.ed25519Seed, keys.ed25519PublicKey, body)
  const values: unknown[] = [
    junk,
    { tx: { ...tx, signature: sha256(junk).slice(0, 32) } },
    { tx },
    { tx, payload: junk },
    { kind: rng.pick(['weights', 'checkpoint']), epoch: rng.int(4), valueHash: 'ff', signature: '00' },
  ]
  inject(net, keys.peerId, keys.ed25519PublicKey, topic, rng.pick(values), 1_000_000 + round)
}

const parse = (raw: unknown) => raw
/**
 * Equivocation: every PREPARE this validator sends goes to half its peers, and a second PREPARE for
 * another value (validly signed) to the rest. Byzantine under < 1/3 power; a planted bug if honest.
 */
export function equivocate(host: SimHost, keys: NodeKeys, rng: Rng): void {
  const signer = ed25519VoteSigner(keys.peerId, keys.ed25519Seed)
  host.outgoing = (topic, value) => {
    if (topic !== Topic.consensus || !(value instanceof Uint8Array)) return [{ value }]
    let msg: ConsensusMessage<unknown>
    try { msg = decodeConsensusMessage(value, parse) } catch { return [{ value }] }
    if (msg.kind !== 'vote' || msg.signed.vote.type !== MsgType.PREPARE) return [{ value }]
    const vote: Vote = { ...msg.signed.vote, valueHash: sha256(encode(['other', msg.signed.vote.valueHash])) }
    const other = encodeConsensusMessage({ ...msg, signed: { vote, signer: keys.peerId, signature: signer.sign(vote) } })
    const half = new Set([...host.net.hosts.keys()].filter(() => rng.chance(0.5)))
    return [{ value, to: (p) => !half.has(p) }, { value: other, to: (p) => half.has(p) }]
  }
}
