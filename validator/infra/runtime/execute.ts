// One evaluation, in the calling thread: meter + compile (cached by module and policy hash), instantiate
// with the whitelisted host functions, run the deferred start and the entry, classify how it ended into
// a stable error code, and produce the audit record. Pure given (module, input, seed, policy, entry).
import { AgoraError, isAgoraError } from '../../../core/errors.ts'
import { concatBytes } from '../../../core/bytes.ts'
import { DEFAULT_ENTRY, FUEL_GLOBAL, MEMORY_EXPORT, STACK_GLOBAL, START_EXPORT } from './abi.ts'
import { auditHash, hashHex, policyHash, type AuditRecord } from './audit.ts'
import { HostTrap, MAX_NESTED_MODULE_BYTES, createHostContext, hostImports, type NestedRunResult } from './host.ts'
import { meterModule } from './meter.ts'
import { DEFAULT_POLICY } from './policy-defaults.ts'
import type { RuntimePolicy } from './policy.ts'

export interface EvaluationRequest {
  readonly module: Uint8Array
  readonly input: Uint8Array
  /** 32 bytes, derived by the node from the submission id. */
  readonly seed: Uint8Array
  readonly policy: RuntimePolicy
  readonly entry?: string
}

export interface EvaluationError { readonly code: string; readonly message: string }

export interface EvaluationResult {
  readonly ok: boolean
  readonly fuelUsed: bigint
  /** Empty unless ok. */
  readonly output: Uint8Array
  readonly error?: EvaluationError
  /** Hex SHA-256 (tagged) of the canonical audit record. */
  readonly auditHash: string
  readonly audit: AuditRecord
  /** Guest log lines (bounded); not part of the audit hash beyond their byte counts. */
  readonly logs: string[]
}

export interface CompiledModule { readonly module: WebAssembly.Module; readonly moduleHash: string }

/** Compiled modules by (module hash, policy hash): metering depends on fuel, stack and caps. */
export class ModuleCache {
  private readonly entries = new Map<string, CompiledModule>()
  hits = 0
  misses = 0
  constructor(private readonly capacity = 64) {}
  get(bytes: Uint8Array, policy: RuntimePolicy, moduleHash = hashHex(bytes)): CompiledModule {
    const key = `${moduleHash}:${policyHash(policy)}`
    const found = this.entries.get(key)
    if (found) {
      this.hits++
      this.entries.delete(key)
      this.entries.set(key, found) // most recently used last
      return found
    }
    this.misses++
    const module = new WebAssembly.Module(meterModule(bytes, { policy, deferStart: true }) as Uint8Array<ArrayBuffer>)
    const entry = { module, moduleHash }
    this.entries.set(key, entry)
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!)
    return entry
  }
}

const TRAP_CODES: [RegExp, string, string][] = [
  [/unreachable/i, 'TRAP_UNREACHABLE', 'unreachable executed'],
  [/memory access out of bounds|out of bounds memory/i, 'TRAP_MEMORY', 'memory access out of bounds'],
  [/divide by zero|division by zero/i, 'TRAP_DIV_ZERO', 'integer divide by zero'],
  [/remainder by zero/i, 'TRAP_DIV_ZERO', 'integer remainder by zero'],
  [/integer overflow|unrepresentable|float unrepresentable/i, 'TRAP_INTEGER_OVERFLOW', 'integer overflow'],
  [/table index|table access|element segment/i, 'TRAP_TABLE', 'table access out of bounds'],
  [/null function|signature mismatch|function signature/i, 'TRAP_INDIRECT_CALL', 'indirect call failed'],
  [/data segment/i, 'TRAP_DATA_SEGMENT', 'data segment out of bounds'],
]

function classify(e: unknown, fuel: bigint | undefined, stack: number | undefined): EvaluationError {
  // Order matters: a spent counter explains any trap that followed it (the precise-trap semantics).
  if (fuel !== undefined && fuel < 0n) return { code: 'FUEL_EXHAUSTED', message: 'fuel exhausted' }
  if (e instanceof HostTrap || isAgoraError(e)) return { code: (e as AgoraError).code, message: (e as AgoraError).message }
  if (stack !== undefined && stack < 0) return { code: 'STACK_OVERFLOW', message: 'stack depth limit exceeded' }
  if (e instanceof RangeError && /call stack/i.test(e.message)) return { code: 'STACK_OVERFLOW', message: 'native stack exhausted' }
  if (e instanceof WebAssembly.LinkError) return { code: 'MODULE_LINK', message: 'module failed to link' }
  const msg = e instanceof Error ? e.message : String(e)
  for (const [re, code, message] of TRAP_CODES) if (re.test(msg)) return { code, message }
  if (/out of memory|could not allocate/i.test(msg)) return { code: 'MEMORY_LIMIT', message: 'memory allocation failed' }
  return { code: 'TRAP', message: 'trap' }
}

