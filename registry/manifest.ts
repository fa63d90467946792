// Challenge manifests: what a challenge is (module hash, name, semver, runtime policy, emission share) and
// who owns it (an ed25519 key). A manifest enters the registry only with a valid owner signature over
// Domain.manifest and a policy within the governed limits.
import { z } from 'zod'
import { AgoraError } from '../core/errors.ts'
import { fromHex, toHex } from '../core/bytes.ts'
import { Domain, signEd25519, ed25519PublicKey, verifyEd25519 } from '../core/crypto/sign.ts'
import { HOST_FUNCTIONS, MAX_INPUT_BYTES, MAX_MEMORY_PAGES, MAX_OUTPUT_BYTES, MIN_OUTPUT_BYTES, SHIM_IMPORTS, backstopFuelLimit } from './policy.ts'

/** Names a manifest may whitelist: the runtime's host functions (registry/policy.ts) and its shim's imports. */
export const MANIFEST_IMPORTS = Object.freeze([...HOST_FUNCTIONS, ...SHIM_IMPORTS] as const)
export type HostFunction = (typeof MANIFEST_IMPORTS)[number]

const hex = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `${bytes}-byte lowercase hex`)
const SEMVER_RE = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/
const safeInt = (min: number, max: number) => z.number().int().min(min).max(max)

/** A challenge's runtime limits, as the sandbox means them (registry/policy.ts maps them onto its schema). */
export const RuntimePolicySchema = z.strictObject({
  fuelLimit: safeInt(1, Number.MAX_SAFE_INTEGER),
  memoryPages: safeInt(1, MAX_MEMORY_PAGES),
  hostFunctions: z.array(z.enum(MANIFEST_IMPORTS)).max(MANIFEST_IMPORTS.length)
    .refine((a) => new Set(a).size === a.length, 'duplicate host function'),
  floats: z.enum(['deny', 'canonicalize']),
  /** Fuel ceiling of one nested run (`run_nested`); the runtime's default when absent. */
  maxNestedFuel: safeInt(1, Number.MAX_SAFE_INTEGER).optional(),
  maxInputBytes: safeInt(0, MAX_INPUT_BYTES).optional(),
  maxOutputBytes: safeInt(MIN_OUTPUT_BYTES, MAX_OUTPUT_BYTES).optional(),
})
export type RuntimePolicy = z.infer<typeof RuntimePolicySchema>

export const ManifestSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'lowercase name: letters, digits, dashes (≤ 64)'),
  version: z.string().max(64).regex(SEMVER_RE, 'semver'),
  description: z.string().max(1024),
  /** sha256 of the module bytes, lowercase hex; nodes refuse bytes with another hash. */
  moduleHash: hex(32),
  entryPoints: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/)).min(1).max(16)
    .refine((a) => new Set(a).size === a.length, 'duplicate entry point'),
  policy: RuntimePolicySchema,
  emissionSharePpm: safeInt(0, 1_000_000),
  committeeSize: safeInt(1, 1024).optional(),
  /** Owner's ed25519 public key, lowercase hex. */
  owner: hex(32),
})
export type ChallengeManifest = z.infer<typeof ManifestSchema>

export const SignedManifestSchema = z.strictObject({ manifest: ManifestSchema, signature: hex(64) })
export type SignedManifest = z.infer<typeof SignedManifestSchema>

/** Limits from the governed parameters that a manifest's policy must respect. */
export interface PolicyLimits { maxFuelLimit: number; maxMemoryPages: number; evaluationBackstopMs: number }

export function signManifest(ownerSeed: Uint8Array, manifest: Omit<ChallengeManifest, 'owner'> & { owner?: string }): SignedManifest {
  const full: ChallengeManifest = ManifestSchema.parse({ ...manifest, owner: toHex(ed25519PublicKey(ownerSeed)) })
  return { manifest: full, signature: toHex(signEd25519(ownerSeed, Domain.manifest, full)) }
}

/** Parse and check a signed manifest (schema, signature by its owner, policy within limits). Throws BAD_MANIFEST. */
export function verifySignedManifest(input: unknown, limits: PolicyLimits): SignedManifest {
  const parsed = SignedManifestSchema.safeParse(input)
  if (!parsed.success) throw new AgoraError('BAD_MANIFEST', `invalid manifest: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
  const { manifest, signature } = parsed.data
  if (!verifyEd25519(fromHex(manifest.owner), Domain.manifest, manifest, fromHex(signature))) {
    throw new AgoraError('BAD_MANIFEST', `manifest ${manifest.name}@${manifest.version}: signature does not verify with the owner key`)
  }
  checkPolicyLimits(manifest, limits)
  return parsed.data
}

/** Throws BAD_MANIFEST unless `manifest`'s policy is within `limits` (checked when proposed and when it activates). */
export function checkPolicyLimits(manifest: ChallengeManifest, limits: PolicyLimits): void {
  const { fuelLimit, memoryPages } = manifest.policy
  if (fuelLimit > limits.maxFuelLimit) {
    throw new AgoraError('BAD_MANIFEST', `manifest ${manifest.name}: fuelLimit ${fuelLimit} above maxFuelLimit ${limits.maxFuelLimit}`)
  }
  // A budget the backstop cuts off before it is spent would end every honest evaluation without a result.
  const backstopFuel = backstopFuelLimit(limits.evaluationBackstopMs)
  if (fuelLimit > backstopFuel) {
    throw new AgoraError('BAD_MANIFEST', `manifest ${manifest.name}: fuelLimit ${fuelLimit} cannot finish within the evaluation backstop (${limits.evaluationBackstopMs} ms: at most ${backstopFuel} fuel)`)
  }
  if (memoryPages > limits.maxMemoryPages) {
    throw new AgoraError('BAD_MANIFEST', `manifest ${manifest.name}: memoryPages ${memoryPages} above maxMemoryPages ${limits.maxMemoryPages}`)
  }
}

/** Semver precedence (pre-release below release; pre-release compared as a string, enough for upgrades). */
export function compareSemver(a: string, b: string): number {
  const pa = SEMVER_RE.exec(a), pb = SEMVER_RE.exec(b)
  if (!pa || !pb) throw new AgoraError('BAD_MANIFEST', `not semver: ${!pa ? a : b}`)
  for (let i = 1; i <= 3; i++) {
    const d = Number(pa[i]) - Number(pb[i])
    if (d !== 0) return Math.sign(d)
  }
  if (pa[4] === pb[4]) return 0
  if (pa[4] === undefined) return 1
  if (pb[4] === undefined) return -1
  return pa[4] < pb[4] ? -1 : 1
}
