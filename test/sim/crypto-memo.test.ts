// The simulator's memoized signatures answer exactly as core/crypto/sign.ts does: the same signatures
// and aggregates, true for valid ones (also when answered from what it signed), false for a corrupted
// signature, a wrong key, another payload, or an aggregate whose keys do not match its signers.
import { describe, expect, it } from 'vitest'
import * as sign from '../../core/crypto/sign.ts'
import { sha256 } from '../../core/hash.ts'
import { utf8 } from '../../core/bytes.ts'
import { memoizedCrypto } from './node/crypto-memo.ts'

const secret = (i: number) => { const s = sha256(utf8(`crypto-memo-${i}`)); s[0] = 1; return s } // below the BLS group order
const flip = (b: Uint8Array) => { const c = b.slice(); c[c.length - 1]! ^= 1; return c }
const D = sign.Domain.test

describe('memoized signatures', () => {
  it('BLS: same signatures and aggregates; verify and aggregate-verify agree with sign.ts', () => {
    const m = memoizedCrypto(sign)
    const sks = [0, 1, 2].map(secret)
    const pks = sks.map(sign.blsPublicKey)
    const sigs = sks.map((sk) => m.signBls(sk, D, { v: 1 }))
    expect(sigs).toEqual(sks.map((sk) => sign.signBls(sk, D, { v: 1 })))
    const agg = m.aggregateBlsSignatures(sigs)
    expect(agg).toEqual(sign.aggregateBlsSignatures(sigs))
    const cases: [string, () => boolean, () => boolean][] = [
      ['valid', () => m.verifyBls(pks[0]!, D, { v: 1 }, sigs[0]!), () => sign.verifyBls(pks[0]!, D, { v: 1 }, sigs[0]!)],
      ['wrong key', () => m.verifyBls(pks[1]!, D, { v: 1 }, sigs[0]!), () => sign.verifyBls(pks[1]!, D, { v: 1 }, sigs[0]!)],
      ['other payload', () => m.verifyBls(pks[0]!, D, { v: 2 }, sigs[0]!), () => sign.verifyBls(pks[0]!, D, { v: 2 }, sigs[0]!)],
      ['corrupted', () => m.verifyBls(pks[0]!, D, { v: 1 }, flip(sigs[0]!)), () => sign.verifyBls(pks[0]!, D, { v: 1 }, flip(sigs[0]!))],
      ['aggregate', () => m.verifyBlsAggregate([pks[2]!, pks[0]!, pks[1]!], D, { v: 1 }, agg), () => sign.verifyBlsAggregate([pks[2]!, pks[0]!, pks[1]!], D, { v: 1 }, agg)],
      ['aggregate, a key missing', () => m.verifyBlsAggregate(pks.slice(0, 2), D, { v: 1 }, agg), () => sign.verifyBlsAggregate(pks.slice(0, 2), D, { v: 1 }, agg)],
      ['aggregate, a key twice', () => m.verifyBlsAggregate([pks[0]!, pks[0]!, pks[1]!], D, { v: 1 }, agg), () => sign.verifyBlsAggregate([pks[0]!, pks[0]!, pks[1]!], D, { v: 1 }, agg)],
    ]
    for (const [what, memo, real] of cases) expect(memo(), what).toBe(real())
    expect(cases.map(([, memo]) => memo())).toEqual([true, false, false, false, true, false, false]) // both answers occur
  }, 30_000)

  it('ed25519: signed or verified once, then answered from memory, always as sign.ts answers', () => {
    const m = memoizedCrypto(sign)
    const seed = secret(7), other = secret(8)
    const pub = sign.ed25519PublicKey(seed)
    const sig = m.signEd25519(seed, D, { v: 1 })
    expect(sig).toEqual(sign.signEd25519(seed, D, { v: 1 }))
    const digest = sign.signingDigest(D, { v: 1 })
    for (let round = 0; round < 2; round++) { // the second round is answered from the cache
      expect(m.verifyEd25519(pub, D, { v: 1 }, sig)).toBe(true)
      expect(m.verifyEd25519Digest(pub, digest, sig)).toBe(true)
      expect(m.verifyEd25519(sign.ed25519PublicKey(other), D, { v: 1 }, sig)).toBe(false)
      expect(m.verifyEd25519(pub, D, { v: 1 }, flip(sig))).toBe(false)
      expect(m.verifyEd25519(pub, D, { v: 1 }, sig.slice(0, 63))).toBe(false)
    }
  })
})
