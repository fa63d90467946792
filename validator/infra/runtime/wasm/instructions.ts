// Decoding of one instruction of a function body: its opcode, immediates (skipped), branch targets and
// whether it touches floats. Opcodes of features we never run (SIMD, threads, exceptions, tail calls,
// GC) are refused with MODULE_FORBIDDEN; unknown ones with MODULE_INVALID.
import { Reader, invalid } from './binary.ts'
import { BulkUnit, bulkUnit } from './bulk.ts'
import { forbidden, isFloatType, readValType } from './module.ts'

/** What the metering pass needs to know about an instruction. */
export const Flow = {
  plain: 0, block: 1, loop: 2, if: 3, else: 4, end: 5,
  br: 6, brIf: 7, brTable: 8, return: 9, unreachable: 10,
} as const

export interface Decoded {
  flow: number
  op: number
  /** Branch depths for br / br_if / br_table (reused buffer: copy if kept). */
  labels: number[]
  float: boolean
  /** What the length operand of a bulk memory or table op counts (charged by size, see bulk.ts). */
  bulk: BulkUnit
}

const FREE = new Set([0x01, 0x1a, 0x02, 0x03, 0x05, 0x0b]) // nop drop block loop else end (wasmtime's rule)
export const instructionCost = (op: number): number => (FREE.has(op) ? 0 : 1)

function isFloatOpcode(op: number): boolean {
  return op === 0x2a || op === 0x2b || op === 0x38 || op === 0x39 || op === 0x43 || op === 0x44 ||
    (op >= 0x5b && op <= 0x66) || (op >= 0x8b && op <= 0xa6) || (op >= 0xa8 && op <= 0xab) || (op >= 0xae && op <= 0xbf)
}

const scratch: Decoded = { flow: 0, op: 0, labels: [], float: false, bulk: BulkUnit.none }

function readBlockType(r: Reader): boolean {
  const b = r.bytes[r.pos]
  if (b === undefined) throw invalid('truncated block type')
  if (b === 0x40) { r.pos++; return false }
  if (b >= 0x40) return isFloatType(readValType(r)) // single value type (one byte)
  const idx = r.sleb(5) // s33 type index
  if (idx < 0n) throw invalid('negative block type index')
  return false
}

/** Decode the instruction at r.pos and advance past it. */
export function decodeInstruction(r: Reader): Decoded {
  const d = scratch
  const op = r.u8()
  d.op = op
  d.flow = Flow.plain
  d.float = false
  d.bulk = BulkUnit.none
  d.labels.length = 0
  if (op <= 0x1f) {
    switch (op) {
      case 0x00: d.flow = Flow.unreachable; return d
      case 0x01: return d
      case 0x02: d.flow = Flow.block; d.float = readBlockType(r); return d
      case 0x03: d.flow = Flow.loop; d.float = readBlockType(r); return d
      case 0x04: d.flow = Flow.if; d.float = readBlockType(r); return d
      case 0x05: d.flow = Flow.else; return d
      case 0x0b: d.flow = Flow.end; return d
      case 0x0c: d.flow = Flow.br; d.labels.push(r.u32()); return d
      case 0x0d: d.flow = Flow.brIf; d.labels.push(r.u32()); return d
      case 0x0e: {
        d.flow = Flow.brTable
        const n = r.u32()
        if (n > r.end - r.pos) throw invalid('br_table longer than its body')
        for (let i = 0; i <= n; i++) d.labels.push(r.u32())
        return d
      }
      case 0x0f: d.flow = Flow.return; return d
      case 0x10: r.u32(); return d
      case 0x11: r.u32(); r.u32(); return d
      case 0x1a: return d
      case 0x1b: return d
      case 0x1c: {
        const n = r.u32()
        for (let i = 0; i < n; i++) if (isFloatType(readValType(r))) d.float = true
        return d
      }
      case 0x06: case 0x07: case 0x08: case 0x09: case 0x0a: case 0x18: case 0x19: case 0x1f:
        throw forbidden(`exception handling (opcode 0x${op.toString(16)}) is not allowed`)
      case 0x12: case 0x13: case 0x15:
        throw forbidden(`tail calls (opcode 0x${op.toString(16)}) are not allowed`)
      default:
        throw forbidden(`opcode 0x${op.toString(16)} is not allowed`)
    }
  }
  if (op >= 0x20 && op <= 0x26) { r.u32(); return d }
  if (op >= 0x28 && op <= 0x3e) {
    const align = r.u32()
    if (align & 0x40) throw forbidden('multi-memory access is not allowed')
    r.u32()
    d.float = isFloatOpcode(op)
    return d
  }
  if (op === 0x3f || op === 0x40) { if (r.u8() !== 0) throw forbidden('multi-memory is not allowed'); return d }
  if (op === 0x41) { r.skipSleb(5); return d }
  if (op === 0x42) { r.skipSleb(10); return d }
  if (op === 0x43) { r.bytesN(4); d.float = true; return d }
  if (op === 0x44) { r.bytesN(8); d.float = true; return d }
  if (op >= 0x45 && op <= 0xc4) { d.float = isFloatOpcode(op); return d }
  if (op === 0xd0) { r.u8(); return d }
  if (op === 0xd1) return d
  if (op === 0xd2) { r.u32(); return d }
  if (op === 0xfc) {
    const sub = r.u32()
    if (sub <= 7) { d.float = true; return d } // saturating float-to-int
    d.bulk = bulkUnit(sub)
    switch (sub) {
      case 8: r.u32(); if (r.u8() !== 0) throw forbidden('multi-memory is not allowed'); return d
      case 9: r.u32(); return d
      case 10: if (r.u8() !== 0 || r.u8() !== 0) throw forbidden('multi-memory is not allowed'); return d
      case 11: if (r.u8() !== 0) throw forbidden('multi-memory is not allowed'); return d
      case 12: r.u32(); r.u32(); return d
      case 13: r.u32(); return d
      case 14: r.u32(); r.u32(); return d
      case 15: case 16: case 17: r.u32(); return d
      default: throw forbidden(`opcode 0xfc ${sub} is not allowed`)
    }
  }
  if (op === 0xfd) throw forbidden('SIMD is not allowed')
  if (op === 0xfe) throw forbidden('threads (atomics) are not allowed')
  if (op === 0xfb) throw forbidden('GC instructions are not allowed')
  throw forbidden(`opcode 0x${op.toString(16)} is not allowed`)
}
