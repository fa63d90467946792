// The bundled challenges as the node and the devnet use them: module bytes (challenges/build/*.wasm)
// with the runtime policy each one needs.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { AgoraError } from '../core/errors.ts'
import { DEFAULT_POLICY, type RuntimePolicy } from '../validator/infra/runtime/policy.ts'
import { BUILD_DIR, CHALLENGE_NAMES, type ChallengeName } from './build.ts'

export { CHALLENGE_NAMES, type ChallengeName } from './build.ts'

export interface BundledChallenge {
  readonly name: ChallengeName
  readonly module: Uint8Array
  readonly policy: RuntimePolicy
  readonly entry: 'evaluate'
}

export const CHALLENGE_POLICIES: Record<ChallengeName, RuntimePolicy> = {
  tsp: { ...DEFAULT_POLICY, fuelLimit: 2_000_000n, maxInputBytes: 4096 },
  pow: { ...DEFAULT_POLICY, fuelLimit: 1_000_000n, maxInputBytes: 1024 },
  sorter: {
    ...DEFAULT_POLICY,
    fuelLimit: 20_000_000n,
    maxNestedFuel: 4_000_000n,
    maxInputBytes: 64 << 10,
    hostFunctions: [...DEFAULT_POLICY.hostFunctions, 'run_nested', 'nested_fuel_used'],
  },
}

export function loadChallenge(name: string, buildDir = BUILD_DIR): BundledChallenge {
  if (!(CHALLENGE_NAMES as readonly string[]).includes(name)) throw new AgoraError('UNKNOWN_CHALLENGE', `unknown challenge "${name}"`)
  const n = name as ChallengeName
  let module: Uint8Array
  try { module = new Uint8Array(readFileSync(join(buildDir, `${n}.wasm`))) } catch {
    throw new AgoraError('CHALLENGE_NOT_BUILT', `challenges/build/${n}.wasm is missing: run \`agora challenge build\``)
  }
  return { name: n, module, policy: CHALLENGE_POLICIES[n], entry: 'evaluate' }
}
