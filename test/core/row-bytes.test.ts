// The fast row encoder (core/row-bytes.ts) writes exactly `encode(row)`: random rows of the shapes it
// writes itself (ASCII strings, integers up to 64 bits, booleans, null, nested arrays and plain objects,
// undefined fields) and of the shapes it hands to `encode` (bytes, non-ASCII text, wide bigints, floats:
// the same error).
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { toHex } from '../../core/bytes.ts'
import { encode } from '../../core/encoding.ts'
import { rowBytes, rowBytesAt } from '../../core/row-bytes.ts'

const scalar = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.integer(), fc.maxSafeInteger(), fc.maxSafeNat().map((n) => -n),
  fc.constantFrom(0, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, -24, -25, -256, -257, -(2 ** 32), -(2 ** 32) - 1),
  fc.bigInt({ min: -(1n << 64n), max: (1n << 64n) - 1n }),
  fc.bigInt({ min: -(1n << 70n), max: 1n << 70n }),
  fc.constantFrom(0n, 23n, 24n, (1n << 53n) - 1n, 1n << 53n, (1n << 64n) - 1n, -(1n << 64n)),
  fc.boolean(), fc.constant(null),
  fc.uint8Array({ maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
)
const { row } = fc.letrec((tie) => ({
  row: fc.array(fc.oneof({ weight: 4, arbitrary: scalar }, { weight: 1, arbitrary: tie('row') }, { weight: 1, arbitrary: tie('obj') }), { maxLength: 6 }),
  // Keys of mixed lengths and order (the canonical order is shorter first), some fields undefined.
  obj: fc.dictionary(fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('a', 'b', 'aa', 'ab', 'B', 'v', 'params', 'height')),
    fc.oneof({ weight: 4, arbitrary: scalar }, { weight: 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: tie('row') }, { weight: 1, arbitrary: tie('obj') }), { maxKeys: 6 }),
}))

const outcome = (f: () => Uint8Array): string => { try { return toHex(f()) } catch (e) { return `error ${(e as Error).message}` } }

describe('row bytes', () => {
  it('equal encode(row) for any row, and for a bare value', () => {
    fc.assert(fc.property(fc.oneof(row, scalar), (r) => {
      expect(outcome(() => rowBytes(r))).toBe(outcome(() => encode(r)))
    }), { numRuns: 1000 })
  })

  it('a float is refused as encode refuses it', () => {
    expect(outcome(() => rowBytes(['a', 1.5]))).toBe(outcome(() => encode(['a', 1.5])))
    expect(outcome(() => rowBytes([-0]))).toBe(outcome(() => encode([-0])))
  })

  it('rowBytesAt leaves the prefix to the caller and puts the bytes after it', () => {
    fc.assert(fc.property(row, fc.integer({ min: 0, max: 40 }), (r, offset) => {
      expect(outcome(() => rowBytesAt(r, offset).subarray(offset))).toBe(outcome(() => encode(r)))
    }), { numRuns: 300 })
  })
})
