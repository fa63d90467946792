// Public surface of contracts/: what the node imports to reach a chain.
export { startEmbeddedChain, type EmbeddedChain, type EmbeddedChainOptions } from './embedded.ts'
export { deployWeightRegistry, type DeployOptions } from './deploy.ts'
export { createChainClient, TX_GAS_CAP, type ChainClient, type ChainClientOptions, type SubmitResult, type TxResult, type ValidatorSetState } from './client.ts'
export {
  weightsDigest, signWeights, validatorSetDigest, signValidatorSet, signDigest, recoverSigner, packSignatures,
  canonicalValidatorSet, registryDomain, type ValidatorPower, type RegistryDomain, type WeightsLayout,
} from './eip712.ts'
export { parseWeightMatrix, packU16, unpackU16, sameMatrix, type WeightMatrix } from './matrix.ts'
export { ChainRevertError, decodeRevert } from './errors.ts'
export { NEURON_PRECOMPILE, SET_WEIGHTS_SIGNATURE, encodeBittensorSetWeights, createBittensorTarget, type BittensorTarget, type BittensorWeights } from './bittensor.ts'
