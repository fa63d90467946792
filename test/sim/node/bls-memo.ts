// BLS is the simulator's cost (a verify ~40 ms; every node re-verifies the genesis proofs of possession
// and every partial signature). These are pure functions, so the simulator memoizes them process-wide:
// the same answers, each computed once. Installed for the CLI by bls-hooks.mjs, for vitest by vi.mock.
import { toHex } from '../../../core/bytes.ts'
import type * as Sign from '../../../core/crypto/sign.ts'

const MAX_ENTRIES = 100_000

function memo<A extends unknown[], R>(key: (...a: A) => string, fn: (...a: A) => R): (...a: A) => R {
  const cache = new Map<string, R>()
  return (...a: A) => {
    const k = key(...a)
    if (cache.has(k)) return cache.get(k)!
    const r = fn(...a)
    if (cache.size > MAX_ENTRIES) cache.clear()
    cache.set(k, r)
    return r
  }
}

export function memoizedBls(s: typeof Sign) {
  const msg = (domain: Sign.SigningDomain, payload: unknown) => toHex(s.signingDigest(domain, payload))
  return {
    signBls: memo((sk: Uint8Array, d: Sign.SigningDomain, p: unknown) => `${toHex(sk)}|${msg(d, p)}`, s.signBls),
    verifyBls: memo((pk: Uint8Array, d: Sign.SigningDomain, p: unknown, sig: Uint8Array) => `${toHex(pk)}|${msg(d, p)}|${toHex(sig)}`, s.verifyBls),
    verifyBlsAggregate: memo((pks: Uint8Array[], d: Sign.SigningDomain, p: unknown, sig: Uint8Array) => `${pks.map(toHex).join(',')}|${msg(d, p)}|${toHex(sig)}`, s.verifyBlsAggregate),
    verifyBlsPossession: memo((pk: Uint8Array, proof: Uint8Array) => `${toHex(pk)}|${toHex(proof)}`, s.verifyBlsPossession),
    aggregateBlsSignatures: memo((sigs: Uint8Array[]) => sigs.map(toHex).join(','), s.aggregateBlsSignatures),
    blsPublicKey: memo((sk: Uint8Array) => toHex(sk), s.blsPublicKey),
  }
}
