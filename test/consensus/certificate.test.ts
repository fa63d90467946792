// Commit certificate verification: refuses short power, duplicated signers, signatures over other values.
import { describe, expect, it } from 'vitest'
import { buildCertificate, certificateError, verifyCertificate } from '../../validator/consensus/index.ts'
import { fixture, h } from './helpers.ts'

const f = fixture([30n, 10n, 10n, 10n, 10n, 10n, 10n, 10n]) // 30 of 100: one validator holds 30%
const [big, ...small] = f.ids as [string, ...string[]]

describe('verifyCertificate', () => {
  it('accepts commits holding more than 2/3 of the power', () => {
    const cert = buildCertificate([big, ...small.slice(0, 4)].map((id) => f.commit(id, 2, 'A')), f.set) // 70
    expect(verifyCertificate(h('A'), cert, f.set)).toBe(true)
  })

  it('refuses a certificate short of 2/3 power even with many heads', () => {
    const cert = buildCertificate(small.map((id) => f.commit(id, 2, 'A')).slice(0, 6), f.set) // 60 of 100, 6 of 8 heads
    expect(certificateError(h('A'), cert, f.set)).toMatch(/not more than 2\/3/)
    const exact = buildCertificate([big, ...small.slice(0, 3)].map((id) => f.commit(id, 2, 'A')), f.set) // 60
    expect(verifyCertificate(h('A'), exact, f.set)).toBe(false)
  })

  it('refuses a duplicated signer', () => {
    const commits = [big, ...small.slice(0, 3)].map((id) => f.commit(id, 2, 'A'))
    const cert = buildCertificate([...commits, commits[0]!], f.set) // 90 if the big one counted twice
    expect(certificateError(h('A'), cert, f.set)).toMatch(/duplicate signer/)
  })

  it('refuses a signature over another value, round or height, and a certificate for another value', () => {
    const good = buildCertificate([big, ...small.slice(0, 4)].map((id) => f.commit(id, 2, 'A')), f.set)
    const swapped = { ...good, commits: good.commits.map((c, i) => (i === 1 ? { ...c, signature: f.commit(c.signer, 2, 'B').signature } : c)) }
    expect(certificateError(h('A'), swapped, f.set)).toMatch(/bad signature/)
    expect(verifyCertificate(h('A'), { ...good, round: 3 }, f.set)).toBe(false)
    expect(verifyCertificate(h('A'), { ...good, height: good.height + 1 }, f.set)).toBe(false)
    expect(certificateError(h('B'), good, f.set)).toMatch(/another value/)
  })

  it('refuses signers outside the set', () => {
    const good = buildCertificate([big, ...small.slice(0, 4)].map((id) => f.commit(id, 2, 'A')), f.set)
    expect(certificateError(h('A'), { ...good, commits: [...good.commits, { signer: 'mallory', signature: good.commits[0]!.signature }] }, f.set)).toMatch(/not a validator/)
  })
})
