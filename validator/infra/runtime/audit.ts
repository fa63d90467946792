// The audit record of one evaluation: what ran (module, input, seed, policy hashes), what it did (host
// calls with byte counts, fuel) and how it ended. Canonically encoded and hashed, so validators can
// compare audit hashes instead of whole logs.
import { toHex } from '../../../core/bytes.ts'
import { encode } from '../../../core/encoding.ts'
import { sha256, taggedHash } from '../../../core/hash.ts'
import type { HostCallRecord } from './host.ts'
import { policyToJson } from './policy-defaults.ts'
import type { RuntimePolicy } from './policy.ts'

export interface AuditRecord {
  readonly version: 1
  readonly moduleHash: string
  readonly inputHash: string
  readonly seedHash: string
  readonly policyHash: string
  readonly entry: string
  readonly fuelLimit: bigint
  readonly fuelUsed: bigint
  readonly hostCalls: HostCallRecord[]
  /** 'ok' or the error code (never an engine message: those differ between V8 versions). */
  readonly outcome: string
  readonly outputHash: string
  readonly outputBytes: number
}

export const hashHex = (b: Uint8Array): string => toHex(sha256(b))

export function policyHash(policy: RuntimePolicy): string {
  return toHex(taggedHash('agora/v1/runtime-policy', encode(policyToJson(policy))))
}

export function auditHash(a: AuditRecord): string {
  return toHex(taggedHash('agora/v1/audit', encode({ ...a, hostCalls: a.hostCalls.map((c) => [...c]) })))
}
