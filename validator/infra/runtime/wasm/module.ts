// Structural parse of a WebAssembly module: sections and the parts the sandbox must inspect or rewrite
// (types, imports, function types, tables, memories, globals, exports, start). Function bodies are left
// as byte ranges for the metering pass. Features we never run (threads, SIMD, GC, exceptions,
// memory64, multi-memory) are refused here with MODULE_FORBIDDEN.
import { AgoraError } from '../../../../core/errors.ts'
import { Reader, invalid } from './binary.ts'

export const forbidden = (message: string): AgoraError => new AgoraError('MODULE_FORBIDDEN', message)

export const SectionId = { custom: 0, type: 1, import: 2, function: 3, table: 4, memory: 5, global: 6, export: 7, start: 8, element: 9, code: 10, data: 11, dataCount: 12, tag: 13 } as const

export const ValType = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b, funcref: 0x70, externref: 0x6f } as const
const allowedValTypes = new Set<number>([0x7f, 0x7e, 0x7d, 0x7c, 0x70, 0x6f])
export const isFloatType = (t: number): boolean => t === ValType.f32 || t === ValType.f64

export interface Section { readonly id: number; readonly start: number; readonly end: number }
export interface FuncType { readonly params: number[]; readonly results: number[] }
export interface Limits { readonly min: number; readonly max: number | undefined }
export interface Import { readonly module: string; readonly name: string; readonly kind: number; readonly typeIndex: number }
export interface Export { readonly name: string; readonly kind: number; readonly index: number }

export interface ParsedModule {
  readonly bytes: Uint8Array
  readonly sections: Section[]
  readonly types: FuncType[]
  readonly imports: Import[]
  readonly importedFuncs: number
  readonly importedGlobals: number
  readonly funcTypeIndices: number[]
  readonly tables: { readonly refType: number; readonly limits: Limits }[]
  readonly memories: Limits[]
  readonly globalTypes: number[]
  readonly exports: Export[]
  readonly start: number | undefined
  readonly usesFloatTypes: boolean
}

export function readValType(r: Reader): number {
  const t = r.u8()
  if (t === ValType.v128) throw forbidden('SIMD (v128) is not allowed')
  if (!allowedValTypes.has(t)) throw forbidden(`value type 0x${t.toString(16)} is not allowed (GC/typed references)`)
  return t
}

export function readLimits(r: Reader, what: string): Limits {
  const flags = r.u8()
  if (flags & 0x02) throw forbidden(`shared ${what} (threads) is not allowed`)
  if (flags & 0x04) throw forbidden(`64-bit ${what} is not allowed`)
  if (flags > 1) throw forbidden(`${what} limits flags 0x${flags.toString(16)} are not allowed`)
  const min = r.u32()
  const max = flags & 1 ? r.u32() : undefined
  return { min, max }
}

/** Skips a constant expression (global init, segment offsets) up to its `end`, noting floats. */
export function skipConstExpr(r: Reader): { float: boolean } {
  let float = false
  for (;;) {
    const op = r.u8()
    switch (op) {
      case 0x0b: return { float }
      case 0x41: r.skipSleb(5); break
      case 0x42: r.skipSleb(10); break
      case 0x43: r.bytesN(4); float = true; break
      case 0x44: r.bytesN(8); float = true; break
      case 0x23: case 0xd2: r.u32(); break
      case 0xd0: r.u8(); break
      case 0x6a: case 0x6b: case 0x6c: case 0x7c: case 0x7d: case 0x7e: break // extended const
      default: throw forbidden(`opcode 0x${op.toString(16)} is not allowed in a constant expression`)
    }
  }
}

