// run_nested: the nested module is bounded in size, its compile is charged to the caller by size before
// it starts, and the nested run is metered under the caller's remaining fuel.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { isAgoraError } from '../../core/errors.ts'
import { NestedStatus } from '../../validator/infra/runtime/abi.ts'
import { MAX_NESTED_MODULE_BYTES, createHostContext, hostImports, nestedCompileFuel, type NestedRunner } from '../../validator/infra/runtime/host.ts'
import { DEFAULT_POLICY } from '../../validator/infra/runtime/policy.ts'
import { SEED } from './helpers.ts'

const policy = { ...DEFAULT_POLICY, maxNestedFuel: 4_000_000n, hostFunctions: [...DEFAULT_POLICY.hostFunctions, 'run_nested' as const, 'nested_fuel_used' as const] }

/** A host context over a 2-page memory whose runner records the limits it is given and uses `used` fuel. */
function setup(fuel: bigint, used: (limit: bigint) => bigint) {
  const limits: bigint[] = []
  const runner: NestedRunner = (_m, _i, limit) => { limits.push(limit); const u = used(limit); return { ok: u <= limit, code: u <= limit ? undefined : 'FUEL_EXHAUSTED', fuelUsed: u <= limit ? u : limit, output: new Uint8Array() } }
  const ctx = createHostContext(policy, new Uint8Array(), SEED, runner)
  ctx.memory = new WebAssembly.Memory({ initial: 2 })
  ctx.fuel = { value: fuel }
  const run = hostImports(ctx).agora!.run_nested as (...a: (number | bigint)[]) => number
  return { ctx, limits, call: (modLen: number, want: bigint) => run(0, modLen, 0, 0, want, 0, 0) }
}

describe('run_nested', () => {
  it('charges compile fuel by module size, then the nested fuel used (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 8, max: MAX_NESTED_MODULE_BYTES }), fc.bigInt({ min: 0n, max: 3_000_000n }), (modLen, used) => {
      const start = 50_000_000n // above any compile charge plus the largest nested run drawn
      const { ctx, limits, call } = setup(start, () => used)
      expect(call(modLen, 4_000_000n), `modLen=${modLen}`).toBe(0)
      expect(start - ctx.fuel!.value).toBe(nestedCompileFuel(modLen) + used)
      expect(limits).toEqual([4_000_000n])
    }))
    expect(nestedCompileFuel(2000) - nestedCompileFuel(1000)).toBeGreaterThan(0n)
  })

  it('meters the nested run under the caller\'s remaining fuel', () => {
    const start = 1_000_000n
    const { ctx, limits, call } = setup(start, (limit) => limit + 1n) // a nested run that wants more than it gets
    expect(call(1000, 4_000_000n)).toBe(NestedStatus.fuelExhausted)
    expect(limits).toEqual([start - nestedCompileFuel(1000)])
    expect(ctx.fuel!.value).toBe(0n) // never overdrawn by the nested run
  })

  it('refuses a compile the caller cannot afford before compiling', () => {
    const { ctx, limits, call } = setup(nestedCompileFuel(1000) - 1n, () => 0n)
    let code = 'none'
    try { call(1000, 1000n) } catch (e) { code = isAgoraError(e) ? e.code : 'other' }
    expect(code).toBe('FUEL_EXHAUSTED')
    expect(limits).toEqual([])
    expect(ctx.fuel!.value < 0n).toBe(true)
  })

  it('refuses a module over the size bound without compiling or charging it', () => {
    const start = 1n << 40n
    const { ctx, limits, call } = setup(start, () => 0n)
    ctx.memory = new WebAssembly.Memory({ initial: (MAX_NESTED_MODULE_BYTES >> 16) + 2 })
    expect(call(MAX_NESTED_MODULE_BYTES + 1, 1000n)).toBe(NestedStatus.invalidModule)
    expect(limits).toEqual([])
    expect(ctx.fuel!.value).toBe(start)
    expect(call(MAX_NESTED_MODULE_BYTES, 1000n)).toBe(0)
    expect(limits.length).toBe(1)
  })
})
