// Test helpers for the runtime: WAT → binary (wabt, all features our tests need), default request bits.
import wabtInit from 'wabt'
import { DEFAULT_POLICY, type RuntimePolicy } from '../../validator/infra/runtime/policy.ts'

const wabt = await wabtInit()

export function wat(source: string): Uint8Array {
  const mod = wabt.parseWat('test.wat', source, {
    multi_value: true, bulk_memory: true, sign_extension: true, mutable_globals: true, sat_float_to_int: true,
    reference_types: true, simd: true, threads: true, tail_call: true, exceptions: true,
  })
  try { return new Uint8Array(mod.toBinary({}).buffer) } finally { mod.destroy() }
}

export const SEED = new Uint8Array(32).map((_, i) => i + 1)
export const policy = (over: Partial<RuntimePolicy> = {}): RuntimePolicy => ({ ...DEFAULT_POLICY, ...over })
export const request = (module: Uint8Array, over: { input?: Uint8Array; policy?: Partial<RuntimePolicy>; entry?: string } = {}) => ({
  module, input: over.input ?? new Uint8Array(), seed: SEED, policy: policy(over.policy), entry: over.entry,
})

/** Host imports declaration lines for WAT sources. */
export const IMPORTS = `
  (import "agora" "input_len" (func $input_len (result i32)))
  (import "agora" "input_read" (func $input_read (param i32 i32 i32) (result i32)))
  (import "agora" "output_write" (func $output_write (param i32 i32) (result i32)))`
