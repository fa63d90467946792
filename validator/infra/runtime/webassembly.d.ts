// Minimal WebAssembly JS API typings (the project's lib is ES2023 without DOM, and @types/node 20 has
// none). Only what the runtime uses.
declare namespace WebAssembly {
  type ImportValue = Function | Global | Memory | Table | number | bigint
  type Imports = Record<string, Record<string, ImportValue>>
  type ExportValue = Function | Global | Memory | Table
  type Exports = Record<string, ExportValue>
  interface ModuleExportDescriptor { kind: 'function' | 'table' | 'memory' | 'global' | 'tag'; name: string }
  interface ModuleImportDescriptor extends ModuleExportDescriptor { module: string }
  class Module {
    constructor(bytes: WasmBytes)
    static exports(module: Module): ModuleExportDescriptor[]
    static imports(module: Module): ModuleImportDescriptor[]
  }
  class Instance {
    constructor(module: Module, imports?: Imports)
    readonly exports: Exports
  }
  class Memory {
    constructor(descriptor: { initial: number; maximum?: number })
    readonly buffer: ArrayBuffer
    grow(delta: number): number
  }
  class Table { readonly length: number }
  class Global {
    constructor(descriptor: { value: string; mutable?: boolean }, v?: unknown)
    value: any
  }
  class CompileError extends Error {}
  class LinkError extends Error {}
  class RuntimeError extends Error {}
  function validate(bytes: WasmBytes): boolean
  function compile(bytes: WasmBytes): Promise<Module>
  function instantiate(module: Module, imports?: Imports): Promise<Instance>
}
type WasmBytes = ArrayBufferView<ArrayBufferLike> | ArrayBufferLike
