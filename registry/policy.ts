// One challenge policy for the registry and the sandbox: the host functions and hard ceilings are defined
// here once; a manifest's policy is a subset of the runtime's limits under the runtime's meaning, and
// `runtimePolicyInput` is the only mapping (the runtime's schema parses it over its defaults). Zod-free and
// pure: the runtime's worker bundle imports this file.
import type { RuntimePolicy as ManifestPolicy } from './manifest.ts'

/** Every host function the runtime binds (module `agora`); a policy whitelists a subset. */
export const HOST_FUNCTIONS = Object.freeze(['input_len', 'input_read', 'output_write', 'log', 'seed', 'run_nested', 'nested_fuel_used'] as const)
export type HostFunctionName = (typeof HOST_FUNCTIONS)[number]
/** Imports the runtime's AssemblyScript shim binds for every module (never whitelisted; a manifest may name them). */
export const SHIM_IMPORTS = Object.freeze(['abort'] as const)

/** Hard ceilings no policy may exceed, whatever governance allows (the sandbox's own limits). */
export const MAX_FUEL = 1n << 62n
export const MAX_MEMORY_PAGES = 4096 // 256 MiB
export const MAX_TABLE_SIZE = 1 << 20
export const MAX_STACK_DEPTH = 1 << 16
/**
 * The slowest metered rate measured, in fuel per millisecond on one core (`npm run bench -- runtime`,
 * metered-vs-plain: pow, host-call bound, ~90k/ms; compute kernels run 0.7–1.6M/ms). A budget that takes
 * longer than the evaluation backstop at this rate may be cut off by every honest node's backstop while
 * still within its fuel, so the evaluation ends "no result" for everyone: the registry refuses it.
 */
export const MIN_METERED_FUEL_PER_MS = 90_000
/** The most fuel a registry challenge may ask for when an evaluation's wall clock is capped at `backstopMs`. */
export const backstopFuelLimit = (backstopMs: number): number => backstopMs * MIN_METERED_FUEL_PER_MS

/** Input and output caps a manifest may ask for (the runtime's schema has the same bounds). */
export const MAX_INPUT_BYTES = 64 << 20
export const MAX_OUTPUT_BYTES = 16 << 20
export const MIN_OUTPUT_BYTES = 8

/** The runtime's input for a manifest's policy: same limits, the runtime's field names (no defaults here). */
export interface RuntimePolicyFields {
  fuelLimit: bigint
  maxMemoryPages: number
  allowFloats: boolean
  hostFunctions: HostFunctionName[]
  maxNestedFuel?: bigint
  maxInputBytes?: number
  maxOutputBytes?: number
}

export function runtimePolicyInput(p: ManifestPolicy): RuntimePolicyFields {
  const out: RuntimePolicyFields = {
    fuelLimit: BigInt(p.fuelLimit), maxMemoryPages: p.memoryPages, allowFloats: p.floats === 'canonicalize',
    hostFunctions: p.hostFunctions.filter((h): h is HostFunctionName => (HOST_FUNCTIONS as readonly string[]).includes(h)),
  }
  if (p.maxNestedFuel !== undefined) out.maxNestedFuel = BigInt(p.maxNestedFuel)
  if (p.maxInputBytes !== undefined) out.maxInputBytes = p.maxInputBytes
  if (p.maxOutputBytes !== undefined) out.maxOutputBytes = p.maxOutputBytes
  return out
}