export function evaluateInProcess(req: EvaluationRequest, cache: ModuleCache = new ModuleCache(1)): EvaluationResult {
  const policy = req.policy
  const entry = req.entry ?? DEFAULT_ENTRY
  const moduleHash = hashHex(req.module)
  const nested = (module: Uint8Array, input: Uint8Array, fuelLimit: bigint, maxOutputBytes: number): NestedRunResult => {
    const nestedPolicy: RuntimePolicy = {
      ...DEFAULT_POLICY,
      fuelLimit,
      maxOutputBytes: Math.max(8, Math.min(maxOutputBytes, policy.maxOutputBytes)),
      maxMemoryPages: Math.min(DEFAULT_POLICY.maxMemoryPages, policy.maxMemoryPages),
      maxModuleBytes: MAX_NESTED_MODULE_BYTES,
      hostFunctions: ['input_len', 'input_read', 'output_write', 'log', 'seed'],
    }
    const r = evaluateInProcess({ module, input, seed: req.seed, policy: nestedPolicy }, cache)
    return { ok: r.ok, code: r.error?.code, fuelUsed: r.fuelUsed, output: r.output }
  }
  const ctx = createHostContext(policy, req.input, req.seed, policy.hostFunctions.includes('run_nested') ? nested : undefined)

  let error: EvaluationError | undefined
  let remaining: bigint | undefined
  let stack: number | undefined
  let exports: WebAssembly.Exports | undefined
  try {
    if (req.seed.length !== 32) throw new AgoraError('BAD_SEED', `seed must be 32 bytes, got ${req.seed.length}`)
    if (req.input.length > policy.maxInputBytes) throw new AgoraError('INPUT_TOO_LARGE', `input is ${req.input.length} bytes, policy allows ${policy.maxInputBytes}`)
    const compiled = cache.get(req.module, policy, moduleHash)
    const instance = new WebAssembly.Instance(compiled.module, hostImports(ctx))
    exports = instance.exports
    ctx.memory = exports[MEMORY_EXPORT] as WebAssembly.Memory | undefined
    ctx.fuel = exports[FUEL_GLOBAL] as WebAssembly.Global
    const start = exports[START_EXPORT]
    if (typeof start === 'function') start()
    const fn = exports[entry]
    if (typeof fn !== 'function') throw new AgoraError('ENTRY_MISSING', `module exports no function "${entry}"`)
    const status = fn()
    remaining = (exports[FUEL_GLOBAL] as WebAssembly.Global).value as bigint
    if (remaining < 0n) throw new HostTrap('FUEL_EXHAUSTED', 'fuel exhausted')
    if (status !== 0) throw new AgoraError('STATUS_NONZERO', `entry "${entry}" returned status ${typeof status === 'number' ? status : String(status)}`)
  } catch (e) {
    if (exports) {
      remaining = (exports[FUEL_GLOBAL] as WebAssembly.Global).value as bigint
      stack = (exports[STACK_GLOBAL] as WebAssembly.Global).value as number
    }
    error = classify(e, remaining, stack)
  }
  const spent = remaining === undefined ? 0n : policy.fuelLimit - remaining
  const fuelUsed = spent < 0n ? 0n : spent > policy.fuelLimit ? policy.fuelLimit : spent
  const output = error ? new Uint8Array() : concatBytes(...ctx.outputChunks)
  const audit: AuditRecord = {
    version: 1,
    moduleHash,
    inputHash: hashHex(req.input),
    seedHash: hashHex(req.seed),
    policyHash: policyHash(policy),
    entry,
    fuelLimit: policy.fuelLimit,
    fuelUsed: error?.code === 'FUEL_EXHAUSTED' ? policy.fuelLimit : fuelUsed,
    hostCalls: ctx.calls,
    outcome: error ? error.code : 'ok',
    outputHash: hashHex(output),
    outputBytes: output.length,
  }
  return { ok: !error, fuelUsed: audit.fuelUsed, output, error, auditHash: auditHash(audit), audit, logs: ctx.logs }
}
