// Deploys the WeightRegistry with the genesis validator set (EVM addresses and voting powers).
import type { Signer } from 'ethers'
import { AgoraError } from '../core/errors.ts'
import { WEIGHT_REGISTRY, WEIGHT_REGISTRY_ARRAYS, factoryOf } from './artifacts.ts'
import { canonicalValidatorSet, type ValidatorPower, type WeightsLayout } from './eip712.ts'

export interface DeployOptions {
  readonly validators: readonly ValidatorPower[]
  /** `arrays` deploys the uint16[] variant, for the gas comparison only. */
  readonly layout?: WeightsLayout
}

/** Deploy and wait for the receipt; returns the registry's checksummed address. */
export async function deployWeightRegistry(signer: Signer, opts: DeployOptions): Promise<string> {
  const set = canonicalValidatorSet(opts.validators)
  if (set.length === 0) throw new AgoraError('BAD_VALIDATOR_SET', 'a WeightRegistry needs at least one validator')
  const artifact = opts.layout === 'arrays' ? WEIGHT_REGISTRY_ARRAYS : WEIGHT_REGISTRY
  const contract = await factoryOf(artifact, signer).deploy(set.map((v) => v.address), set.map((v) => v.power))
  await contract.waitForDeployment()
  return contract.getAddress()
}
