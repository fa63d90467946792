// Signatures are the simulator's cost (a BLS verify ~40 ms, an ed25519 verify ~60 µs, and every node
// re-verifies what every other node signed). They are pure functions, so the simulator memoizes them
// process-wide, and it also remembers what it signed: a signature it made (or verified) is a fact, so
// verifying it again, or verifying an aggregate of such signatures under the matching keys, is answered
// from the facts — by correctness of the schemes the answer is the one the real check gives. Anything
// not known true (forged, corrupted, wrong key) still runs the real check. Installed for the CLI by
// crypto-hooks.mjs, for vitest by vi.mock.
import { bls12_381 } from '@noble/curves/bls12-381.js'
import type * as Sign from '../../../core/crypto/sign.ts'

const MAX_ENTRIES = 200_000

/** Bytes as a compact map key (latin1: one char per byte). */
const k = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1')

/** A bounded cache (cleared when full: the sim's working set is one seed). */
class Cache<V> {
  private m = new Map<string, V>()
  get(key: string): V | undefined { return this.m.get(key) }
  set(key: string, v: V): V { if (this.m.size >= MAX_ENTRIES) this.m.clear(); this.m.set(key, v); return v }
}

function memo<A extends unknown[], R>(key: (...a: A) => string, fn: (...a: A) => R): (...a: A) => R {
  const cache = new Cache<R>()
  return (...a: A) => {
    const kk = key(...a)
    const hit = cache.get(kk)
    return hit !== undefined ? hit : cache.set(kk, fn(...a))
  }
}

const L = bls12_381.longSignatures
type G2 = ReturnType<typeof L.hash>
/** sign.ts's hash-to-curve domain tag; fastBls checks its answers against sign.ts's once per key. */
const BLS_DST = 'BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_AGORA_V1_'

/**
 * BLS signing and aggregation with the same results as sign.ts, cheaper: the message's curve point is
 * hashed once per digest (every validator signs the same checkpoint), the scalar multiplication is the
 * variable-time one (the simulator has no side channel to protect), and each signature is decoded and
 * subgroup-checked once, not once per aggregation it takes part in. The first answer for each key, and
 * the first aggregate, are compared with sign.ts's own, so a change there fails loudly here.
 */
function fastBls(s: typeof Sign) {
  const points = new Cache<G2>()
  const hashed = (dg: Uint8Array): G2 => points.get(k(dg)) ?? points.set(k(dg), L.hash(dg, BLS_DST))
  const checkedKeys = new Set<string>()
  const check = (fast: Uint8Array, slow: () => Uint8Array, what: string) => {
    if (k(fast) !== k(slow())) throw new Error(`crypto-memo: the fast ${what} differs from core/crypto/sign.ts`)
  }
  const sign = (sk: Uint8Array, d: Sign.SigningDomain, p: unknown, dg: Uint8Array): Uint8Array => {
    const sig = hashed(dg).multiplyUnsafe(bls12_381.G1.Point.Fn.fromBytes(sk)).toBytes(true)
    if (!checkedKeys.has(k(sk))) { check(sig, () => s.signBls(sk, d, p), 'signature'); checkedKeys.add(k(sk)) }
    return sig
  }
  const decoded = new Cache<G2>()
  let aggregateChecked = false
  const aggregate = (sigs: Uint8Array[]): Uint8Array => {
    if (sigs.length === 0) return s.aggregateBlsSignatures(sigs) // refuses, as sign.ts does
    // Each part is decoded and checked (on the curve, in the subgroup), so their sum is too.
    const sum = sigs.map((x) => decoded.get(k(x)) ?? decoded.set(k(x), L.Signature.fromBytes(x))).reduce((a, b) => a.add(b))
    const agg = sum.toBytes(true)
    if (!aggregateChecked) { check(agg, () => s.aggregateBlsSignatures(sigs), 'aggregate'); aggregateChecked = true }
    return agg
  }
  return { sign, aggregate }
}

