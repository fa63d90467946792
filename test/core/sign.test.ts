import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  Domain, type SigningDomain, signEd25519, verifyEd25519, ed25519PublicKey, signBls, verifyBls, blsPublicKey,
  aggregateBlsSignatures, verifyBlsAggregate, signSecp256k1, verifySecp256k1, secp256k1PublicKey,
  proveBlsPossession, verifyBlsPossession,
} from '../../core/crypto/sign.ts'
import { deriveKeysFromSeed } from '../../core/crypto/keys.ts'

const domains = Object.values(Domain) as SigningDomain[]
const keys = [1, 2, 3, 4].map((i) => deriveKeysFromSeed(new Uint8Array(64).fill(i)))
const payload = fc.record({ height: fc.nat(), value: fc.string({ maxLength: 20 }) })
const twoDomains = fc.tuple(fc.constantFrom(...domains), fc.constantFrom(...domains)).filter(([a, b]) => a !== b)

describe('domain-separated signatures', () => {
  it('ed25519: verifies in its domain, never in another, never for another payload', () => {
    fc.assert(fc.property(twoDomains, payload, ([d1, d2], p) => {
      const k = keys[0]!
      const sig = signEd25519(k.ed25519Seed, d1, p)
      expect(verifyEd25519(k.ed25519PublicKey, d1, p, sig)).toBe(true)
      expect(verifyEd25519(k.ed25519PublicKey, d2, p, sig)).toBe(false)
      expect(verifyEd25519(k.ed25519PublicKey, d1, { ...p, height: p.height + 1 }, sig)).toBe(false)
      expect(verifyEd25519(keys[1]!.ed25519PublicKey, d1, p, sig)).toBe(false)
    }), { numRuns: 200 })
    expect(ed25519PublicKey(keys[0]!.ed25519Seed)).toEqual(keys[0]!.ed25519PublicKey)
  })

  it('secp256k1: verifies in its domain, never in another', () => {
    fc.assert(fc.property(twoDomains, payload, ([d1, d2], p) => {
      const k = keys[0]!
      const pub = secp256k1PublicKey(k.evmPrivateKey)
      const sig = signSecp256k1(k.evmPrivateKey, d1, p)
      expect(verifySecp256k1(pub, d1, p, sig)).toBe(true)
      expect(verifySecp256k1(pub, d2, p, sig)).toBe(false)
    }), { numRuns: 30 })
  })

  it('BLS: single and aggregate signatures are bound to their domain', () => {
    const p = { epoch: 7, root: 'abc' }
    const sig = signBls(keys[0]!.blsSecretKey, Domain.checkpoint, p)
    expect(verifyBls(keys[0]!.blsPublicKey, Domain.checkpoint, p, sig)).toBe(true)
    expect(verifyBls(keys[0]!.blsPublicKey, Domain.weights, p, sig)).toBe(false)
    const sigs = keys.map((k) => signBls(k.blsSecretKey, Domain.checkpoint, p))
    const agg = aggregateBlsSignatures(sigs)
    const pubs = keys.map((k) => k.blsPublicKey)
    expect(verifyBlsAggregate(pubs, Domain.checkpoint, p, agg)).toBe(true)
    expect(verifyBlsAggregate(pubs, Domain.weights, p, agg)).toBe(false)
    expect(verifyBlsAggregate(pubs.slice(1), Domain.checkpoint, p, agg)).toBe(false)
    expect(verifyBlsAggregate(pubs, Domain.checkpoint, { ...p, epoch: 8 }, agg)).toBe(false)
    expect(blsPublicKey(keys[0]!.blsSecretKey)).toEqual(keys[0]!.blsPublicKey)
  })

  it('BLS: remembered hashes and keys change no answer (the same payload and key, again and crossed)', () => {
    const p = { epoch: 9, root: 'def' }
    const [a, b] = [keys[0]!, keys[1]!]
    const sa = signBls(a.blsSecretKey, Domain.checkpoint, p)
    for (let round = 0; round < 2; round++) { // the second round answers from the caches
      expect(verifyBls(a.blsPublicKey, Domain.checkpoint, p, sa)).toBe(true)
      expect(verifyBls(b.blsPublicKey, Domain.checkpoint, p, sa)).toBe(false)
      expect(verifyBls(a.blsPublicKey, Domain.checkpoint, { ...p, epoch: 10 }, sa)).toBe(false)
      expect(verifyBls(a.blsPublicKey.slice(0, 47), Domain.checkpoint, p, sa)).toBe(false)
      expect(verifyBlsAggregate([a.blsPublicKey, new Uint8Array(48)], Domain.checkpoint, p, sa)).toBe(false)
    }
    // A signature made from a remembered hash is the one a fresh hash gives (BLS signing is deterministic).
    expect(signBls(a.blsSecretKey, Domain.checkpoint, p)).toEqual(sa)
  })

  it('BLS proof of possession binds a key to its owner', () => {
    const proof = proveBlsPossession(keys[0]!.blsSecretKey)
    expect(verifyBlsPossession(keys[0]!.blsPublicKey, proof)).toBe(true)
    expect(verifyBlsPossession(keys[1]!.blsPublicKey, proof)).toBe(false)
  })

  it('malformed keys and signatures verify false instead of throwing', () => {
    const p = { a: 1 }
    expect(verifyEd25519(new Uint8Array(5), Domain.test, p, new Uint8Array(64))).toBe(false)
    expect(verifyBls(new Uint8Array(48), Domain.test, p, new Uint8Array(96))).toBe(false)
    expect(verifySecp256k1(new Uint8Array(33), Domain.test, p, new Uint8Array(64))).toBe(false)
  })
})
