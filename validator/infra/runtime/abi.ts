// The host-function ABI between the runtime and a guest module: import module name, each function's
// signature, and the names of the globals the metering pass adds. Shared by the module checker, the
// host implementation and the guest SDK docs (challenges/README.md).
import type { HostFunctionName } from './policy.ts'

export const HOST_MODULE = 'agora'
export const FUEL_GLOBAL = 'agora_fuel'
export const STACK_GLOBAL = 'agora_stack'
export const MEMORY_EXPORT = 'agora_memory'
export const START_EXPORT = 'agora_start'
export const DEFAULT_ENTRY = 'evaluate'

const i32 = 0x7f
const i64 = 0x7e

/** params → results, as wasm value type bytes. */
export const HOST_SIGNATURES: Record<HostFunctionName, { params: number[]; results: number[] }> = {
  input_len: { params: [], results: [i32] },
  input_read: { params: [i32, i32, i32], results: [i32] }, // (dst, offset, len) → bytes copied
  output_write: { params: [i32, i32], results: [i32] }, // (src, len) → total output bytes so far
  log: { params: [i32, i32], results: [] }, // (src, len)
  seed: { params: [i32], results: [] }, // (dst) ← 32 bytes
  run_nested: { params: [i32, i32, i32, i32, i64, i32, i32], results: [i32] }, // (mod, modLen, in, inLen, fuel, out, outCap) → outLen | -code
  nested_fuel_used: { params: [], results: [i64] },
}

/** Negative results of `run_nested` (the nested run's error, as the guest sees it). */
export const NestedStatus = { invalidModule: -1, fuelExhausted: -2, trap: -3, outputTooLarge: -4, failed: -5 } as const
