// Fuel metering by instrumentation. Every basic block is charged its cost (1 per instruction; nop, drop,
// block, loop, else, end free) at block entry, and traps (`unreachable`) before running if the remaining
// fuel is smaller; bulk memory and table ops are charged by size too, right before they run (bulk.ts). The counter is the exported i64 global `agora_fuel`; inside the module it travels as
// a parameter and extra result of every function (see rewriteCode), so charges cost no memory traffic.
// On success fuelUsed is the exact instruction count. Stack depth is counted the same way (`agora_stack`,
// Substrate-style: each call costs 1 + (locals + instructions) / 64 units), never from V8's native stack.
import { AgoraError } from '../../../core/errors.ts'
import { FUEL_GLOBAL, MEMORY_EXPORT, START_EXPORT, STACK_GLOBAL } from './abi.ts'
import type { RuntimePolicy } from './policy.ts'
import { Reader, Writer, encodeName, invalid, sleb, uleb } from './wasm/binary.ts'
import { checkImportsAndExports, checkLimits } from './wasm/check.ts'
import { BulkUnit, bulkChargeCode } from './wasm/bulk.ts'
import { chooseUnchecked, createBlockTracker, foldBranchCharges, type Block } from './wasm/blocks.ts'
import { decodeInstruction } from './wasm/instructions.ts'
import { SectionId, parseModule, readValType, type FuncType, type Limits, type ParsedModule } from './wasm/module.ts'

export interface MeterOptions {
  /** Fuel the counter starts with, so a start function runs metered too (default 10,000,000). */
  readonly initialFuel?: bigint | number
  /** Stack units the depth counter starts with (default: the policy's, else 4096). */
  readonly maxStackDepth?: number
  /** When given: size, import whitelist, memory/table caps and float policy are enforced too. */
  readonly policy?: RuntimePolicy
  /**
   * Move the start function out of instantiation: it is exported as `agora_start` for the host to call
   * right after instantiating, so a trap in it can still be classified (fuel, stack) from the globals.
   */
  readonly deferStart?: boolean
}

export const DEFAULT_INITIAL_FUEL = 10_000_000n
/** Stack units charged per call: 1 + one per this many locals/instructions (bounds V8's real frame). */
const STACK_UNIT_SLOTS = 64

/** A change at `pos`: `skip` original bytes replaced by `bytes`, or the charge of `block`. */
interface Insert { readonly pos: number; readonly skip: number; readonly bytes?: number[]; readonly block?: Block; readonly brIf?: { from: Block; label: number }; readonly local?: { op: number; index: number } }

/** Instrument `bytes`; refuses invalid or forbidden modules with an AgoraError code. */
export function meterModule(bytes: Uint8Array, opts: MeterOptions = {}): Uint8Array {
  const policy = opts.policy
  if (policy && bytes.length > policy.maxModuleBytes) {
    throw new AgoraError('MODULE_TOO_LARGE', `module is ${bytes.length} bytes, policy allows ${policy.maxModuleBytes}`)
  }
  if (!WebAssembly.validate(bytes)) throw invalid(`module does not validate (${describeInvalid(bytes)})`)
  const initialFuel = BigInt(opts.initialFuel ?? policy?.fuelLimit ?? DEFAULT_INITIAL_FUEL)
  if (initialFuel < 0n || initialFuel >= 1n << 63n) throw new AgoraError('BAD_FUEL', `initial fuel ${initialFuel} is out of range`)
  const stack = opts.maxStackDepth ?? policy?.maxStackDepth ?? 4096
  const allowFloats = policy ? policy.allowFloats : true

  const m = parseModule(bytes)
  if (policy) checkLimits(m, policy)
  checkImportsAndExports(m, policy)
  // With floats allowed under a policy, every NaN an arithmetic op yields is made the canonical NaN,
  // since CPUs differ in the sign and payload of the NaNs they generate.
  const code = rewriteCode(m, allowFloats, policy?.allowFloats === true)
  return assemble(m, code, initialFuel, stack, policy, opts.deferStart ?? false)
}

function describeInvalid(bytes: Uint8Array): string {
  try { new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>); return 'unknown reason' } catch (e) { return (e as Error).message.replace(/^WebAssembly\.Module\(\): /, '') }
}

