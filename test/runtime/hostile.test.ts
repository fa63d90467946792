// Hostile modules: each must end in a clear, deterministic error code while the service (the node's
// execution path) stays up and keeps evaluating good modules afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createExecutionService, type ExecutionService } from '../../validator/infra/runtime/service.ts'
import type { RuntimePolicy } from '../../validator/infra/runtime/policy.ts'
import { IMPORTS, request, wat } from './helpers.ts'

interface Hostile { name: string; module: () => Uint8Array; expect: string; input?: Uint8Array; policy?: Partial<RuntimePolicy>; entry?: string }

const entry = (body: string, extra = ''): string => `(module ${IMPORTS} (memory 1) ${extra} (func (export "evaluate") (result i32) ${body}))`
const GOOD = wat(entry('(drop (call $output_write (i32.const 0) (i32.const 8))) (i32.const 0)'))

const HOSTILE: Hostile[] = [
  { name: 'infinite loop', module: () => wat(entry('(loop $l (br $l)) (i32.const 0)')), expect: 'FUEL_EXHAUSTED' },
  { name: 'infinite loop past the backstop (huge fuel)', module: () => wat(entry('(loop $l (br $l)) (i32.const 0)')), expect: 'NO_RESULT', policy: { fuelLimit: 1n << 60n, wallClockMs: 300 } },
  { name: 'deep recursion', module: () => wat(entry('(call $r) (i32.const 0)', '(func $r (call $r))')), expect: 'STACK_OVERFLOW' },
  { name: 'mutual recursion through a table', module: () => wat(entry('(call_indirect (type $v) (i32.const 0)) (i32.const 0)',
    '(type $v (func)) (table 2 funcref) (elem (i32.const 0) $a $b) (func $a (call_indirect (type $v) (i32.const 1))) (func $b (call_indirect (type $v) (i32.const 0)))')), expect: 'STACK_OVERFLOW' },
  { name: 'recursion with huge frames', module: () => wat(entry('(call $r (i64.const 0)) (i32.const 0)',
    `(func $r (param i64) ${'(local i64 i64 i64 i64 i64 i64 i64 i64)'.repeat(200)} (call $r (i64.add (local.get 0) (i64.const 1))))`)), expect: 'STACK_OVERFLOW' },
  { name: 'bulk-memory bomb (memory.fill of every page in a loop)', module: () => wat(`(module (memory 256 256) (func (export "evaluate") (result i32)
    (loop $l (memory.fill (i32.const 0) (i32.const 1) (i32.const ${256 << 16})) (br $l)) (i32.const 0)))`), expect: 'FUEL_EXHAUSTED' },
  { name: 'table bomb (table.fill of the whole table in a loop)', module: () => wat(`(module (table 10000 funcref) (func (export "evaluate") (result i32)
    (loop $l (table.fill (i32.const 0) (ref.null func) (i32.const 10000)) (br $l)) (i32.const 0)))`), expect: 'FUEL_EXHAUSTED' },
  { name: 'start function loop', module: () => wat(entry('(i32.const 0)', '(func $s (loop $l (br $l))) (start $s)')), expect: 'FUEL_EXHAUSTED' },
  { name: 'start function trap', module: () => wat(entry('(i32.const 0)', '(func $s (unreachable)) (start $s)')), expect: 'TRAP_UNREACHABLE' },
  { name: 'huge declared memory', module: () => wat(`(module (memory 60000) (func (export "evaluate") (result i32) (i32.const 0)))`), expect: 'MEMORY_LIMIT' },
  { name: 'huge declared table', module: () => wat(`(module (table 1000000 funcref) (func (export "evaluate") (result i32) (i32.const 0)))`), expect: 'TABLE_LIMIT' },
  { name: 'huge data segment', module: () => wat(`(module (memory 1) (data (i32.const 0) "${'x'.repeat(5000)}") (func (export "evaluate") (result i32) (i32.const 0)))`), expect: 'MODULE_TOO_LARGE', policy: { maxModuleBytes: 4096 } },
  { name: 'data segment out of bounds', module: () => wat(`(module (memory 1) (data (i32.const 65535) "ab") (func (export "evaluate") (result i32) (i32.const 0)))`), expect: 'TRAP_DATA_SEGMENT' },
  { name: 'non-whitelisted import', module: () => wat(`(module (import "env" "now" (func (result i64))) (func (export "evaluate") (result i32) (i32.const 0)))`), expect: 'IMPORT_FORBIDDEN' },
  { name: 'whitelisted name, wrong signature', module: () => wat(`(module (import "agora" "seed" (func (param i64))) (func (export "evaluate") (result i32) (i32.const 0)))`), expect: 'IMPORT_FORBIDDEN' },
  { name: 'host function outside the policy (run_nested)', module: () => wat(`(module (import "agora" "nested_fuel_used" (func (result i64))) (func (export "evaluate") (result i32) (i32.const 0)))`), expect: 'IMPORT_FORBIDDEN' },
  { name: 'imported memory', module: () => wat(`(module (import "agora" "mem" (memory 1)) (func (export "evaluate") (result i32) (i32.const 0)))`), expect: 'IMPORT_FORBIDDEN' },
  { name: 'NaN arithmetic under a no-float policy', module: () => wat(entry('(i32.reinterpret_f32 (f32.div (f32.const 0) (f32.const 0)))')), expect: 'FLOAT_FORBIDDEN' },
  { name: 'NaN bit games via reinterpret', module: () => wat(entry('(i32.wrap_i64 (i64.reinterpret_f64 (f64.sqrt (f64.const -1))))')), expect: 'FLOAT_FORBIDDEN' },
  { name: 'float-typed global only', module: () => wat(entry('(i32.const 0)', '(global f64 (f64.const 1.5))')), expect: 'FLOAT_FORBIDDEN' },
  { name: 'oversized output', module: () => wat(entry('(drop (call $output_write (i32.const 0) (i32.const 65536))) (drop (call $output_write (i32.const 0) (i32.const 65536))) (i32.const 0)', '(memory 2)').replace('(memory 1) (memory 2)', '(memory 2)')), expect: 'OUTPUT_LIMIT' },
  { name: 'host-call flood', module: () => wat(entry('(loop $l (drop (call $input_len)) (br $l)) (i32.const 0)')), expect: 'HOST_CALL_LIMIT', policy: { fuelLimit: 1n << 40n } },
  { name: 'host call with an out-of-bounds pointer', module: () => wat(entry('(drop (call $input_read (i32.const -16) (i32.const 0) (i32.const 64))) (i32.const 0)')), expect: 'TRAP_MEMORY', input: new Uint8Array(64) },
  { name: 'malformed binary', module: () => new Uint8Array([0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5]), expect: 'MODULE_INVALID' },
  { name: 'truncated binary', module: () => GOOD.subarray(0, GOOD.length - 5), expect: 'MODULE_INVALID' },
  { name: 'empty binary', module: () => new Uint8Array(), expect: 'MODULE_INVALID' },
  { name: 'SIMD', module: () => wat(entry('(i32x4.extract_lane 0 (v128.const i32x4 0 0 0 0))')), expect: 'MODULE_FORBIDDEN' },
  { name: 'shared memory (threads)', module: () => wat(`(module (memory 1 1 shared) (func (export "evaluate") (result i32) (i32.const 0)))`), expect: 'MODULE_FORBIDDEN' },
  { name: 'reserved export name', module: () => wat(entry('(i32.const 0)', '(global (export "agora_stack") (mut i32) (i32.const 0))')), expect: 'MODULE_FORBIDDEN' },
  { name: 'memory out of bounds', module: () => wat(entry('(i32.store (i32.const 70000) (i32.const 1)) (i32.const 0)')), expect: 'TRAP_MEMORY' },
  { name: 'divide by zero', module: () => wat(entry('(i32.div_u (i32.const 1) (i32.const 0))')), expect: 'TRAP_DIV_ZERO' },
  { name: 'missing entry point', module: () => wat(`(module (func (export "main") (result i32) (i32.const 0)))`), expect: 'ENTRY_MISSING' },
  { name: 'non-zero status', module: () => wat(entry('(i32.const 3)')), expect: 'STATUS_NONZERO' },
  { name: 'input larger than the policy allows', module: () => GOOD, expect: 'INPUT_TOO_LARGE', input: new Uint8Array(100), policy: { maxInputBytes: 64 } },
  { name: 'memory.grow bomb then trap', module: () => wat(entry('(loop $l (br_if $l (i32.ne (memory.grow (i32.const 1)) (i32.const -1)))) (unreachable)')), expect: 'TRAP_UNREACHABLE' },
]

