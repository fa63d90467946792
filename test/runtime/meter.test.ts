// The metering pass: exact fuel per basic block, linear growth, identical behaviour with enough fuel,
// and refusal of invalid or forbidden modules.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { isAgoraError } from '../../core/errors.ts'
import { meterModule } from '../../validator/runtime/meter.ts'
import { wat } from './helpers.ts'

type Exports = Record<string, any>
const instantiate = (bytes: Uint8Array, imports: Record<string, any> = {}): Exports => new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), imports).exports as Exports
const metered = (src: string, fuel = 1n << 40n): Exports => instantiate(meterModule(wat(src), { initialFuel: fuel }))
const fuelOf = (ex: Exports, call: () => unknown): bigint => { const before = ex.agora_fuel.value as bigint; call(); return before - (ex.agora_fuel.value as bigint) }
const code = (f: () => unknown): string => { try { f(); return 'none' } catch (e) { return isAgoraError(e) ? e.code : `other: ${(e as Error).message}` } }

const COUNT_LOOP = `(module (func (export "run") (param $n i32) (result i32) (local $i i32)
  (block $done (loop $l
    (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br $l)))
  (local.get $i)))`

describe('fuel', () => {
  it('charges 1 per instruction, with nop/drop/block/loop/else/end free', () => {
    const ex = metered(`(module (func (export "f") (result i32)
      nop (drop (i32.const 1)) (block (nop)) (if (i32.const 1) (then nop) (else nop)) (i32.const 7)))`)
    // i32.const(1) + i32.const(cond) + if + i32.const 7 = 4
    expect(fuelOf(ex, () => ex.f())).toBe(4n)
  })

  it('grows exactly linearly in loop iterations', () => {
    const ex = metered(COUNT_LOOP)
    const fuel = [0, 1, 2, 10, 1000, 12345].map((n) => ({ n, fuel: fuelOf(ex, () => expect(ex.run(n)).toBe(n)) }))
    const base = fuel[0]!.fuel
    const per = fuel[1]!.fuel - base
    for (const { n, fuel: f } of fuel) expect(f, `n=${n}`).toBe(base + per * BigInt(n))
    expect(per).toBe(9n) // local.get x2, ge_u, br_if, local.get, const, add, local.set, br
  })

  it('property: fuel of the loop is base + 9n for any n', () => {
    const ex = metered(COUNT_LOOP)
    const base = fuelOf(ex, () => ex.run(0))
    fc.assert(fc.property(fc.integer({ min: 0, max: 5000 }), (n) => fuelOf(ex, () => ex.run(n)) === base + 9n * BigInt(n)))
  })

  it('charges untaken branches only up to the branch', () => {
    const ex = metered(`(module (func (export "f") (param i32) (result i32)
      (block $b (br_if $b (local.get 0)) (drop (i32.const 1)) (drop (i32.const 2)) (drop (i32.const 3)))
      (i32.const 0)))`)
    expect(fuelOf(ex, () => ex.f(1))).toBe(3n) // local.get, br_if, i32.const 0
    expect(fuelOf(ex, () => ex.f(0))).toBe(6n)
  })

  it('traps when the budget runs out and never overruns a loop header', () => {
    const ex = metered(COUNT_LOOP, 100n)
    expect(() => ex.run(1_000_000)).toThrow(WebAssembly.RuntimeError)
    expect(ex.agora_fuel.value < 0n).toBe(true)
  })

  it('meters the start function with the initial fuel', () => {
    const bytes = meterModule(wat(`(module (func $s (loop $l (br $l))) (start $s))`), { initialFuel: 1000n })
    expect(() => instantiate(bytes)).toThrow(WebAssembly.RuntimeError)
  })
})

