// Actors around the nodes: honest miners submitting real payloads for the bundled challenges (good,
// weak and invalid ones: the devnet miners' own, challenges/payloads.ts demoPayload), a spammer
// publishing garbage and invalid transactions on every topic, and the equivocation wrapper that makes a
// validator sign a second value for a vote.
import { cidOfBytes, encode } from '../../../core/encoding.ts'
import { sha256 } from '../../../core/hash.ts'
import type { NodeKeys } from '../../../core/crypto/keys.ts'
import { fromHex } from '../../../core/bytes.ts'
import { demoPayload } from '../../../challenges/payloads.ts'
import { challengeInstanceSeed } from '../../../ledger/evaluations.ts'
import { signTx } from '../../../ledger/txs.ts'
import { ALL_TOPICS, Topic, type TopicName } from '../../../validator/infra/p2p/constants.ts'
import { decodeConsensusMessage, encodeConsensusMessage, ed25519VoteSigner, MsgType, type ConsensusMessage, type Vote } from '../../../validator/consensus/index.ts'
import type { Rng } from '../prng.ts'
import type { SimHost, SimNetwork } from './network.ts'
import { SIM_CHALLENGES } from './genesis.ts'

/** Demo payloads (challenges/payloads.ts, as the devnet's miners submit), each computed once per process. */
const payloads = new Map<string, Uint8Array | undefined>()
function payloadFor(challenge: string, round: number, miner: number, epochSeed: string): Uint8Array | undefined {
  const key = `${challenge}|${round}|${miner}|${epochSeed}`
  if (!payloads.has(key)) payloads.set(key, demoPayload(challenge, round, miner, fromHex(challengeInstanceSeed(epochSeed, challenge)))?.bytes)
  return payloads.get(key)
}

/** Deliver a value on `topic` to every live validator, as a client outside the mesh would. */
function inject(net: SimNetwork, from: string, sender: Uint8Array, topic: TopicName, value: unknown, seq: number): void {
  const any = [...net.hosts.values()].find((h) => h.up)
  any?.emit(topic, value, sender, undefined, { from, seq })
}

/**
 * An honest miner (number `miner`): one submission to a random challenge every few slots, the devnet
 * miners' payload for this round, computed for the instance of `epochSeed` (the genesis epoch's: payloads
 * for later epochs would cost a search per seed, and are valid there too, just scored lower).
 */
export function minerAction(net: SimNetwork, rng: Rng, keys: NodeKeys, miner: number, round: number, epochSeed: string): void {
  const challenge = rng.pick(SIM_CHALLENGES)
  const bytes = payloadFor(challenge, round, miner, epochSeed)
  if (!bytes) return
  const body = { type: 'Submission', sender: keys.peerId, nonce: round + 1, challenge, payloadCid: cidOfBytes(bytes), payloadBytes: bytes.length }
  inject(net, keys.peerId, keys.ed25519PublicKey, Topic.submissions, { tx: signTx(keys.ed25519Seed, keys.ed25519PublicKey, body), payload: bytes }, round + 1)
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
