import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { encode, decode, hashValue, cidOfBytes, bytesMatchCid, cidOfValue } from '../../core/encoding.ts'
import { equalBytes, toHex } from '../../core/bytes.ts'

// JSON-like values without floats or bigints round-trip exactly.
const plain = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null), fc.boolean(), fc.maxSafeInteger(), fc.string(), fc.uint8Array({ maxLength: 32 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 4 }),
  ),
})).value

/** Rebuild an object with its keys inserted in a shuffled order (same value, other insertion order). */
function reorder(v: unknown, seed: number): unknown {
  if (Array.isArray(v)) return v.map((x, i) => reorder(x, seed + i))
  if (v && typeof v === 'object' && !(v instanceof Uint8Array)) {
    const keys = Object.keys(v)
    const shuffled = keys.map((k, i) => [k, (i * 7919 + seed) % (keys.length + 3)] as const).sort((a, b) => a[1] - b[1]).map((x) => x[0])
    const out: Record<string, unknown> = {}
    for (const k of shuffled) out[k] = reorder((v as Record<string, unknown>)[k], seed + 1)
    return out
  }
  return v
}

describe('canonical encoding', () => {
  it('decode(encode(x)) = x', () => {
    fc.assert(fc.property(plain, (x) => { expect(decode(encode(x))).toEqual(x) }), { numRuns: 500 })
  })

  it('equal values encode to equal bytes whatever the key insertion order', () => {
    fc.assert(fc.property(plain, fc.nat(1000), (x, seed) => {
      expect(toHex(encode(reorder(x, seed)))).toBe(toHex(encode(x)))
    }), { numRuns: 500 })
  })

  it('bigints encode as integers: small ones equal their number, large ones round-trip as bigint', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }), (n) => {
      const back = decode<number | bigint>(encode({ n })) as unknown as { n: number | bigint }
      expect(BigInt(back.n)).toBe(n)
      if (n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER)) expect(equalBytes(encode(n), encode(Number(n)))).toBe(true)
    }))
  })

  it('refuses floats anywhere in a value', () => {
    expect(() => encode({ a: [1, { b: 0.5 }] })).toThrow(/non-integer.*\$\.a\[1\]\.b/)
    expect(() => encode(Number.NaN)).toThrow()
  })

  it('drops undefined fields, so optional fields hash the same as absent ones', () => {
    expect(toHex(hashValue({ a: 1, b: undefined }))).toBe(toHex(hashValue({ a: 1 })))
  })

  it('decoding garbage is a typed error', () => {
    expect(() => decode(new Uint8Array([0xff, 0x00, 0x13]))).toThrow(/decode cbor/)
  })

  it('content ids are self-certifying', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 256 }), fc.uint8Array({ minLength: 1, maxLength: 256 }), (a, b) => {
      const cid = cidOfBytes(a)
      expect(bytesMatchCid(a, cid)).toBe(true)
      const other = new Uint8Array([...a, ...b])
      expect(bytesMatchCid(other, cid)).toBe(false)
    }))
    expect(bytesMatchCid(new Uint8Array(), 'not-a-cid')).toBe(false)
    expect(cidOfValue({ x: 1 })).toBe(cidOfValue({ x: 1 }))
    expect(cidOfValue({ x: 1 })).not.toBe(cidOfValue({ x: 2 }))
  })
})