describe('behaviour is preserved', () => {
  const modules: [string, string, (ex: Exports) => unknown][] = [
    ['multi-value results and blocks', `(module
      (func $pair (param i32) (result i32 i32) (local.get 0) (i32.mul (local.get 0) (i32.const 2)))
      (func (export "f") (param i32) (result i32) (call $pair (local.get 0)) (i32.add)
        (block (param i32) (result i32) (i32.const 1) (i32.add))))`, (ex) => ex.f(5)],
    ['return from nested blocks', `(module (func (export "f") (param i32) (result i32)
      (block (block (loop (br_if 2 (i32.eqz (local.get 0))) (if (i32.gt_u (local.get 0) (i32.const 3)) (then (return (i32.const 99))))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1))) (br 0))))
      (i32.const 7)))`, (ex) => [ex.f(0), ex.f(2), ex.f(9)]],
    ['br_table', `(module (func (export "f") (param i32) (result i32)
      (block $c (block $b (block $a (br_table $a $b $c (local.get 0))) (return (i32.const 10))) (return (i32.const 20))) (i32.const 30)))`,
      (ex) => [0, 1, 2, 3].map((i) => ex.f(i))],
    ['tables, elements, call_indirect', `(module (type $t (func (result i32)))
      (table 3 funcref) (elem (i32.const 0) $a $b)
      (func $a (result i32) (i32.const 11)) (func $b (result i32) (i32.const 22))
      (func (export "f") (param i32) (result i32) (call_indirect (type $t) (local.get 0))))`, (ex) => [ex.f(0), ex.f(1)]],
    ['globals, memory, data, bulk memory, sign extension', `(module (memory 1) (data (i32.const 16) "\\ff\\01")
      (global $g (mut i32) (i32.const 5))
      (func (export "f") (result i32)
        (memory.fill (i32.const 100) (i32.const 7) (i32.const 4)) (memory.copy (i32.const 200) (i32.const 16) (i32.const 2))
        (global.set $g (i32.add (global.get $g) (i32.load8_u (i32.const 103))))
        (i32.add (global.get $g) (i32.extend8_s (i32.load8_u (i32.const 200))))))`, (ex) => ex.f()],
    ['recursion', `(module (func $fib (export "f") (param i32) (result i32)
      (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (local.get 0))
        (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1))) (call $fib (i32.sub (local.get 0) (i32.const 2))))))))`, (ex) => ex.f(20)],
    ['non-trapping conversions and floats (no policy)', `(module (func (export "f") (param f64) (result i32) (i32.trunc_sat_f64_s (local.get 0))))`, (ex) => [ex.f(1e20), ex.f(-3.7)]],
    ['start function', `(module (global $g (mut i32) (i32.const 0)) (func $s (global.set $g (i32.const 42))) (start $s)
      (func (export "f") (result i32) (global.get $g)))`, (ex) => ex.f()],
    ['imports keep working', `(module (import "m" "add1" (func $h (param i32) (result i32))) (func (export "f") (result i32) (call $h (i32.const 41))))`, (ex) => ex.f()],
  ]
  for (const [name, src, call] of modules) {
    it(name, () => {
      const imports = { m: { add1: (x: number) => x + 1 } }
      const plain = instantiate(wat(src), imports)
      const inst = instantiate(meterModule(wat(src)), imports)
      expect(call(inst)).toEqual(call(plain))
    })
  }
})

describe('refusals', () => {
  it('refuses malformed, truncated and invalid modules with MODULE_INVALID', () => {
    const good = wat(COUNT_LOOP)
    expect(code(() => meterModule(new Uint8Array([1, 2, 3])))).toBe('MODULE_INVALID')
    expect(code(() => meterModule(good.subarray(0, good.length - 3)))).toBe('MODULE_INVALID')
    expect(code(() => meterModule(new Uint8Array([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0])))).toBe('MODULE_INVALID')
  })
  it('refuses SIMD, threads, tail calls and exceptions with MODULE_FORBIDDEN', () => {
    expect(code(() => meterModule(wat(`(module (func (result i32) (i32x4.extract_lane 0 (v128.const i32x4 1 2 3 4))))`)))).toBe('MODULE_FORBIDDEN')
    expect(code(() => meterModule(wat(`(module (memory 1 1 shared))`)))).toBe('MODULE_FORBIDDEN')
    expect(code(() => meterModule(wat(`(module (func $f (return_call $f)))`)))).toBe('MODULE_FORBIDDEN')
  })
  it('refuses reserved export names', () => {
    expect(code(() => meterModule(wat(`(module (global (export "agora_fuel") i32 (i32.const 0)))`)))).toBe('MODULE_FORBIDDEN')
  })
  it('produces a module that validates for every bundled shape', () => {
    expect(WebAssembly.validate(meterModule(wat(COUNT_LOOP)) as Uint8Array<ArrayBuffer>)).toBe(true)
  })
})
