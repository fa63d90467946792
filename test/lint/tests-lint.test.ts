// Runs the test lint (test/lint/rules.ts) over every test source, and shows on planted snippets that each
// rule fires — so this check itself can fail.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { lintTestSource } from './rules.ts'

const TEST_ROOT = fileURLToPath(new URL('..', import.meta.url))

function testSources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) return name === 'fixtures' ? [] : testSources(p)
    return p.endsWith('.test.ts') ? [p] : []
  })
}

describe('test lint', () => {
  it('finds nothing in the suite', () => {
    const findings = testSources(TEST_ROOT).flatMap((p) => lintTestSource(relative(TEST_ROOT, p), readFileSync(p, 'utf8')))
    expect(findings.map((f) => `${f.file}:${f.line} ${f.rule}: ${f.text}`)).toEqual([])
  })

  it('flags an expect of a literal or a constant', () => {
    const rules = (src: string) => lintTestSource('x.test.ts', src).map((f) => f.rule)
    expect(rules(`it('a', () => { expect(true).toBe(true) })`)).toEqual(['expect-literal'])
    expect(rules(`it('a', () => { expect(ONE_REP).toBe(1n) })`)).toEqual(['expect-literal'])
    expect(rules(`it('a', () => { expect(f(1)).toBe(2) })`)).toEqual([])
  })

  it('flags a test without any assertion', () => {
    const rules = (src: string) => lintTestSource('x.test.ts', src).map((f) => f.rule)
    expect(rules(`it('does things', async () => {\n  await run()\n})`)).toEqual(['test-without-assertion'])
    expect(rules(`it('checks', () => { fc.assert(fc.property(fc.nat(), (n) => n >= 0)) })`)).toEqual([])
    expect(rules(`it('helper', async () => { await expectHeight(3) })`)).toEqual([])
  })

  it('counts a helper of the same file as asserting only when its body asserts', () => {
    const rules = (src: string) => lintTestSource('x.test.ts', src).map((f) => f.rule)
    const asserting = `const unchangedBy = async (f: () => Promise<void>) => {\n  const before = root()\n  await f()\n  expect(root()).toBe(before)\n}\n`
    expect(rules(`${asserting}it('a', () => unchangedBy(async () => { await send() }))`)).toEqual([])
    const silent = `async function settle(f: () => Promise<void>) {\n  await f()\n  await flush()\n}\n`
    expect(rules(`${silent}it('a', () => settle(async () => { await send() }))`)).toEqual(['test-without-assertion'])
    // Through another helper of the file, and a one-line helper.
    const oneLine = `const same = (a: number, b: number) => expect(a).toBe(b)\nfunction twice(x: number) {\n  same(x, x)\n}\n`
    expect(rules(`${oneLine}it('a', () => { twice(f()) })`)).toEqual([])
  })

  it('flags a fixed sleep followed by an assertion, unless the line says why', () => {
    const rules = (src: string) => lintTestSource('x.test.ts', src).map((f) => f.rule)
    expect(rules(`it('a', async () => {\n  await sleep(500)\n  expect(x()).toBe(1)\n})`)).toEqual(['sleep-then-assert'])
    expect(rules(`it('a', async () => {\n  await new Promise((r) => setTimeout(r, 100))\n  expect(x()).toBe(1)\n})`)).toEqual(['sleep-then-assert'])
    expect(rules(`it('a', async () => {\n  await sleep(500) // lint-ok: nothing may arrive meanwhile\n  expect(x()).toBe(0)\n})`)).toEqual([])
    expect(rules(`it('a', async () => {\n  await until(() => x() === 1, 5_000)\n  expect(x()).toBe(1)\n})`)).toEqual([])
  })
})
