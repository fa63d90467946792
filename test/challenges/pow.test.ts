// PoW challenge: leading zero bits of SHA-256(seed ‖ nonce), the AssemblyScript SHA-256 checked against
// ours; bad nonces score 0.
import { describe, expect, it } from 'vitest'
import { POW_TARGET_BITS, leadingZeroBits, powHash, powPayloads, powSearch } from '../../challenges/payloads.ts'
import { toHex } from '../../core/bytes.ts'
import { runChallenge, seedOf } from './helpers.ts'

const seed = seedOf('pow-test')
const hashOf = (detail: DataView): string => toHex(new Uint8Array(detail.buffer, detail.byteOffset + 5, 32))

describe('pow', () => {
  it('scores a searched nonce by its zero bits and reports the same hash as SHA-256', () => {
    const { nonce, bits } = powSearch(seed, 10)
    expect(bits).toBeGreaterThanOrEqual(10)
    const { score, detail } = runChallenge('pow', nonce, seed)
    expect(detail.getUint32(0, true)).toBe(bits)
    expect(score).toBe((BigInt(Math.min(bits, POW_TARGET_BITS)) * 1_000_000n) / BigInt(POW_TARGET_BITS))
    expect(hashOf(detail)).toBe(toHex(powHash(seed, nonce)))
  })

  it('matches SHA-256 for nonces of every length 1..64 (padding edge cases)', () => {
    for (const len of [1, 23, 24, 31, 32, 55, 56, 64]) {
      const nonce = new Uint8Array(len).map((_, i) => (i * 37 + len) & 0xff)
      const { detail } = runChallenge('pow', nonce, seed)
      expect(hashOf(detail), `len ${len}`).toBe(toHex(powHash(seed, nonce)))
      expect(detail.getUint32(0, true)).toBe(leadingZeroBits(powHash(seed, nonce)))
    }
  })

  it.each([
    ['empty nonce', powPayloads.empty()],
    ['nonce longer than 64 bytes', powPayloads.tooLong()],
  ])('invalid payload (%s) scores 0', (_n, payload) => {
    const { score, detail } = runChallenge('pow', payload, seed)
    expect(score).toBe(0n)
    expect(detail.getUint8(4)).toBe(1)
  })

  it('adversarial: a nonce found for another seed does not carry over', () => {
    const { nonce, bits } = powSearch(seedOf('other'), 12)
    const { detail } = runChallenge('pow', nonce, seed)
    expect(bits).toBeGreaterThanOrEqual(12)
    expect(detail.getUint32(0, true)).toBe(leadingZeroBits(powHash(seed, nonce)))
  })
})