interface RewrittenCode {
  /** One body per defined function, in order: the wrappers (original indices), then the internal bodies. */
  bodies: Uint8Array[]
  /** Type index of each internal body (params + fuel + depth → results + fuel). */
  internalTypes: number[]
  extraTypes: FuncType[]
  sawFloat: boolean
}

// Calling convention. Each defined function f keeps its index as a small wrapper with f's own type, used
// by exports, tables, ref.func and start; the body proper moves to index f + (defined count) and takes
// the fuel counter (i64) and the stack units left (i32) as two extra parameters and hands the fuel back
// as an extra result. Direct calls between defined functions go to the internal bodies, so fuel and
// depth travel in registers: a global round trip per call cost up to 1.7× on call-heavy code. The
// globals are synced only where something outside can observe them: around host and indirect calls,
// in the wrappers, and before a metering trap.
function rewriteCode(m: ParsedModule, allowFloats: boolean, canonicalizeNaN: boolean): RewrittenCode {
  const section = m.sections.find((s) => s.id === SectionId.code)
  const extraTypes: FuncType[] = []
  const internalTypes: number[] = []
  const wrappers: Uint8Array[] = []
  const bodies: Uint8Array[] = []
  let sawFloat = false
  if (!section) return { bodies, internalTypes, extraTypes, sawFloat }
  const fuelIdx = m.importedGlobals + m.globalTypes.length
  const stackIdx = fuelIdx + 1
  const r = new Reader(m.bytes, section.start, section.end)
  const count = r.u32()
  if (count !== m.funcTypeIndices.length) throw invalid('function and code section counts differ')
  const imported = m.importedFuncs

  const typeIndex = (params: number[], results: number[]): number => {
    const same = (t: FuncType): boolean => t.params.length === params.length && t.results.length === results.length &&
      t.params.every((x, i) => x === params[i]) && t.results.every((x, i) => x === results[i])
    const idx = m.types.findIndex(same)
    if (idx >= 0) return idx
    const e = extraTypes.findIndex(same)
    return e >= 0 ? m.types.length + e : m.types.length + extraTypes.push({ params, results }) - 1
  }
  const blockTypeFor = (results: number[]): number[] => {
    if (results.length === 0) return [0x40]
    if (results.length === 1) return [results[0]!]
    return sleb(BigInt(typeIndex([], results)))
  }

  for (let f = 0; f < count; f++) {
    const size = r.u32()
    const bodyStart = r.pos
    const bodyEnd = bodyStart + size
    if (bodyEnd > section.end) throw invalid(`function ${f} body overruns the code section`)
    const type = m.types[m.funcTypeIndices[f]!]
    if (!type) throw invalid(`function ${f} has an unknown type`)
    const nParams = type.params.length
    // V8 takes at most 1000 parameters and 1000 results; the internal body adds two and one.
    if (nParams > 998 || type.results.length > 999) throw new AgoraError('MODULE_FORBIDDEN', `function ${f} has too many parameters or results to meter`)
    internalTypes.push(typeIndex([...type.params, 0x7e, 0x7f], [...type.results, 0x7e]))
    wrappers.push(wrapperBody(nParams, imported + count + f, fuelIdx, stackIdx))
    const br = new Reader(m.bytes, bodyStart, bodyEnd)
    const imm = new Reader(m.bytes, bodyStart, bodyEnd) // re-reads the index immediates of local ops and calls
    let locals = nParams
    const groups = br.u32()
    const groupsStart = br.pos
    for (let g = groups; g > 0; g--) {
      locals += br.u32()
      const t = readValType(br)
      if (t === 0x7d || t === 0x7c) { sawFloat = true; if (!allowFloats) throw floatError(f) }
    }
    const instrStart = br.pos
    // Parameters, then fuel and depth, then the declared locals (shifted by 2), then NaN scratch.
    const fuelLocal = nParams
    const depthLocal = nParams + 1
    const tmpF32 = locals + 2
    const tmpF64 = locals + 3
    const tmpLen = locals + 2 + (canonicalizeNaN ? 2 : 0) // i32 scratch for bulk-op lengths
    let usesBulk = false
    const syncOut = [0x20, ...uleb(fuelLocal), 0x24, ...uleb(fuelIdx)]
    const syncIn = [0x23, ...uleb(fuelIdx), 0x21, ...uleb(fuelLocal)]
    const publishDepth = [0x20, ...uleb(depthLocal), 0x24, ...uleb(stackIdx)]

    const inserts: Insert[] = []
    const add = (pos: number, bytes: number[], skip = 0): void => { inserts.push({ pos, skip, bytes }) }
    const tracker = createBlockTracker(m.bytes, instrStart, (block) => inserts.push({ pos: block.pos, skip: 0, block }))
    let instrs = 0
    let done = false
    while (br.pos < bodyEnd && !done) {
      const pos = br.pos
      const d = decodeInstruction(br)
      instrs++
      if (d.float) {
        sawFloat = true
        if (!allowFloats) throw floatError(f)
        if (canonicalizeNaN) {
          const fix = nanFix(d.op, tmpF32, tmpF64)
          if (fix) add(br.pos, fix)
        }
      }
      if (d.bulk !== BulkUnit.none) { usesBulk = true; add(pos, bulkChargeCode(d.bulk, tmpLen, fuelLocal, fuelIdx)) }
      imm.pos = pos + 1
      const index = (d.op >= 0x20 && d.op <= 0x22) || d.op === 0x10 ? imm.u32() : -1 // local or callee
      if (d.op >= 0x20 && d.op <= 0x22) {
        if (index >= nParams) inserts.push({ pos, skip: br.pos - pos, local: { op: d.op, index: index + 2 } })
      } else if (d.op === 0x10 && index >= imported) {
        add(pos, [0x20, ...uleb(fuelLocal), 0x20, ...uleb(depthLocal), 0x10, ...uleb(index + count), 0x21, ...uleb(fuelLocal)], br.pos - pos)
      } else if (d.op === 0x11 || d.op === 0x10) {
        // A host function or, through a table, a wrapper: publish fuel and depth (a host that calls back
        // in enters through a wrapper too), take the fuel back after.
        add(pos, [...syncOut, ...publishDepth])
        add(br.pos, syncIn)
      } else if (d.op === 0x0f) {
        add(pos, [0x20, ...uleb(fuelLocal)]) // the internal body returns its results and then the fuel
      } else if (d.op === 0x0d) {
        inserts.push({ pos, skip: br.pos - pos, brIf: { from: tracker.current(), label: d.labels[0]! } }) // see foldBranchCharges
      }
      done = tracker.step(d, pos, br.pos)
    }
    const finalEnd = br.pos - 1
    if (!done || br.pos !== bodyEnd) throw invalid(`function ${f} body does not end where its size says`)

    const weight = 1 + Math.floor((locals + instrs) / STACK_UNIT_SLOTS)
    const w = new Writer()
    // The function's own locals, then (floats allowed) f32/f64 scratch for NaN fix-ups, then (bulk ops
    // used) the i32 scratch for their lengths.
    w.u32(groups + (canonicalizeNaN ? 2 : 0) + (usesBulk ? 1 : 0))
    w.push(m.bytes.subarray(groupsStart, instrStart))
    if (canonicalizeNaN) w.push([0x01, 0x7d, 0x01, 0x7c])
    if (usesBulk) w.push([0x01, 0x7f])
    // depth -= weight; if depth < 0 { publish depth and fuel; unreachable }
    w.push([0x20, ...uleb(depthLocal), 0x41, ...sleb(BigInt(weight)), 0x6b, 0x22, ...uleb(depthLocal), 0x41, 0x00, 0x48,
      0x04, 0x40, ...publishDepth, ...syncOut, 0x00, 0x0b])
    chooseUnchecked(tracker.blocks)
    foldBranchCharges(tracker.blocks)
    emitCharge(w, tracker.first, fuelIdx, fuelLocal)
    // A wrapper block, so branches to the function's own label land before the fuel result is pushed.
    w.push([0x02, ...blockTypeFor(type.results)])
    let at = instrStart
    for (const ins of inserts) {
      w.push(m.bytes.subarray(at, ins.pos))
      at = ins.pos + ins.skip
      if (ins.bytes) w.push(ins.bytes)
      else if (ins.local) { w.byte(ins.local.op); w.u32(ins.local.index) }
      else if (ins.block) emitCharge(w, ins.block, fuelIdx, fuelLocal)
      else if (ins.brIf && ins.brIf.from.folded) {
        // br_if L → if { fuel -= folded cost; br L } (one label deeper inside the if)
        w.push([0x04, 0x40, 0x20, ...uleb(fuelLocal), 0x42, ...sleb(BigInt(ins.brIf.from.cost)), 0x7d, 0x21, ...uleb(fuelLocal), 0x0c, ...uleb(ins.brIf.label + 1), 0x0b])
      } else w.push(m.bytes.subarray(ins.pos, ins.pos + ins.skip))
    }
    w.push(m.bytes.subarray(at, finalEnd))
    w.byte(0x0b) // end of the wrapper block
    w.push([0x20, ...uleb(fuelLocal), 0x0b])
    bodies.push(w.finish())
    r.pos = bodyEnd
  }
  return { bodies: [...wrappers, ...bodies], internalTypes, extraTypes, sawFloat }
}

