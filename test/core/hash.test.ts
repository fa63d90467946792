import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'
import { sha256, taggedHash } from '../../core/hash.ts'
import { concatBytes, toHex, utf8 } from '../../core/bytes.ts'

describe('sha256 (native)', () => {
  it('matches the FIPS 180-2 vectors', () => {
    expect(toHex(sha256(new Uint8Array()))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
    expect(toHex(sha256(utf8('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  })

  it('equals the pure-JS hash it replaced for any bytes, and tagged hashes too (roots and ids unchanged)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), fc.string({ maxLength: 40 }), (b, tag) => {
      expect(sha256(b)).toEqual(nobleSha256(b))
      const t = utf8(tag)
      if (t.length < 256) expect(taggedHash(tag, b)).toEqual(nobleSha256(concatBytes(new Uint8Array([t.length]), t, b)))
    }), { numRuns: 300 })
  })

  it('returns a plain Uint8Array of its own (a view of a byte array\'s tail hashes only the view)', () => {
    const d = sha256(utf8('x'))
    expect(d.constructor).toBe(Uint8Array)
    expect(d.byteOffset).toBe(0)
    expect(d.buffer.byteLength).toBe(32)
    const whole = utf8('0123456789')
    expect(sha256(whole.subarray(5))).toEqual(nobleSha256(utf8('56789')))
  })
})