let service: ExecutionService
beforeAll(() => { service = createExecutionService({ workers: 2 }) })
afterAll(async () => { await service.close() })

describe('hostile modules', () => {
  it('has at least 25 hostile cases', () => expect(HOSTILE.length).toBeGreaterThanOrEqual(25))

  it('each ends in its deterministic error, and the service keeps serving', async () => {
    const results = await Promise.all(HOSTILE.map((h) => service.evaluate(request(h.module(), { input: h.input, policy: h.policy, entry: h.entry }))))
    const got = HOSTILE.map((h, i) => ({ name: h.name, code: results[i]!.error?.code ?? 'ok' }))
    expect(got).toEqual(HOSTILE.map((h) => ({ name: h.name, code: h.expect })))
    for (const r of results) {
      expect(r.ok).toBe(false)
      expect(r.output.length).toBe(0)
      expect(r.auditHash).toMatch(/^[0-9a-f]{64}$/)
    }
    const after = await service.evaluate(request(GOOD))
    expect(after.ok).toBe(true)
    expect(after.output.length).toBe(8)
  })

  it('gives the same error, fuel and audit hash when run again', async () => {
    const picks = HOSTILE.filter((h) => h.expect !== 'NO_RESULT').slice(0, 8)
    const run = () => Promise.all(picks.map((h) => service.evaluate(request(h.module(), { input: h.input, policy: h.policy }))))
    const [a, b] = [await run(), await run()]
    expect(b.map((r) => [r.error?.code, r.fuelUsed, r.auditHash])).toEqual(a.map((r) => [r.error?.code, r.fuelUsed, r.auditHash]))
  })

  it('caps memory.grow at the policy deterministically', async () => {
    const m = wat(entry('(loop $l (br_if $l (i32.ne (memory.grow (i32.const 1)) (i32.const -1)))) (i32.store (i32.const 0) (memory.size)) (drop (call $output_write (i32.const 0) (i32.const 4))) (i32.const 0)'))
    const r = await service.evaluate(request(m, { policy: { maxMemoryPages: 40 } }))
    expect(r.ok).toBe(true)
    expect(new DataView(r.output.buffer, r.output.byteOffset).getUint32(0, true)).toBe(40)
  })
})
