// Size-dependent fuel for bulk memory and table ops, whose work grows with their length operand (the
// i32 on top of the stack for all six). The op costs 1 like any instruction; the code emitted before it
// also charges a base plus a per-unit cost and traps when the counter goes negative, before the work.
// Grows (memory.grow, table.grow) are not charged by size: the clamped maximum bounds their whole run.
import { sleb, uleb } from './binary.ts'

/** What a bulk op's length operand counts. */
export const BulkUnit = { none: 0, bytes: 1, elements: 2 } as const
export type BulkUnit = (typeof BulkUnit)[keyof typeof BulkUnit]

/** 0xfc sub-opcodes: memory.init (8), memory.copy (10), memory.fill (11) count bytes; table.init (12),
 * table.copy (14), table.fill (17) count elements. */
export function bulkUnit(sub: number): BulkUnit {
  if (sub === 8 || sub === 10 || sub === 11) return BulkUnit.bytes
  if (sub === 12 || sub === 14 || sub === 17) return BulkUnit.elements
  return BulkUnit.none
}

/** Any bulk op leaves generated code for a V8 runtime call (measured ≈ 5 ns, tens of ordinary
 * instructions), so a zero-length op is not nearly free. */
export const BULK_BASE_FUEL = 16
/** Bytes per fuel unit: memset/memcpy over 16 MiB run ≈ 0.026 ns/byte here, ≈ 0.1 ns per 4-byte word,
 * the time of an ordinary instruction; a word-by-word loop pays ≥ 4 per word, so bulk stays cheaper. */
export const BULK_BYTES_PER_FUEL_LOG2 = 2
/** Fuel per table element: table.fill/copy/init measured ≈ 10 ns per element (a runtime write each). */
export const BULK_FUEL_PER_ELEMENT_LOG2 = 6

/** Fuel a bulk op of `n` units is charged on top of its own 1 (the same formula the emitted code uses). */
export function bulkCharge(unit: BulkUnit, n: number): bigint {
  const big = BigInt(n >>> 0)
  if (unit === BulkUnit.bytes) return BigInt(BULK_BASE_FUEL) + ((big + (1n << BigInt(BULK_BYTES_PER_FUEL_LOG2)) - 1n) >> BigInt(BULK_BYTES_PER_FUEL_LOG2))
  if (unit === BulkUnit.elements) return BigInt(BULK_BASE_FUEL) + (big << BigInt(BULK_FUEL_PER_ELEMENT_LOG2))
  return 0n
}

/**
 * Code placed right before a bulk op: takes the length into `lenLocal`, subtracts the charge from the
 * fuel local, publishes the fuel and traps if it went negative, then puts the length back.
 */
export function bulkChargeCode(unit: BulkUnit, lenLocal: number, fuelLocal: number, fuelGlobal: number): number[] {
  const n = uleb(lenLocal)
  const f = uleb(fuelLocal)
  const base = BigInt(BULK_BASE_FUEL)
  // units: ceil(n / 2^k) + base = (n + 2^k - 1 + base * 2^k) >> k, or n << k + base
  const units = unit === BulkUnit.bytes
    ? [0x42, ...sleb(((base + 1n) << BigInt(BULK_BYTES_PER_FUEL_LOG2)) - 1n), 0x7c, 0x42, ...sleb(BigInt(BULK_BYTES_PER_FUEL_LOG2)), 0x88]
    : [0x42, ...sleb(BigInt(BULK_FUEL_PER_ELEMENT_LOG2)), 0x86, 0x42, ...sleb(base), 0x7c]
  return [
    0x21, ...n, // local.set len
    0x20, ...f, 0x20, ...n, 0xad, ...units, 0x7d, // fuel - charge(i64.extend_i32_u len)
    0x22, ...f, 0x42, 0x00, 0x53, // local.tee fuel; i64.lt_s 0
    0x04, 0x40, 0x20, ...f, 0x24, ...uleb(fuelGlobal), 0x00, 0x0b, // if { publish; unreachable }
    0x20, ...n, // local.get len
  ]
}
