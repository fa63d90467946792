// One policy schema: every policy a manifest may carry is one the sandbox accepts, with the same limits; the
// manifest may whitelist every host function the runtime binds (so a bundled challenge such as the sorter
// can be published through the registry under the policy it runs with at genesis); and a manifest past the
// sandbox's own ceilings is refused when it is signed, not when it runs.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CHALLENGE_POLICIES } from '../../challenges/index.ts'
import { MANIFEST_IMPORTS, RuntimePolicySchema, checkPolicyLimits, signManifest } from '../../registry/manifest.ts'
import { DEFAULT_PARAMS } from '../../forum/params.ts'
import { HOST_FUNCTIONS, MAX_INPUT_BYTES, MAX_MEMORY_PAGES, MAX_OUTPUT_BYTES, MIN_OUTPUT_BYTES } from '../../registry/policy.ts'
import { runtimePolicyOf } from '../../validator/core/modules.ts'
import { DEFAULT_POLICY } from '../../validator/infra/runtime/policy.ts'

const manifestPolicy = fc.record({
  fuelLimit: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  memoryPages: fc.integer({ min: 1, max: MAX_MEMORY_PAGES }),
  hostFunctions: fc.subarray([...MANIFEST_IMPORTS]),
  floats: fc.constantFrom('deny' as const, 'canonicalize' as const),
  maxNestedFuel: fc.option(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), { nil: undefined }),
  maxInputBytes: fc.option(fc.integer({ min: 0, max: MAX_INPUT_BYTES }), { nil: undefined }),
  maxOutputBytes: fc.option(fc.integer({ min: MIN_OUTPUT_BYTES, max: MAX_OUTPUT_BYTES }), { nil: undefined }),
}, { requiredKeys: ['fuelLimit', 'memoryPages', 'hostFunctions', 'floats'] })

describe('one policy schema for manifest and runtime', () => {
  it('maps every valid manifest policy onto a runtime policy with the same limits', () => {
    fc.assert(fc.property(manifestPolicy, (p) => {
      const m = RuntimePolicySchema.parse(p)
      const r = runtimePolicyOf(m)
      expect([r.fuelLimit, r.maxMemoryPages, r.allowFloats]).toEqual([BigInt(p.fuelLimit), p.memoryPages, p.floats === 'canonicalize'])
      expect([...r.hostFunctions].sort()).toEqual(p.hostFunctions.filter((h) => (HOST_FUNCTIONS as readonly string[]).includes(h)).sort())
      expect(r.maxNestedFuel).toBe(p.maxNestedFuel === undefined ? DEFAULT_POLICY.maxNestedFuel : BigInt(p.maxNestedFuel))
      expect(r.maxInputBytes).toBe(p.maxInputBytes ?? DEFAULT_POLICY.maxInputBytes)
      expect(r.maxOutputBytes).toBe(p.maxOutputBytes ?? DEFAULT_POLICY.maxOutputBytes)
    }), { numRuns: 300 })
  })

  it('lets a manifest carry the sorter\'s genesis policy (run_nested and its nested budget)', () => {
    const sorter = CHALLENGE_POLICIES.sorter
    const m = RuntimePolicySchema.parse({
      fuelLimit: Number(sorter.fuelLimit), memoryPages: sorter.maxMemoryPages, hostFunctions: [...sorter.hostFunctions], floats: 'deny',
      maxNestedFuel: Number(sorter.maxNestedFuel), maxInputBytes: sorter.maxInputBytes,
    })
    expect(runtimePolicyOf(m)).toEqual({ ...sorter, hostFunctions: [...sorter.hostFunctions] })
  })

  it('refuses, at signing, a manifest past the sandbox ceilings or naming an unknown import', () => {
    const base = { name: 'x', version: '1.0.0', description: '', moduleHash: '00'.repeat(32), entryPoints: ['evaluate'], emissionSharePpm: 0 }
    const policy = { fuelLimit: 1000, memoryPages: 1, hostFunctions: ['input_read' as const], floats: 'deny' as const }
    const seed = new Uint8Array(32).fill(3)
    expect(() => signManifest(seed, { ...base, policy })).not.toThrow()
    for (const bad of [{ memoryPages: MAX_MEMORY_PAGES + 1 }, { maxOutputBytes: MIN_OUTPUT_BYTES - 1 }, { maxInputBytes: MAX_INPUT_BYTES + 1 }, { hostFunctions: ['fs_open'] }]) {
      expect(() => signManifest(seed, { ...base, policy: { ...policy, ...bad } as never }), JSON.stringify(bad)).toThrow()
    }
  })

  it('takes a manifest asking for the default fuel limit under the default parameters (the default backstop can finish it)', () => {
    const base = { name: 'x', version: '1.0.0', description: '', moduleHash: '00'.repeat(32), entryPoints: ['evaluate'], emissionSharePpm: 0 }
    const policy = { fuelLimit: DEFAULT_PARAMS.defaultFuelLimit, memoryPages: DEFAULT_PARAMS.defaultMemoryPages, hostFunctions: ['input_read' as const], floats: 'deny' as const }
    const { manifest } = signManifest(new Uint8Array(32).fill(3), { ...base, policy })
    expect(() => checkPolicyLimits(manifest, DEFAULT_PARAMS)).not.toThrow()
  })
})
