import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { readFileSync } from 'node:fs'
import { formatRep, parseRep, ONE_REP, mulDiv, ppmOf } from '../../core/amount.ts'

describe('REP amounts', () => {
  it('parse/format round-trip for every nano-REP amount', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), (n) => {
      expect(parseRep(formatRep(n))).toBe(n)
    }), { numRuns: 2000 })
  })

  it('format(parse(s)) is the canonical form of a decimal string', () => {
    expect(formatRep(parseRep('10'))).toBe('10')
    expect(formatRep(parseRep('10.500'))).toBe('10.5')
    expect(formatRep(parseRep('0.000000001'))).toBe('0.000000001')
    expect(formatRep(parseRep('-3.25'))).toBe('-3.25')
    expect(parseRep('1.5')).toBe(ONE_REP + ONE_REP / 2n)
  })

  it('refuses anything that is not a plain decimal with at most 9 decimals', () => {
    for (const bad of ['', ' 1', '1 ', '1e3', '0x10', '1.', '.5', '1.0000000001', 'NaN', '1,5', '+1']) {
      expect(() => parseRep(bad), bad).toThrow(/invalid REP amount/)
    }
  })

  it('mulDiv floors and ppmOf scales', () => {
    expect(mulDiv(10n, 1n, 3n)).toBe(3n)
    expect(ppmOf(ONE_REP, 500_000)).toBe(ONE_REP / 2n)
    expect(() => mulDiv(1n, 1n, 0n)).toThrow()
  })

  it('no float arithmetic in the amount module', () => {
    const src = readFileSync(new URL('../../core/amount.ts', import.meta.url), 'utf8')
    expect(src).not.toMatch(/parseFloat|Number\(|Math\.|toFixed/)
  })
})
