// No function in validator/core/ spans more than MAX_LINES lines (issue #14: components are small
// functions with one job each). Sizes come from the compiler's syntax tree, checked on a planted fixture
// first, so a passing run means the functions were measured, not skipped.
import { readdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { measureFiles } from './function-size.ts'

/** A workflow component's function fits on a screen and a half; beyond it, split out a named step. */
const MAX_LINES = 80
const ROOT = join(import.meta.dirname, '../..')
const CORE = join(ROOT, 'validator/core')

describe('function size', () => {
  it(`no function in validator/core/ is over ${MAX_LINES} lines`, () => {
    const files = readdirSync(CORE).filter((f) => f.endsWith('.ts')).map((f) => join(CORE, f))
    const sizes = measureFiles(join(ROOT, 'tsconfig.json'), files)
    expect(sizes.length).toBeGreaterThan(files.length) // every file has functions: the walk saw them
    const over = sizes.filter((s) => s.lines > MAX_LINES).map((s) => `${s.file.slice(ROOT.length + 1)}:${s.line} ${s.name} (${s.lines} lines)`)
    expect(over, over.join('\n')).toEqual([])
  }, 60_000)

  it('measures declarations, arrows, methods and nested functions on a fixture', () => {
    const dir = mkdtempSync(join(ROOT, 'test/architecture/.fixture-'))
    try {
      const body = (n: number) => Array.from({ length: n }, (_, i) => `    x += ${i}`).join('\n')
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true }, include: ['*.ts'] }))
      writeFileSync(join(dir, 'f.ts'), [
        'export function outer(): () => number {', // line 1
        '  let x = 0',
        '  const inner = () => {', // line 3
        body(5), // lines 4–8
        '    return x',
        '  }', // line 10
        '  return inner',
        '}', // line 12
        'export const o = { m(): number { return 1 } }', // line 13
      ].join('\n'))
      const sizes = measureFiles(join(dir, 'tsconfig.json'), [join(dir, 'f.ts')])
      expect(sizes.map((s) => [s.name, s.line, s.lines])).toEqual([['outer', 1, 12], ['inner', 3, 8], ['m', 13, 1]])
    } finally { rmSync(dir, { recursive: true, force: true }) }
  }, 60_000)
})