/**
 * The entry with the original type: runs the internal body with the fuel and depth from the globals,
 * stores the fuel back, and restores the depth global (indirect calls inside may have lowered it).
 */
function wrapperBody(nParams: number, internal: number, fuelIdx: number, stackIdx: number): Uint8Array {
  const w = new Writer()
  w.push([0x01, 0x01, 0x7f]) // one i32 local: the depth on entry
  for (let i = 0; i < nParams; i++) w.push([0x20, ...uleb(i)])
  w.push([0x23, ...uleb(fuelIdx), 0x23, ...uleb(stackIdx), 0x22, ...uleb(nParams), 0x10, ...uleb(internal)])
  w.push([0x24, ...uleb(fuelIdx), 0x20, ...uleb(nParams), 0x24, ...uleb(stackIdx), 0x0b])
  return w.finish()
}

const F32_NAN_OPS = new Set([0x8d, 0x8e, 0x8f, 0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0xb6])
const F64_NAN_OPS = new Set([0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xbb])

/** After an op that may generate a NaN: x → (x == x ? x : canonical NaN). Not charged as fuel. */
function nanFix(op: number, tmpF32: number, tmpF64: number): number[] | undefined {
  if (F32_NAN_OPS.has(op)) {
    return [0x22, ...uleb(tmpF32), 0x43, 0x00, 0x00, 0xc0, 0x7f, 0x20, ...uleb(tmpF32), 0x20, ...uleb(tmpF32), 0x5b, 0x1b]
  }
  if (F64_NAN_OPS.has(op)) {
    return [0x22, ...uleb(tmpF64), 0x44, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f, 0x20, ...uleb(tmpF64), 0x20, ...uleb(tmpF64), 0x61, 0x1b]
  }
  return undefined
}

