// Second chain target: Bittensor's EVM, where an epoch's weights go to the Neuron precompile's
// setWeights from the validator's H160 (mapped by subtensor to its ss58 hotkey, which must be registered
// on the subnet). uids map to `dests`; weights stay u16 as on subtensor.
import { Interface, JsonRpcProvider, Wallet, hexlify, type Provider } from 'ethers'
import { AgoraError, errorMessage } from '../core/errors.ts'
import { parseWeightMatrix, type WeightMatrix } from './matrix.ts'

export const NEURON_PRECOMPILE = '0x0000000000000000000000000000000000000804'
export const SET_WEIGHTS_SIGNATURE = 'setWeights(uint16,uint16[],uint16[],uint64)'

export const neuronInterface = new Interface([
  'function setWeights(uint16 netuid, uint16[] dests, uint16[] weights, uint64 versionKey) payable',
])

export interface BittensorWeights {
  readonly netuid: number
  /** The subnet's weights version key (must be >= the subnet's `weights_version`). */
  readonly versionKey: bigint
  readonly matrix: WeightMatrix
}

/** The calldata of Neuron.setWeights for an epoch's matrix (the epoch itself is not sent). */
export function encodeBittensorSetWeights(p: BittensorWeights): string {
  if (!Number.isInteger(p.netuid) || p.netuid < 0 || p.netuid > 0xffff) throw new AgoraError('BAD_NETUID', `netuid must be a u16, got ${p.netuid}`)
  if (p.versionKey < 0n || p.versionKey >= 2n ** 64n) throw new AgoraError('BAD_VERSION_KEY', `versionKey must be a u64, got ${p.versionKey}`)
  const m = parseWeightMatrix(p.matrix)
  return neuronInterface.encodeFunctionData('setWeights', [p.netuid, m.uids, m.weights, p.versionKey])
}

export interface BittensorTarget {
  readonly sender: string
  setWeights(p: BittensorWeights): Promise<{ txHash: string; blockNumber: number; gasUsed: bigint }>
  close(): void
}

export function createBittensorTarget(opts: { rpcUrl?: string; provider?: Provider; privateKey: Uint8Array | string; precompile?: string }): BittensorTarget {
  if (!opts.provider && !opts.rpcUrl) throw new AgoraError('CHAIN_CONFIG', 'bittensor target needs rpcUrl or provider')
  const provider = opts.provider ?? new JsonRpcProvider(opts.rpcUrl, undefined, { cacheTimeout: -1 })
  const wallet = new Wallet(typeof opts.privateKey === 'string' ? opts.privateKey : hexlify(opts.privateKey), provider)
  const to = opts.precompile ?? NEURON_PRECOMPILE
  return {
    sender: wallet.address,
    setWeights: async (p) => {
      try {
        const tx = await wallet.sendTransaction({ to, data: encodeBittensorSetWeights(p) })
        const r = await tx.wait()
        if (!r) throw new Error(`transaction ${tx.hash} has no receipt`)
        return { txHash: r.hash, blockNumber: r.blockNumber, gasUsed: r.gasUsed }
      } catch (e) {
        if (e instanceof AgoraError) throw e
        throw new AgoraError('CHAIN_SEND', `bittensor setWeights(netuid ${p.netuid}): ${errorMessage(e)}`, { cause: e })
      }
    },
    close: () => {
      if (!opts.provider) provider.destroy()
    },
  }
}