export function memoizedCrypto(s: typeof Sign) {
  const fast = fastBls(s)
  const digest = (d: Sign.SigningDomain, p: unknown) => s.signingDigest(d, p)
  // ---- BLS ----
  const blsPublicKey = memo((sk: Uint8Array) => k(sk), s.blsPublicKey)
  /** Valid (digest, signature) pairs, signed here or verified true, with the key they are valid under. */
  const blsValid = new Cache<string>()
  const blsFact = (dg: Uint8Array, sig: Uint8Array) => `${k(dg)}|${k(sig)}`
  const realVerify = memo((pk: Uint8Array, _d: Sign.SigningDomain, _p: unknown, sig: Uint8Array, dg: Uint8Array) => `${k(pk)}|${k(dg)}|${k(sig)}`,
    (pk: Uint8Array, d: Sign.SigningDomain, p: unknown, sig: Uint8Array) => s.verifyBls(pk, d, p, sig))
  const signBls = memo((sk: Uint8Array, d: Sign.SigningDomain, p: unknown) => `${k(sk)}|${k(digest(d, p))}`, (sk: Uint8Array, d: Sign.SigningDomain, p: unknown) => {
    const sig = fast.sign(sk, d, p, digest(d, p))
    blsValid.set(blsFact(digest(d, p), sig), k(blsPublicKey(sk)))
    return sig
  })
  const verifyBls = (pk: Uint8Array, d: Sign.SigningDomain, p: unknown, sig: Uint8Array): boolean => {
    const dg = digest(d, p)
    const fact = blsFact(dg, sig)
    if (blsValid.get(fact) === k(pk)) return true
    const ok = realVerify(pk, d, p, sig, dg)
    if (ok) blsValid.set(fact, k(pk))
    return ok
  }
  /** Aggregate → its parts (an aggregate of valid signatures over one digest is valid under the summed keys). */
  const parts = new Cache<Uint8Array[]>()
  const aggregateBlsSignatures = memo((sigs: Uint8Array[]) => sigs.map(k).join('|'), (sigs: Uint8Array[]) => {
    const agg = fast.aggregate(sigs)
    parts.set(k(agg), sigs)
    return agg
  })
  const realAggregate = memo((pks: Uint8Array[], _d: Sign.SigningDomain, _p: unknown, sig: Uint8Array, dg: Uint8Array) => `${pks.map(k).join(',')}|${k(dg)}|${k(sig)}`,
    (pks: Uint8Array[], d: Sign.SigningDomain, p: unknown, sig: Uint8Array) => s.verifyBlsAggregate(pks, d, p, sig))
  const verifyBlsAggregate = (pks: Uint8Array[], d: Sign.SigningDomain, p: unknown, agg: Uint8Array): boolean => {
    const dg = digest(d, p)
    const ps = parts.get(k(agg))
    if (ps && ps.length === pks.length && pks.length > 0) {
      // The parts' signers as a multiset must be exactly the keys given.
      const want = pks.map(k).sort()
      const got = ps.map((sig) => blsValid.get(blsFact(dg, sig)) ?? '').sort()
      if (want.every((x, i) => x === got[i])) return true
    }
    return realAggregate(pks, d, p, agg, dg)
  }
  const verifyBlsPossession = memo((pk: Uint8Array, proof: Uint8Array) => `${k(pk)}|${k(proof)}`, s.verifyBlsPossession)

  // ---- ed25519 ----
  const ed25519PublicKey = memo((seed: Uint8Array) => k(seed), s.ed25519PublicKey)
  /** Valid ed25519 (public key, digest, signature) triples: signed here or verified true. */
  const edValid = new Cache<boolean>()
  const edFact = (pub: Uint8Array, dg: Uint8Array, sig: Uint8Array) => `${k(pub)}|${k(dg)}|${k(sig)}`
  const signEd25519 = (seed: Uint8Array, d: Sign.SigningDomain, p: unknown): Uint8Array => {
    const sig = s.signEd25519(seed, d, p)
    edValid.set(edFact(ed25519PublicKey(seed), digest(d, p), sig), true)
    return sig
  }
  const verifyEd25519Digest = (pub: Uint8Array, dg: Uint8Array, sig: Uint8Array): boolean => {
    const fact = edFact(pub, dg, sig)
    const known = edValid.get(fact)
    return known !== undefined ? known : edValid.set(fact, s.verifyEd25519Digest(pub, dg, sig))
  }
  const verifyEd25519 = (pub: Uint8Array, d: Sign.SigningDomain, p: unknown, sig: Uint8Array): boolean =>
    pub.length === 32 && sig.length === 64 && verifyEd25519Digest(pub, digest(d, p), sig)

  return {
    signBls, verifyBls, verifyBlsAggregate, verifyBlsPossession, aggregateBlsSignatures, blsPublicKey,
    ed25519PublicKey, signEd25519, verifyEd25519, verifyEd25519Digest,
  }
}
