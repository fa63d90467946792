// Determinism: the same evaluations in two separate processes give identical ok/code, fuelUsed, output
// and audit hash; and NaNs are canonical when floats are allowed.
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { toHex } from '../../core/bytes.ts'
import { evaluateInProcess } from '../../validator/infra/runtime/execute.ts'
import { determinismCases } from './fixtures/cases.ts'

const child = fileURLToPath(new URL('./fixtures/evaluate-child.ts', import.meta.url))
const runChild = (): unknown[] => JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', child], { encoding: 'utf8', timeout: 120_000 }))

describe('determinism', () => {
  it('two processes agree with each other and with this one', async () => {
    const [a, b] = [runChild(), runChild()]
    expect(b).toEqual(a)
    const here = (await determinismCases()).map((c) => {
      const r = evaluateInProcess(c.request)
      return { name: c.name, ok: r.ok, code: r.error?.code ?? null, fuelUsed: r.fuelUsed.toString(), output: toHex(r.output), auditHash: r.auditHash }
    })
    expect(here).toEqual(a)
    expect(here.map((h) => h.ok)).toEqual([true, true, true, false, true])
  })

  it('canonicalises NaNs when floats are allowed', async () => {
    const floats = (await determinismCases()).find((c) => c.name === 'floats')!
    const r = evaluateInProcess(floats.request)
    expect(r.ok).toBe(true)
    // f32 canonical NaN 0x7fc00000 and f64 0x7ff8000000000000, little-endian (x86 would give the sign bit set)
    expect(toHex(r.output)).toBe('0000c07f000000000000f87f')
  })
})