const floatError = (f: number): AgoraError => new AgoraError('FLOAT_FORBIDDEN', `function ${f} uses floats and the policy forbids floats`)

/**
 * fuel -= cost; if fuel < 0 { publish it; unreachable } — before the block runs (exact trap point). An
 * `if` per check, not a `br_if` to one exit block around the body: that measured slower on V8 11 (shell
 * sort 1.03 → 1.13× plain, tsp 1.045 → 1.053×), and the checks themselves cost at most ~3 % (issue #18).
 */
function emitCharge(w: Writer, ins: Block, fuelIdx: number, fuelLocal: number): void {
  const cost = ins.folded ? 0 : ins.cost + ins.carry
  if (cost === 0) return
  const f = uleb(fuelLocal)
  if (ins.unchecked) { w.push([0x20, ...f, 0x42, ...sleb(BigInt(cost)), 0x7d, 0x21, ...f]); return }
  w.push([0x20, ...f, 0x42, ...sleb(BigInt(cost)), 0x7d, 0x22, ...f, 0x42, 0x00, 0x53, 0x04, 0x40, 0x20, ...f, 0x24, ...uleb(fuelIdx), 0x00, 0x0b])
}

// ---- module assembly -------------------------------------------------------------------------------

const ORDER: Record<number, number> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 7: 7, 8: 8, 9: 9, 12: 10, 10: 11, 11: 12 }

function encodeLimits(l: Limits): number[] {
  return l.max === undefined ? [0x00, ...uleb(l.min)] : [0x01, ...uleb(l.min), ...uleb(l.max)]
}
const clamp = (l: Limits, cap: number): Limits => ({ min: l.min, max: l.max === undefined ? cap : Math.min(l.max, cap) })

function section(id: number, content: Writer | Uint8Array): Uint8Array {
  const bytes = content instanceof Writer ? content.finish() : content
  const w = new Writer()
  w.byte(id)
  w.u32(bytes.length)
  w.push(bytes)
  return w.finish()
}

