// The compiled contracts (written by `npm run contracts:build`, never by hand) as ethers interfaces and
// contract factories.
import { ContractFactory, Interface, type ContractRunner, type InterfaceAbi } from 'ethers'
import weightRegistry from './artifacts/WeightRegistry.json' with { type: 'json' }
import weightRegistryArrays from './artifacts/WeightRegistryArrays.json' with { type: 'json' }
import mockNeuron from './artifacts/MockNeuron.json' with { type: 'json' }

interface CompiledContract {
  readonly contractName: string
  readonly abi: readonly unknown[]
  readonly bytecode: string
  readonly deployedBytecode: string
}

export const WEIGHT_REGISTRY: CompiledContract = weightRegistry
export const WEIGHT_REGISTRY_ARRAYS: CompiledContract = weightRegistryArrays
export const MOCK_NEURON: CompiledContract = mockNeuron

export const interfaceOf = (c: CompiledContract): Interface => new Interface(c.abi as InterfaceAbi)
export const weightRegistryInterface = interfaceOf(WEIGHT_REGISTRY)

export const factoryOf = (c: CompiledContract, runner: ContractRunner): ContractFactory =>
  new ContractFactory(c.abi as InterfaceAbi, c.bytecode, runner)
