// Runtime policy: every limit the sandbox enforces for one challenge (fuel, memory, table, stack, sizes,
// host calls, floats, host-function whitelist). Carried in a challenge's manifest; validated with zod
// wherever it enters (files, registry, network) and passed around typed.
import { z } from 'zod'
import { DEFAULT_POLICY, HOST_FUNCTIONS, MAX_FUEL, MAX_MEMORY_PAGES, MAX_STACK_DEPTH, MAX_TABLE_SIZE } from './policy-defaults.ts'
import { MAX_INPUT_BYTES, MAX_OUTPUT_BYTES, MIN_OUTPUT_BYTES } from '../../../registry/policy.ts'

export { DEFAULT_POLICY, HOST_FUNCTIONS, MAX_FUEL, MAX_MEMORY_PAGES, MAX_STACK_DEPTH, MAX_TABLE_SIZE, policyToJson, type HostFunctionName } from './policy-defaults.ts'

const fuel = z
  .union([z.bigint(), z.number().int(), z.string().regex(/^[0-9]+$/)])
  .transform((v) => BigInt(v))
  .pipe(z.bigint().min(1n).max(MAX_FUEL))

export const runtimePolicySchema = z.object({
  /** Instructions the module may execute (start function + entry + charged nested runs). */
  fuelLimit: fuel,
  /** 64 KiB pages; a declared maximum above this is clamped, a declared minimum above it is refused. */
  maxMemoryPages: z.number().int().min(0).max(MAX_MEMORY_PAGES),
  maxTableSize: z.number().int().min(0).max(MAX_TABLE_SIZE),
  /** Call depth in frame units (1 + one per 64 locals/instructions of the callee). */
  maxStackDepth: z.number().int().min(1).max(MAX_STACK_DEPTH),
  maxModuleBytes: z.number().int().min(8).max(64 << 20),
  maxInputBytes: z.number().int().min(0).max(MAX_INPUT_BYTES),
  maxOutputBytes: z.number().int().min(MIN_OUTPUT_BYTES).max(MAX_OUTPUT_BYTES),
  maxHostCalls: z.number().int().min(1).max(10_000_000),
  /** false: any float type or instruction refuses the module; true: floats run with NaNs canonicalised. */
  allowFloats: z.boolean(),
  hostFunctions: z.array(z.enum(HOST_FUNCTIONS)).max(HOST_FUNCTIONS.length),
  /** Fuel ceiling for one nested run (`run_nested`); nested fuel is also charged to the caller. */
  maxNestedFuel: fuel,
  /** Wall-clock backstop: a worker past this is killed and the evaluation yields "no result". */
  wallClockMs: z.number().int().min(10).max(600_000),
})

export type RuntimePolicy = z.output<typeof runtimePolicySchema>
export type RuntimePolicyInput = z.input<typeof runtimePolicySchema>

/** Parse a (partial) policy over the defaults; throws AgoraError-friendly zod errors at the boundary. */
export function parsePolicy(input: unknown): RuntimePolicy {
  const merged = { ...DEFAULT_POLICY, ...(typeof input === 'object' && input !== null ? input : {}) }
  return runtimePolicySchema.parse(merged)
}
