// Domain-separated signatures. Every signed value is hashed as taggedHash("agora/v1/sig/<domain>",
// encode(payload)), so a signature made for one domain (a consensus vote, a gossip envelope, a forum
// transaction) never verifies in another. Three schemes: ed25519 (node identity; Node's native crypto,
// ~10x faster than pure JS), BLS12-381 (quorum certificates; aggregatable), secp256k1 (EVM).
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto'
import { bls12_381 } from '@noble/curves/bls12-381.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { encode } from '../encoding.ts'
import { taggedHash } from '../hash.ts'
import { concatBytes, fromHex } from '../bytes.ts'

/** Every signing domain in the protocol; adding one is a protocol change (docs/PROTOCOL.md). */
export const Domain = {
  consensus: 'consensus',
  gossipSubmissions: 'gossip/submissions',
  gossipConsensus: 'gossip/consensus',
  gossipEvaluations: 'gossip/evaluations',
  gossipForum: 'gossip/forum',
  gossipParsig: 'gossip/parsig',
  transaction: 'transaction',
  evaluationReport: 'evaluation-report',
  checkpoint: 'checkpoint',
  weights: 'weights',
  manifest: 'challenge-manifest',
  blsPossession: 'bls-proof-of-possession',
  dhtRecord: 'dht-record',
  p2pRequest: 'p2p-request',
  evidence: 'evidence',
  test: 'test',
} as const
export type SigningDomain = (typeof Domain)[keyof typeof Domain]

export function signingDigest(domain: SigningDomain, payload: unknown): Uint8Array {
  return taggedHash(`agora/v1/sig/${domain}`, encode(payload))
}

// ---- ed25519 (Node native) -------------------------------------------------------------------
const PKCS8_ED25519 = fromHex('302e020100300506032b657004220420')
const SPKI_ED25519 = fromHex('302a300506032b6570032100')
const privCache = new Map<string, KeyObject>()
const pubCache = new Map<string, KeyObject>()
const MAX_KEY_CACHE = 4096

/** `make()` remembered by the bytes it is made from; a full cache is cleared wholesale (cheap, rare). */
function cached<T>(cache: Map<string, T>, raw: Uint8Array, make: () => T, max = MAX_KEY_CACHE): T {
  const k = Buffer.from(raw).toString('base64')
  let v = cache.get(k)
  if (v === undefined) {
    if (cache.size >= max) cache.clear()
    v = make()
    cache.set(k, v)
  }
  return v
}

const edPriv = (seed: Uint8Array) =>
  cached(privCache, seed, () => createPrivateKey({ key: Buffer.from(concatBytes(PKCS8_ED25519, seed)), format: 'der', type: 'pkcs8' }))
const edPub = (pub: Uint8Array) =>
  cached(pubCache, pub, () => createPublicKey({ key: Buffer.from(concatBytes(SPKI_ED25519, pub)), format: 'der', type: 'spki' }))

export function ed25519PublicKey(seed: Uint8Array): Uint8Array {
  const der = createPublicKey(edPriv(seed)).export({ format: 'der', type: 'spki' })
  return new Uint8Array(der.subarray(der.length - 32))
}

export function signEd25519(seed: Uint8Array, domain: SigningDomain, payload: unknown): Uint8Array {
  return new Uint8Array(nodeSign(null, signingDigest(domain, payload), edPriv(seed)))
}

export function verifyEd25519(pub: Uint8Array, domain: SigningDomain, payload: unknown, sig: Uint8Array): boolean {
  if (pub.length !== 32 || sig.length !== 64) return false
  try {
    return nodeVerify(null, signingDigest(domain, payload), edPub(pub), sig)
  } catch {
    return false
  }
}

/** Verify an ed25519 signature over an already computed digest (hot paths that hash once). */
export function verifyEd25519Digest(pub: Uint8Array, digest: Uint8Array, sig: Uint8Array): boolean {
  if (pub.length !== 32 || sig.length !== 64) return false
  try {
    return nodeVerify(null, digest, edPub(pub), sig)
  } catch {
    return false
  }
}

// ---- BLS12-381 (G1 public keys 48 bytes, G2 signatures 96 bytes, as in Ethereum) ----------------
const bls = bls12_381.longSignatures
const BLS_DST = 'BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_AGORA_V1_'
type G1 = ReturnType<typeof bls.getPublicKey>
type G2 = ReturnType<typeof bls.hash>
// Hashing a digest to G2 is about a third of a verification and decoding a public key (with its subgroup
// check) a tenth; an epoch duty's partial signatures, their aggregate and our own signature all share one
// payload, and the certifying set has few keys. Both are pure, so they are remembered.
const blsHashCache = new Map<string, G2>()
const blsKeyCache = new Map<string, G1>()
const MAX_BLS_HASHES = 256
const blsMessage = (domain: SigningDomain, payload: unknown): G2 => {
  const digest = signingDigest(domain, payload)
  return cached(blsHashCache, digest, () => bls.hash(digest, BLS_DST), MAX_BLS_HASHES)
}
const blsKey = (pub: Uint8Array): G1 => cached(blsKeyCache, pub, () => bls12_381.G1.Point.fromBytes(pub))

export function blsPublicKey(secret: Uint8Array): Uint8Array {
  return bls.getPublicKey(secret).toBytes(true)
}

export function signBls(secret: Uint8Array, domain: SigningDomain, payload: unknown): Uint8Array {
  return bls.sign(blsMessage(domain, payload), secret).toBytes(true)
}

export function verifyBls(pub: Uint8Array, domain: SigningDomain, payload: unknown, sig: Uint8Array): boolean {
  try {
    return bls.verify(sig, blsMessage(domain, payload), blsKey(pub))
  } catch {
    return false
  }
}

export function aggregateBlsSignatures(sigs: Uint8Array[]): Uint8Array {
  return bls.aggregateSignatures(sigs).toBytes(true)
}

/**
 * Verify an aggregate signature of many signers over the same payload. Safe against rogue keys only
 * because every BLS key enters the validator set with a proof of possession (see `proveBlsPossession`).
 */
export function verifyBlsAggregate(pubs: Uint8Array[], domain: SigningDomain, payload: unknown, aggSig: Uint8Array): boolean {
  if (pubs.length === 0) return false
  try {
    const aggPub = bls.aggregatePublicKeys(pubs.map(blsKey))
    return bls.verify(aggSig, blsMessage(domain, payload), aggPub)
  } catch {
    return false
  }
}

export const proveBlsPossession = (secret: Uint8Array): Uint8Array =>
  signBls(secret, Domain.blsPossession, { publicKey: blsPublicKey(secret) })
export const verifyBlsPossession = (pub: Uint8Array, proof: Uint8Array): boolean =>
  verifyBls(pub, Domain.blsPossession, { publicKey: pub }, proof)

// ---- secp256k1 (compact 64-byte signatures over the domain digest) -----------------------------
export function secp256k1PublicKey(secret: Uint8Array): Uint8Array {
  return secp256k1.getPublicKey(secret, true)
}

export function signSecp256k1(secret: Uint8Array, domain: SigningDomain, payload: unknown): Uint8Array {
  return secp256k1.sign(signingDigest(domain, payload), secret, { prehash: false })
}

export function verifySecp256k1(pub: Uint8Array, domain: SigningDomain, payload: unknown, sig: Uint8Array): boolean {
  try {
    return secp256k1.verify(sig, signingDigest(domain, payload), pub, { prehash: false })
  } catch {
    return false
  }
}