function assemble(m: ParsedModule, code: RewrittenCode, initialFuel: bigint, stack: number, policy: RuntimePolicy | undefined, deferStart: boolean): Uint8Array {
  const out = new Writer()
  out.push([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00])
  const fuelIdx = m.importedGlobals + m.globalTypes.length
  let globalsDone = false
  let exportsDone = false
  const src = (s: { start: number; end: number }): Uint8Array => m.bytes.subarray(s.start, s.end)

  const newGlobals = (): number[] => [
    0x7e, 0x01, 0x42, ...sleb(initialFuel), 0x0b,
    0x7f, 0x01, 0x41, ...sleb(BigInt(stack)), 0x0b,
  ]
  // Runtime exports: the two counters, memory 0 (host calls read and write it), the deferred start.
  const extra: number[][] = [[...encodeName(FUEL_GLOBAL), 0x03, ...uleb(fuelIdx)], [...encodeName(STACK_GLOBAL), 0x03, ...uleb(fuelIdx + 1)]]
  if (m.memories.length > 0) extra.push([...encodeName(MEMORY_EXPORT), 0x02, 0x00])
  if (deferStart && m.start !== undefined) extra.push([...encodeName(START_EXPORT), 0x00, ...uleb(m.start)])
  const newExports = (): number[] => extra.flat()
  const emitGlobalsIfDue = (rank: number): void => {
    if (!globalsDone && rank > ORDER[SectionId.global]!) { out.push(section(SectionId.global, new Uint8Array([2, ...newGlobals()]))); globalsDone = true }
    if (!exportsDone && rank > ORDER[SectionId.export]!) { out.push(section(SectionId.export, new Uint8Array([extra.length, ...newExports()]))); exportsDone = true }
  }

  for (const s of m.sections) {
    if (s.id === SectionId.custom) continue // names and debug info are not needed to run
    emitGlobalsIfDue(ORDER[s.id]!)
    const r = new Reader(m.bytes, s.start, s.end)
    switch (s.id) {
      case SectionId.type: {
        if (code.extraTypes.length === 0) { out.push(section(s.id, src(s))); break }
        const w = new Writer()
        w.u32(r.u32() + code.extraTypes.length)
        w.push(m.bytes.subarray(r.pos, s.end))
        for (const t of code.extraTypes) w.push([0x60, ...uleb(t.params.length), ...t.params, ...uleb(t.results.length), ...t.results])
        out.push(section(s.id, w))
        break
      }
      case SectionId.table: {
        if (!policy) { out.push(section(s.id, src(s))); break }
        const w = new Writer()
        w.u32(m.tables.length)
        for (const t of m.tables) { w.byte(t.refType); w.push(encodeLimits(clamp(t.limits, policy.maxTableSize))) }
        out.push(section(s.id, w))
        break
      }
      case SectionId.memory: {
        if (!policy) { out.push(section(s.id, src(s))); break }
        const w = new Writer()
        w.u32(m.memories.length)
        for (const mem of m.memories) w.push(encodeLimits(clamp(mem, policy.maxMemoryPages)))
        out.push(section(s.id, w))
        break
      }
      case SectionId.global: {
        const w = new Writer()
        w.u32(r.u32() + 2)
        w.push(m.bytes.subarray(r.pos, s.end))
        w.push(newGlobals())
        out.push(section(s.id, w))
        globalsDone = true
        break
      }
      case SectionId.export: {
        const w = new Writer()
        w.u32(r.u32() + extra.length)
        w.push(m.bytes.subarray(r.pos, s.end))
        w.push(newExports())
        out.push(section(s.id, w))
        exportsDone = true
        break
      }
      case SectionId.start:
        if (!deferStart) out.push(section(s.id, src(s)))
        break
      case SectionId.function: {
        const w = new Writer()
        w.u32(r.u32() + code.internalTypes.length)
        w.push(m.bytes.subarray(r.pos, s.end))
        for (const t of code.internalTypes) w.u32(t)
        out.push(section(s.id, w))
        break
      }
      case SectionId.code: {
        const w = new Writer()
        w.u32(code.bodies.length)
        for (const b of code.bodies) { w.u32(b.length); w.push(b) }
        out.push(section(s.id, w))
        break
      }
      default:
        out.push(section(s.id, src(s)))
    }
  }
  emitGlobalsIfDue(99)
  return out.finish()
}