export function readSections(bytes: Uint8Array): Section[] {
  if (bytes.length < 8) throw invalid(`module is truncated (${bytes.length} bytes)`)
  const magic = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]
  for (let i = 0; i < 8; i++) if (bytes[i] !== magic[i]) throw invalid('not a WebAssembly 1.0 binary (bad magic or version)')
  const r = new Reader(bytes, 8)
  const sections: Section[] = []
  while (!r.done) {
    const id = r.u8()
    const size = r.u32()
    const start = r.pos
    if (start + size > bytes.length) throw invalid(`section ${id} overruns the module`)
    if (id === SectionId.tag) throw forbidden('exception handling (tag section) is not allowed')
    if (id > SectionId.dataCount) throw invalid(`unknown section id ${id}`)
    sections.push({ id, start, end: start + size })
    r.pos = start + size
  }
  return sections
}

export function parseModule(bytes: Uint8Array): ParsedModule {
  const sections = readSections(bytes)
  const types: FuncType[] = []
  const imports: Import[] = []
  const funcTypeIndices: number[] = []
  const tables: { refType: number; limits: Limits }[] = []
  const memories: Limits[] = []
  const globalTypes: number[] = []
  const exports: Export[] = []
  let start: number | undefined
  let usesFloatTypes = false
  let importedFuncs = 0
  let importedGlobals = 0
  const noteType = (t: number): number => { if (isFloatType(t)) usesFloatTypes = true; return t }

  for (const s of sections) {
    const r = new Reader(bytes, s.start, s.end)
    switch (s.id) {
      case SectionId.type:
        for (let n = r.u32(); n > 0; n--) {
          const form = r.u8()
          if (form !== 0x60) throw forbidden(`type form 0x${form.toString(16)} is not allowed (GC types)`)
          const params = Array.from({ length: r.u32() }, () => noteType(readValType(r)))
          const results = Array.from({ length: r.u32() }, () => noteType(readValType(r)))
          types.push({ params, results })
        }
        break
      case SectionId.import:
        for (let n = r.u32(); n > 0; n--) {
          const module = r.name()
          const name = r.name()
          const kind = r.u8()
          let typeIndex = -1
          if (kind === 0) { typeIndex = r.u32(); importedFuncs++ }
          else if (kind === 1) { readValType(r); readLimits(r, 'table') }
          else if (kind === 2) readLimits(r, 'memory')
          else if (kind === 3) { noteType(readValType(r)); r.u8(); importedGlobals++ }
          else throw forbidden(`import kind ${kind} is not allowed`)
          imports.push({ module, name, kind, typeIndex })
        }
        break
      case SectionId.function:
        for (let n = r.u32(); n > 0; n--) funcTypeIndices.push(r.u32())
        break
      case SectionId.table:
        for (let n = r.u32(); n > 0; n--) {
          const refType = r.u8()
          if (refType !== ValType.funcref && refType !== ValType.externref) throw forbidden(`table type 0x${refType.toString(16)} is not allowed`)
          tables.push({ refType, limits: readLimits(r, 'table') })
        }
        break
      case SectionId.memory:
        for (let n = r.u32(); n > 0; n--) memories.push(readLimits(r, 'memory'))
        if (memories.length > 1) throw forbidden('multiple memories are not allowed')
        break
      case SectionId.global:
        for (let n = r.u32(); n > 0; n--) {
          globalTypes.push(noteType(readValType(r)))
          const mut = r.u8()
          if (mut > 1) throw forbidden(`global mutability 0x${mut.toString(16)} is not allowed`)
          if (skipConstExpr(r).float) usesFloatTypes = true
        }
        break
      case SectionId.export:
        for (let n = r.u32(); n > 0; n--) exports.push({ name: r.name(), kind: r.u8(), index: r.u32() })
        break
      case SectionId.start:
        start = r.u32()
        break
    }
    if (s.id !== SectionId.custom && s.id !== SectionId.element && s.id !== SectionId.code && s.id !== SectionId.data && s.id !== SectionId.dataCount && r.pos !== s.end) {
      throw invalid(`section ${s.id} has ${s.end - r.pos} trailing bytes`)
    }
  }
  return { bytes, sections, types, imports, importedFuncs, importedGlobals, funcTypeIndices, tables, memories, globalTypes, exports, start, usesFloatTypes }
}
