// Unit tests of the pure pieces: envelope checks, record validators and selectors, rate limiting.
import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { encode, cidOfBytes } from '../../core/encoding.ts'
import { utf8 } from '../../core/bytes.ts'
import { ManualClock } from '../../core/clock.ts'
import { Topic, signEnvelope, encodeEnvelope, openEnvelope, EnvelopeError, encodeCheckpoint, checkpointKey, blobKey } from '../../validator/infra/p2p/index.ts'
import { checkpointValidator, selectCheckpoint, blobValidator } from '../../validator/infra/p2p/records.ts'
import { createRateLimiter } from '../../validator/infra/p2p/rate-limit.ts'
import { seedOf, certifiedCheckpoint, forgedCheckpoint, verifyToyCheckpoint } from './helpers.ts'

const seed = seedOf('unit')
const env = signEnvelope(seed, { topic: Topic.evaluations, seq: 5, time: 1_000, payload: encode({ score: 3 }) })
const fault = (f: () => unknown): string => {
  try { f(); return 'none' } catch (e) { return e instanceof EnvelopeError ? e.fault : `other: ${(e as Error).message}` }
}

describe('envelope', () => {
  it('round-trips and binds topic, size and signature', () => {
    const bytes = encodeEnvelope(env)
    expect(openEnvelope(bytes, Topic.evaluations, 1 << 16).seq).toBe(5)
    expect(fault(() => openEnvelope(bytes, Topic.forum, 1 << 16))).toBe('wrong-topic')
    expect(fault(() => openEnvelope(bytes, Topic.evaluations, bytes.length - 1))).toBe('oversize')
    expect(fault(() => openEnvelope(encodeEnvelope({ ...env, seq: 6 }), Topic.evaluations, 1 << 16))).toBe('bad-signature')
    expect(fault(() => openEnvelope(encodeEnvelope({ ...env, payload: new Uint8Array([0xfb, 0, 0, 0, 0, 0, 0, 0, 0]) }), Topic.evaluations, 1 << 16))).toBe('non-canonical')
    expect(fault(() => openEnvelope(encode({ ...env, extra: 1 }), Topic.evaluations, 1 << 16))).toBe('malformed')
  })

  it('a signature for one topic never verifies on another', () => {
    const forum = { ...env, topic: Topic.forum }
    expect(fault(() => openEnvelope(encodeEnvelope(forum), Topic.forum, 1 << 16))).toBe('bad-signature')
  })

  it('rejects arbitrary bytes with an EnvelopeError, never another exception', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (b) => {
      expect(fault(() => openEnvelope(b, Topic.consensus, 1 << 16))).not.toMatch(/^(none|other)/)
    }), { seed: 7, numRuns: 2000 })
  })
})

describe('checkpoint records', () => {
  it('accepts a certified record under its epoch and under latest, refuses forged, misplaced and stale ones', async () => {
    const validate = checkpointValidator(verifyToyCheckpoint)
    await validate(checkpointKey(4), encodeCheckpoint(certifiedCheckpoint(4)))
    await expect(validate(checkpointKey(5), encodeCheckpoint(certifiedCheckpoint(4)))).rejects.toThrow(/key epoch/)
    await expect(validate(checkpointKey(4), encodeCheckpoint(forgedCheckpoint(4)))).rejects.toThrow(/certificate/)
    await validate(checkpointKey('latest'), encodeCheckpoint(certifiedCheckpoint(4)))
    await expect(validate(checkpointKey('latest'), encodeCheckpoint(certifiedCheckpoint(3)))).rejects.toThrow(/older/)
    await expect(validate(checkpointKey('latest'), new Uint8Array([1, 2, 3]))).rejects.toThrow()
    await expect(validate(utf8('/agora-ckpt'), encodeCheckpoint(certifiedCheckpoint(4)))).rejects.toThrow()
  })

  it('selects the highest epoch regardless of order', () => {
    const recs = [3, 9, 1, 9, 4].map((e) => encodeCheckpoint(certifiedCheckpoint(e)))
    expect(selectCheckpoint(checkpointKey('latest'), recs)).toBe(1)
    expect(selectCheckpoint(checkpointKey('latest'), [new Uint8Array([0]), recs[0]!])).toBe(1)
  })
})

describe('blob records', () => {
  it('accepts only bytes that hash to the key cid', () => {
    const bytes = utf8('module bytes')
    expect(() => blobValidator(blobKey(cidOfBytes(bytes)), bytes)).not.toThrow()
    expect(() => blobValidator(blobKey(cidOfBytes(bytes)), utf8('other bytes'))).toThrow(/hash/)
    expect(() => blobValidator(blobKey('nonsense'), bytes)).toThrow()
  })
})

describe('rate limiter', () => {
  it('allows a burst, then the refill rate, per key', () => {
    const clock = new ManualClock(0)
    const rl = createRateLimiter({ perSecond: 2, burst: 3 }, clock)
    expect([1, 2, 3, 4].map(() => rl.take('a'))).toEqual([true, true, true, false])
    expect(rl.take('b')).toBe(true)
    clock.advance(500)
    expect([rl.take('a'), rl.take('a')]).toEqual([true, false])
  })
})

describe('docs/PROTOCOL.md test vector', () => {
  it('matches the documented envelope bytes, digest and message id', async () => {
    const { toHex } = await import('../../core/bytes.ts')
    const { sha256 } = await import('../../core/hash.ts')
    const { signingDigest, Domain } = await import('../../core/crypto/sign.ts')
    const e = signEnvelope(new Uint8Array(32).fill(1), { topic: Topic.submissions, seq: 1, time: 1700000000000, payload: encode({ challenge: 'echo', nonce: 1 }) })
    const doc = (await import('node:fs')).readFileSync(new URL('../../docs/PROTOCOL.md', import.meta.url), 'utf8')
    const field = (name: string): string => {
      const lines = doc.slice(doc.indexOf('## 7.')).split('\n')
      const i = lines.findIndex((l) => l.startsWith(name.padEnd(12)))
      let hex = lines[i]!.slice(12).trim()
      for (let j = i + 1; /^\s{12}[0-9a-f]+$/.test(lines[j] ?? ''); j++) hex += lines[j]!.trim()
      return hex
    }
    const bytes = encodeEnvelope(e)
    expect(toHex(e.sender)).toBe(field('sender'))
    expect(toHex(e.sig)).toBe(field('sig'))
    expect(toHex(bytes)).toBe(field('envelope'))
    expect(toHex(sha256(bytes))).toBe(field('message id'))
    expect(toHex(signingDigest(Domain.gossipSubmissions, { v: 1, topic: e.topic, sender: e.sender, seq: 1, time: e.time, payload: e.payload }))).toBe(field('digest'))
  })
})
