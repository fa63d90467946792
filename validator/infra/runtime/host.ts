// Host functions given to a guest: input, output, seed, log and (by policy) nested runs. Each call is
// counted against the policy, refused once fuel is spent, and recorded with its byte counts for the
// audit. A refusal throws a HostTrap, which unwinds the guest and becomes the evaluation's error.
import { AgoraError } from '../../../core/errors.ts'
import { HOST_MODULE, NestedStatus } from './abi.ts'
import type { HostFunctionName, RuntimePolicy } from './policy.ts'

export class HostTrap extends AgoraError {}

/** One host call in the audit log: [function, bytes read from the guest, bytes written to the guest]. */
export type HostCallRecord = [HostFunctionName, number, number]

export interface NestedRunResult { readonly ok: boolean; readonly code?: string; readonly fuelUsed: bigint; readonly output: Uint8Array }
export type NestedRunner = (module: Uint8Array, input: Uint8Array, fuelLimit: bigint, maxOutputBytes: number) => NestedRunResult

export interface HostContext {
  readonly policy: RuntimePolicy
  readonly input: Uint8Array
  readonly seed: Uint8Array
  readonly calls: HostCallRecord[]
  readonly outputChunks: Uint8Array[]
  outputBytes: number
  readonly logs: string[]
  lastNestedFuel: bigint
  /** Set once the instance exists. */
  memory?: { readonly buffer: ArrayBuffer }
  fuel?: { value: bigint }
  readonly runNested?: NestedRunner
}

const MAX_LOGS = 64
const MAX_LOG_CHARS = 256

/** Largest module `run_nested` compiles: the sorter's own input cap; bigger is refused (status -1). */
export const MAX_NESTED_MODULE_BYTES = 64 << 10
/** Fixed fuel per nested compile: validate, meter and compile cost ≈ 0.3 ms even for a tiny module. */
export const NESTED_COMPILE_BASE_FUEL = 20_000n
/**
 * Fuel per nested module byte, charged on every call (cache hits too: fuel must not depend on a
 * worker's cache). Meter + compile measure ≈ 1 µs/byte, far above instruction parity, which would price
 * a 2 KB program above the sorter's whole budget; 64 bounds the compile work of one evaluation to
 * fuelLimit / 64 bytes (≈ 0.3 MB, ≈ 0.3 s for the sorter's 20M), well inside the wall-clock backstop.
 */
export const NESTED_COMPILE_FUEL_PER_BYTE = 64n

/** Fuel `run_nested` charges the caller for compiling a module of `bytes` bytes (before running it). */
export const nestedCompileFuel = (bytes: number): bigint => NESTED_COMPILE_BASE_FUEL + NESTED_COMPILE_FUEL_PER_BYTE * BigInt(bytes)

export function createHostContext(policy: RuntimePolicy, input: Uint8Array, seed: Uint8Array, runNested?: NestedRunner): HostContext {
  return { policy, input, seed, calls: [], outputChunks: [], outputBytes: 0, logs: [], lastNestedFuel: 0n, runNested }
}

function guestBytes(ctx: HostContext, ptr: number, len: number): Uint8Array {
  const p = ptr >>> 0
  const n = len >>> 0
  const buf = ctx.memory?.buffer
  if (!buf || p + n > buf.byteLength) throw new HostTrap('TRAP_MEMORY', `host call: guest range [${p}, ${p + n}) is out of bounds`)
  return new Uint8Array(buf, p, n)
}

