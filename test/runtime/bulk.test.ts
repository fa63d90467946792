// Bulk memory and table ops are charged by size: exactly the bulk.ts formula on top of the static cost,
// checked before the op runs (a refused op leaves memory untouched), so a bulk-memory bomb is bounded.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { meterModule } from '../../validator/infra/runtime/meter.ts'
import { BulkUnit, bulkCharge } from '../../validator/infra/runtime/wasm/bulk.ts'
import { DEFAULT_POLICY } from '../../validator/infra/runtime/policy.ts'
import { wat } from './helpers.ts'

type Exports = Record<string, any>
const metered = (src: string, fuel = 1n << 40n): Exports =>
  new WebAssembly.Instance(new WebAssembly.Module(meterModule(wat(src), { initialFuel: fuel }) as Uint8Array<ArrayBuffer>)).exports as Exports
const fuelOf = (ex: Exports, call: () => unknown): bigint => { const before = ex.agora_fuel.value as bigint; call(); return before - (ex.agora_fuel.value as bigint) }

const PAGES = 16
const OPS: { name: string; unit: BulkUnit; src: string }[] = [
  { name: 'memory.fill', unit: BulkUnit.bytes, src: '(memory.fill (i32.const 0) (i32.const 255) (local.get 0))' },
  { name: 'memory.copy', unit: BulkUnit.bytes, src: '(memory.copy (i32.const 0) (i32.const 8) (local.get 0))' },
  { name: 'memory.init', unit: BulkUnit.bytes, src: '(memory.init $d (i32.const 0) (i32.const 0) (local.get 0))' },
  { name: 'table.fill', unit: BulkUnit.elements, src: '(table.fill (i32.const 0) (ref.null func) (local.get 0))' },
  { name: 'table.copy', unit: BulkUnit.elements, src: '(table.copy (i32.const 0) (i32.const 1) (local.get 0))' },
  { name: 'table.init', unit: BulkUnit.elements, src: '(table.init $e (i32.const 0) (i32.const 0) (local.get 0))' },
]
const moduleWith = (op: string): string => `(module (memory (export "mem") ${PAGES}) (table 4096 funcref) (func $g)
  (data $d "${'\\01'.repeat(4096)}") (elem $e func ${'$g '.repeat(4096)})
  (func (export "run") (param i32) ${op}) (func (export "none") (param i32)))`

describe('bulk ops charged by size', () => {
  for (const { name, unit, src } of OPS) {
    it(`${name}: static cost plus the size charge, for any length`, () => {
      const ex = metered(moduleWith(src))
      const base = fuelOf(ex, () => ex.run(0)) - bulkCharge(unit, 0)
      expect(base).toBeGreaterThan(0n)
      fc.assert(fc.property(fc.integer({ min: 0, max: 4000 }), (n) => {
        expect(fuelOf(ex, () => ex.run(n)), `${name} n=${n}`).toBe(base + bulkCharge(unit, n))
      }))
    })
  }

  it('grows with the length: a byte per quarter fuel, an element at a higher rate', () => {
    expect(bulkCharge(BulkUnit.bytes, 1 << 20) - bulkCharge(BulkUnit.bytes, 0)).toBe(BigInt(1 << 18))
    expect(bulkCharge(BulkUnit.elements, 1000)).toBeGreaterThan(bulkCharge(BulkUnit.bytes, 1000))
    expect(bulkCharge(BulkUnit.bytes, 0xffffffff)).toBeGreaterThan(1n << 30n) // lengths are unsigned
  })

  it('traps on insufficient fuel before the op writes anything', () => {
    const n = 60_000
    const src = moduleWith(OPS[0]!.src)
    const probe = metered(src)
    const needed = fuelOf(probe, () => probe.run(n))
    const ex = metered(src, needed - 1n)
    expect(() => ex.run(n)).toThrow(WebAssembly.RuntimeError)
    expect(ex.agora_fuel.value < 0n).toBe(true)
    expect(new Uint8Array((ex.mem as WebAssembly.Memory).buffer).subarray(0, n).some((b) => b !== 0)).toBe(false)
    const enough = metered(src, needed)
    enough.run(n)
    expect(new Uint8Array((enough.mem as WebAssembly.Memory).buffer).subarray(0, n).every((b) => b === 255)).toBe(true)
  })

  it('leaves the fuel of code without bulk ops as it was', () => {
    const ex = metered(moduleWith(OPS[0]!.src))
    const plain = metered(`(module (func (export "none") (param i32)))`)
    expect(fuelOf(ex, () => ex.none(5))).toBe(fuelOf(plain, () => plain.none(5)))
  })

  it('bounds a bulk-memory bomb: filling all pages in a loop stops after fuel / charge fills', () => {
    const pages = DEFAULT_POLICY.maxMemoryPages
    const ex = metered(`(module (memory ${pages} ${pages}) (global $fills (export "fills") (mut i32) (i32.const 0))
      (func (export "run") (loop $l (memory.fill (i32.const 0) (i32.const 1) (i32.const ${pages << 16}))
        (global.set $fills (i32.add (global.get $fills) (i32.const 1))) (br $l))))`, DEFAULT_POLICY.fuelLimit)
    expect(() => ex.run()).toThrow(WebAssembly.RuntimeError)
    expect(ex.agora_fuel.value < 0n).toBe(true)
    // Unmetered by size this would be ~fuel/6 fills of 16 MiB (hours); charged, the work is ≤ fuel × 4 bytes.
    const cap = DEFAULT_POLICY.fuelLimit / bulkCharge(BulkUnit.bytes, pages << 16)
    expect(BigInt(ex.fills.value as number)).toBeLessThanOrEqual(cap)
  })
})
