// The policy values the sandbox itself needs (host functions, hard ceilings, the default policy, its
// canonical JSON form), without zod: the worker bundle imports only these, and zod alone took ~0.3 s of
// a worker's start. The schema that validates policies at the boundaries is in policy.ts.
import type { RuntimePolicy } from './policy.ts'

// The host functions and hard ceilings are the registry's (one vocabulary for manifests and the sandbox).
export { HOST_FUNCTIONS, MAX_FUEL, MAX_MEMORY_PAGES, MAX_STACK_DEPTH, MAX_TABLE_SIZE, type HostFunctionName } from '../../../registry/policy.ts'

export const DEFAULT_POLICY: RuntimePolicy = Object.freeze({
  fuelLimit: 10_000_000n,
  maxMemoryPages: 256,
  maxTableSize: 10_000,
  maxStackDepth: 4096,
  maxModuleBytes: 4 << 20,
  maxInputBytes: 1 << 20,
  maxOutputBytes: 64 << 10,
  maxHostCalls: 10_000,
  allowFloats: false,
  hostFunctions: ['input_len', 'input_read', 'output_write', 'log', 'seed'],
  maxNestedFuel: 10_000_000n,
  wallClockMs: 10_000,
}) as RuntimePolicy

/** Canonical, JSON-safe form (bigints as decimal strings) for hashing and transport. */
export function policyToJson(p: RuntimePolicy): Record<string, unknown> {
  return { ...p, fuelLimit: p.fuelLimit.toString(), maxNestedFuel: p.maxNestedFuel.toString(), hostFunctions: [...p.hostFunctions].sort() }
}