/** The import object for one evaluation: only the policy's whitelisted functions exist. */
export function hostImports(ctx: HostContext): WebAssembly.Imports {
  const enter = (name: HostFunctionName): void => {
    if (ctx.fuel && ctx.fuel.value < 0n) throw new HostTrap('FUEL_EXHAUSTED', 'fuel exhausted')
    if (ctx.calls.length >= ctx.policy.maxHostCalls) throw new HostTrap('HOST_CALL_LIMIT', `more than ${ctx.policy.maxHostCalls} host calls`)
    ctx.calls.push([name, 0, 0])
  }
  const note = (bytesIn: number, bytesOut: number): void => {
    const rec = ctx.calls[ctx.calls.length - 1]!
    rec[1] = bytesIn
    rec[2] = bytesOut
  }
  const all: Record<HostFunctionName, (...args: any[]) => unknown> = {
    input_len: () => { enter('input_len'); return ctx.input.length },
    input_read: (dst: number, offset: number, len: number) => {
      enter('input_read')
      const off = offset >>> 0
      const n = Math.max(0, Math.min(len >>> 0, ctx.input.length - Math.min(off, ctx.input.length)))
      guestBytes(ctx, dst, n).set(ctx.input.subarray(off, off + n))
      note(0, n)
      return n
    },
    output_write: (src: number, len: number) => {
      enter('output_write')
      const bytes = guestBytes(ctx, src, len)
      if (ctx.outputBytes + bytes.length > ctx.policy.maxOutputBytes) {
        throw new HostTrap('OUTPUT_LIMIT', `output exceeds ${ctx.policy.maxOutputBytes} bytes`)
      }
      ctx.outputChunks.push(bytes.slice())
      ctx.outputBytes += bytes.length
      note(bytes.length, 0)
      return ctx.outputBytes
    },
    log: (src: number, len: number) => {
      enter('log')
      const bytes = guestBytes(ctx, src, Math.min(len >>> 0, 4096))
      if (ctx.logs.length < MAX_LOGS) ctx.logs.push(new TextDecoder().decode(bytes).slice(0, MAX_LOG_CHARS))
      note(bytes.length, 0)
    },
    seed: (dst: number) => {
      enter('seed')
      guestBytes(ctx, dst, ctx.seed.length).set(ctx.seed)
      note(0, ctx.seed.length)
    },
    run_nested: (modPtr: number, modLen: number, inPtr: number, inLen: number, fuel: bigint, outPtr: number, outCap: number) => {
      enter('run_nested')
      if (!ctx.runNested) throw new HostTrap('HOST_UNAVAILABLE', 'nested runs are not available here')
      if (modLen >>> 0 > MAX_NESTED_MODULE_BYTES) { ctx.lastNestedFuel = 0n; return NestedStatus.invalidModule }
      const mod = guestBytes(ctx, modPtr, modLen).slice()
      const inp = guestBytes(ctx, inPtr, inLen).slice()
      const out = guestBytes(ctx, outPtr, outCap)
      // The compile is the caller's work: charged by size, and refused before it starts if unaffordable.
      if (ctx.fuel) {
        ctx.fuel.value -= nestedCompileFuel(mod.length)
        if (ctx.fuel.value < 0n) throw new HostTrap('FUEL_EXHAUSTED', 'fuel exhausted (nested compile)')
      }
      // The nested run is metered under what the caller has left, so it can never overdraw it.
      let limit = fuel <= 0n ? 0n : fuel > ctx.policy.maxNestedFuel ? ctx.policy.maxNestedFuel : fuel
      if (ctx.fuel && limit > ctx.fuel.value) limit = ctx.fuel.value
      const r = limit === 0n ? { ok: false, code: 'FUEL_EXHAUSTED', fuelUsed: 0n, output: new Uint8Array() } : ctx.runNested(mod, inp, limit, out.length)
      ctx.lastNestedFuel = r.fuelUsed
      // The nested program's work is the caller's work too: charge it, so total effort stays bounded.
      if (ctx.fuel) {
        ctx.fuel.value -= r.fuelUsed
        if (ctx.fuel.value < 0n) throw new HostTrap('FUEL_EXHAUSTED', 'fuel exhausted (nested run)')
      }
      note(mod.length + inp.length, r.ok ? r.output.length : 0)
      if (r.ok) { out.set(r.output); return r.output.length }
      return nestedStatus(r.code)
    },
    nested_fuel_used: () => { enter('nested_fuel_used'); return ctx.lastNestedFuel },
  }
  const env: Record<string, Function> = {}
  for (const name of ctx.policy.hostFunctions) env[name] = all[name]
  return { [HOST_MODULE]: env }
}

function nestedStatus(code: string | undefined): number {
  if (code === 'FUEL_EXHAUSTED') return NestedStatus.fuelExhausted
  if (code === 'OUTPUT_LIMIT') return NestedStatus.outputTooLarge
  if (code?.startsWith('TRAP') || code === 'STACK_OVERFLOW') return NestedStatus.trap
  if (code?.startsWith('MODULE') || code === 'IMPORT_FORBIDDEN' || code === 'FLOAT_FORBIDDEN' || code === 'MEMORY_LIMIT' || code === 'TABLE_LIMIT') return NestedStatus.invalidModule
  return NestedStatus.failed
}
