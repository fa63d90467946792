// The metering pass: exact fuel per basic block, linear growth, identical behaviour with enough fuel,
// and refusal of invalid or forbidden modules.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { isAgoraError } from '../../core/errors.ts'
import { meterModule } from '../../validator/infra/runtime/meter.ts'
import { wat } from './helpers.ts'

type Exports = Record<string, any>
const instantiate = (bytes: Uint8Array, imports: Record<string, any> = {}): Exports => new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), imports).exports as Exports
const metered = (src: string, fuel = 1n << 40n): Exports => instantiate(meterModule(wat(src), { initialFuel: fuel }))
const fuelOf = (ex: Exports, call: (ex: Exports) => unknown): bigint => { const before = ex.agora_fuel.value as bigint; call(ex); return before - (ex.agora_fuel.value as bigint) }
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

// Shapes the pass treats specially: pure loop headers whose check is left to the next block, br_if
// exits charged on the branch, calls between defined functions (fuel and depth as parameters).
const EXACT: [string, string, number[]][] = [
  ['counting loop', COUNT_LOOP, [0, 1, 7, 40]],
  ['pure one-block loop', `(module (func (export "run") (param $n i32) (result i32) (local $i i32)
    (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i)))`, [0, 1, 5, 33]],
  ['nested loops with memory', `(module (memory 1) (func (export "run") (param $n i32) (result i32) (local $i i32) (local $j i32)
    (block $d (loop $o (br_if $d (i32.ge_u (local.get $i) (local.get $n))) (local.set $j (i32.const 0))
      (block $dj (loop $in (br_if $dj (i32.ge_u (local.get $j) (local.get $i)))
        (i32.store8 (local.get $j) (i32.add (i32.load8_u (local.get $j)) (i32.const 1)))
        (local.set $j (i32.add (local.get $j) (i32.const 1))) (br $in)))
      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $o)))
    (i32.load8_u (i32.const 0))))`, [0, 1, 6, 20]],
  ['recursion and br_table', `(module
    (func $fib (param i32) (result i32) (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1))) (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
    (func (export "run") (param $n i32) (result i32)
      (block $c (block $b (block $a (br_table $a $b $c (i32.rem_u (local.get $n) (i32.const 3))))
        (return (call $fib (local.get $n)))) (return (i32.add (call $fib (local.get $n)) (i32.const 1))))
      (i32.const 5)))`, [0, 1, 2, 9, 10, 11]],
]

describe('exact budgets', () => {
  for (const [name, src, ns] of EXACT) {
    it(`${name}: a budget of exactly the fuel used succeeds, one less traps before any effect`, () => {
      for (const n of ns) {
        const plain = instantiate(wat(src))
        const used = fuelOf(metered(src), (ex) => ex.run(n))
        const exact = metered(src, used)
        expect(exact.run(n), `n=${n}`).toBe(plain.run(n))
        expect(exact.agora_fuel.value).toBe(0n)
        const short = metered(src, used - 1n)
        expect(() => short.run(n), `n=${n}`).toThrow(WebAssembly.RuntimeError)
        expect(short.agora_fuel.value < 0n).toBe(true)
      }
    })
  }

  it('a host call is made only when its block was paid for', () => {
    const src = `(module (import "m" "tick" (func $tick)) (func (export "run") (param $n i32) (local $i i32)
      (block $d (loop $l (br_if $d (i32.ge_u (local.get $i) (local.get $n))) (call $tick)
        (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l)))))`
    let ticks = 0
    const imports = { m: { tick: () => { ticks++ } } }
    const run = (fuel: bigint): number => {
      ticks = 0
      const ex = instantiate(meterModule(wat(src), { initialFuel: fuel }), imports)
      try { ex.run(100) } catch { /* fuel trap */ }
      return ticks
    }
    // Per iteration: header (4: local.get x2, ge_u, br_if) then body (6: call, get, const, add, set, br).
    expect(run(4n + 5n)).toBe(0) // the body's charge does not fit after the header's
    expect(run(4n + 6n)).toBe(1)
    expect(run(2n * 10n + 4n + 5n)).toBe(2)
    expect(run(3n * 10n)).toBe(3)
  })

  it('keeps the depth counter of the exported entry across indirect calls', () => {
    const ex = metered(`(module (type $t (func (param i32) (result i32))) (table 1 funcref) (elem (i32.const 0) $down)
      (func $down (param i32) (result i32) (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
        (else (call_indirect (type $t) (i32.sub (local.get 0) (i32.const 1)) (i32.const 0)))))
      (func (export "run") (param i32) (result i32) (call $down (local.get 0))))`)
    const before = ex.agora_stack.value
    expect(ex.run(50)).toBe(0)
    expect(ex.agora_stack.value).toBe(before)
    expect(ex.run(50)).toBe(0)
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
  it('refuses functions with more parameters than the metered calling convention leaves room for', () => {
    expect(code(() => meterModule(wat(`(module (func (param ${'i32 '.repeat(999)})))`)))).toBe('MODULE_FORBIDDEN')
    expect(code(() => meterModule(wat(`(module (func (param ${'i32 '.repeat(998)})))`)))).toBe('none')
  })
  it('refuses reserved export names', () => {
    expect(code(() => meterModule(wat(`(module (global (export "agora_fuel") i32 (i32.const 0)))`)))).toBe('MODULE_FORBIDDEN')
  })
  it('produces a module that validates for every bundled shape', () => {
    expect(WebAssembly.validate(meterModule(wat(COUNT_LOOP)) as Uint8Array<ArrayBuffer>)).toBe(true)
  })
})
