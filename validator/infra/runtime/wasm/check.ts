// Policy checks on a parsed module before it is ever compiled: size, imports (only whitelisted host
// functions with the exact ABI signature), memory/table caps, floats, reserved export names.
import { AgoraError } from '../../../../core/errors.ts'
import { FUEL_GLOBAL, HOST_MODULE, HOST_SIGNATURES, MEMORY_EXPORT, STACK_GLOBAL, START_EXPORT } from '../abi.ts'
import type { HostFunctionName, RuntimePolicy } from '../policy.ts'
import type { ParsedModule } from './module.ts'

const sameTypes = (a: number[], b: number[]): boolean => a.length === b.length && a.every((t, i) => t === b[i])

export function checkImportsAndExports(m: ParsedModule, policy: RuntimePolicy | undefined): void {
  for (const imp of m.imports) {
    const where = `import "${imp.module}"."${imp.name}"`
    if (imp.kind !== 0) throw new AgoraError('IMPORT_FORBIDDEN', `${where}: only host functions may be imported`)
    if (!policy) continue
    const allowed = imp.module === HOST_MODULE && (policy.hostFunctions as readonly string[]).includes(imp.name)
    if (!allowed) throw new AgoraError('IMPORT_FORBIDDEN', `${where} is not a whitelisted host function`)
    const want = HOST_SIGNATURES[imp.name as HostFunctionName]
    const got = m.types[imp.typeIndex]
    if (!got || !sameTypes(got.params, want.params) || !sameTypes(got.results, want.results)) {
      throw new AgoraError('IMPORT_FORBIDDEN', `${where} has the wrong signature`)
    }
  }
  for (const e of m.exports) {
    if ([FUEL_GLOBAL, STACK_GLOBAL, MEMORY_EXPORT, START_EXPORT].includes(e.name)) throw new AgoraError('MODULE_FORBIDDEN', `export name "${e.name}" is reserved for the runtime`)
  }
}

export function checkLimits(m: ParsedModule, policy: RuntimePolicy): void {
  if (m.bytes.length > policy.maxModuleBytes) {
    throw new AgoraError('MODULE_TOO_LARGE', `module is ${m.bytes.length} bytes, policy allows ${policy.maxModuleBytes}`)
  }
  for (const mem of m.memories) {
    if (mem.min > policy.maxMemoryPages) throw new AgoraError('MEMORY_LIMIT', `memory declares ${mem.min} initial pages, policy allows ${policy.maxMemoryPages}`)
  }
  for (const t of m.tables) {
    if (t.limits.min > policy.maxTableSize) throw new AgoraError('TABLE_LIMIT', `table declares ${t.limits.min} initial entries, policy allows ${policy.maxTableSize}`)
  }
  if (!policy.allowFloats && m.usesFloatTypes) throw new AgoraError('FLOAT_FORBIDDEN', 'module uses float types and the policy forbids floats')
}
