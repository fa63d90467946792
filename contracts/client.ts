// The node's handle on a deployed WeightRegistry over any JSON-RPC chain (or the embedded one):
// idempotent submission (a matrix already on chain is not sent again), sends serialised per client with
// the nonce read fresh each time, transient failures retried with backoff, reverts decoded by name.
import { JsonRpcProvider, Wallet, getAddress, hexlify, getBytes, type Provider, type TransactionReceipt } from 'ethers'
import { AgoraError, errorMessage } from '../core/errors.ts'
import { weightRegistryInterface as iface } from './artifacts.ts'
import { canonicalValidatorSet, packSignatures, validatorSetDigest, weightsDigest, type ValidatorPower } from './eip712.ts'
import { packU16, parseWeightMatrix, sameMatrix, unpackU16 } from './matrix.ts'
import { decodeRevert, isTransient, ChainRevertError } from './errors.ts'

/** EIP-7825 (osaka) caps a transaction's gas at 2^24; a padded estimate must not cross it. */
export const TX_GAS_CAP = 1n << 24n

export interface ChainClientOptions {
  /** The registry's address. */
  readonly address: string
  readonly rpcUrl?: string
  readonly provider?: Provider
  /** The sender's EVM key (e.g. NodeKeys.evmPrivateKey); reads work without one. */
  readonly privateKey?: Uint8Array | string
  readonly confirmations?: number
  /** Attempts after the first for transient failures (network, timeout, nonce races). */
  readonly retries?: number
  readonly retryDelayMs?: number
  readonly txTimeoutMs?: number
  /**
   * A fixed gas limit instead of eth_estimateGas (which runs the transaction ~10 times on EDR: ~0.5 s
   * for 64x4096). The transaction is then simulated once with eth_call to surface reverts. Suits the
   * embedded chain, where unused gas costs nothing real.
   */
  readonly gasLimit?: bigint
  /** Receipt polling for rpcUrl providers (ms). */
  readonly pollingIntervalMs?: number
}

export interface TxResult {
  readonly txHash: string
  readonly blockNumber: number
  readonly gasUsed: bigint
}

export type SubmitResult = ({ readonly status: 'submitted' } & TxResult) | { readonly status: 'already-on-chain' }

export interface ValidatorSetState {
  /** The first epoch the held set certifies; an update must name a later one. */
  readonly epoch: bigint
  readonly totalPower: bigint
  readonly validators: readonly ValidatorPower[]
}

export interface ChainClient {
  readonly address: string
  /** The sender's address, or null for a read-only client. */
  readonly sender: string | null
  chainId(): Promise<bigint>
  /** The digest validators sign for this registry (same as eip712.weightsDigest with its domain). */
  weightsDigest(epoch: bigint, uids: readonly number[], weights: readonly number[]): Promise<string>
  submitWeights(epoch: bigint, uids: readonly number[], weights: readonly number[], signatures: readonly string[]): Promise<SubmitResult>
  weightsOf(epoch: bigint): Promise<{ uids: number[]; weights: number[] } | null>
  /** The latest stored epoch, or null before the first submission. */
  lastEpoch(): Promise<bigint | null>
  validatorSet(): Promise<ValidatorSetState>
  /** The digest the current set signs to make `validators` the set certifying from `epoch` on. */
  validatorSetUpdateDigest(epoch: bigint, validators: readonly ValidatorPower[]): Promise<string>
  /** Idempotent: a set already held from `epoch` (or a later one) is not sent again ('already-on-chain'). */
  updateValidatorSet(epoch: bigint, validators: readonly ValidatorPower[], signatures: readonly string[]): Promise<SubmitResult>
  /** Every epoch's weights transaction on chain from `fromBlock` on (WeightsSubmitted events), in block order. */
  weightSubmissions(fromBlock: number): Promise<{ epoch: number; txHash: string; blockNumber: number }[]>
  close(): void
}

export function createChainClient(opts: ChainClientOptions): ChainClient {
  if (!opts.provider && !opts.rpcUrl) throw new AgoraError('CHAIN_CONFIG', 'chain client needs rpcUrl or provider')
  const ownsProvider = !opts.provider
  const provider =
    opts.provider ?? new JsonRpcProvider(opts.rpcUrl, undefined, { cacheTimeout: -1, pollingInterval: opts.pollingIntervalMs ?? 250 })
  const to = getAddress(opts.address)
  const wallet = opts.privateKey !== undefined ? new Wallet(typeof opts.privateKey === 'string' ? opts.privateKey : hexlify(opts.privateKey), provider) : null
  const confirmations = opts.confirmations ?? 1
  const retries = opts.retries ?? 3
  const retryDelayMs = opts.retryDelayMs ?? 250
  const txTimeoutMs = opts.txTimeoutMs ?? 60_000
  let chainIdCache: bigint | null = null
  let queue: Promise<unknown> = Promise.resolve()

  const chainId = async () => (chainIdCache ??= (await provider.getNetwork()).chainId)

  async function call(what: string, method: string, args: readonly unknown[]) {
    const data = iface.encodeFunctionData(method, args)
    try {
      return iface.decodeFunctionResult(method, await provider.call({ to, data }))
    } catch (e) {
      throw decodeRevert(iface, e, what) ?? new AgoraError('CHAIN_CALL', `${what}: ${errorMessage(e)}`, { cause: e })
    }
  }

  /** Serialise sends of this client: one nonce at a time, in call order (epochs must ascend). */
  function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = queue.then(fn, fn)
    queue = run.catch(() => undefined)
    return run
  }

  /**
   * Send one transaction, retrying transient failures. `done()` is asked before every attempt so a
   * retry never repeats an effect that already landed (or that another submitter made).
   */
  async function send(what: string, method: string, args: readonly unknown[], done: () => Promise<boolean>): Promise<TxResult | null> {
    if (!wallet) throw new AgoraError('CHAIN_READ_ONLY', `${what}: the chain client has no private key`)
    const data = iface.encodeFunctionData(method, args)
    let lastTx: string | null = null
    for (let attempt = 0; ; attempt++) {
      try {
        if (lastTx) {
          const r = await provider.getTransactionReceipt(lastTx)
          if (r?.status === 1) return txResult(r)
        }
        if (await done()) return null
        // Simulating first surfaces a revert (with its custom error) before any gas is paid.
        // A fixed limit is clamped to the osaka cap: above it the node refuses the transaction outright.
        const gasLimit = opts.gasLimit !== undefined ? min(opts.gasLimit, TX_GAS_CAP) : padGas(await wallet.estimateGas({ to, data }))
        if (opts.gasLimit !== undefined) await wallet.call({ to, data })
        const nonce = await provider.getTransactionCount(wallet.address, 'pending')
        const tx = await wallet.sendTransaction({ to, data, nonce, gasLimit })
        lastTx = tx.hash
        const receipt = await tx.wait(confirmations, txTimeoutMs)
        if (!receipt) throw new AgoraError('CHAIN_SEND', `${what}: transaction ${tx.hash} has no receipt`)
        return txResult(receipt)
      } catch (e) {
        const revert = decodeRevert(iface, e, what)
        if (revert) throw revert
        if (e instanceof AgoraError) throw e
        if (!isTransient(e) || attempt >= retries) {
          throw new AgoraError('CHAIN_SEND', `${what} failed after ${attempt + 1} attempt(s): ${errorMessage(e)}`, { cause: e })
        }
        await new Promise((r) => setTimeout(r, retryDelayMs * 2 ** attempt))
      }
    }
  }

  async function weightsOf(epoch: bigint) {
    try {
      const [uids, weights] = await call('weightsOf', 'weightsOf', [epoch])
      return { uids: unpackU16(getBytes(uids as string)), weights: unpackU16(getBytes(weights as string)) }
    } catch (e) {
      if (e instanceof ChainRevertError && e.errorName === 'UnknownEpoch') return null
      throw e
    }
  }

  async function validatorSet(): Promise<ValidatorSetState> {
    const [[addresses, powers], [epoch], [totalPower]] = await Promise.all([
      call('validatorSet', 'validatorSet', []),
      call('validatorSetEpoch', 'validatorSetEpoch', []),
      call('totalPower', 'totalPower', []),
    ])
    const validators = (addresses as string[]).map((address, i) => ({ address, power: BigInt((powers as bigint[])[i]!) }))
    return { epoch: BigInt(epoch), totalPower: BigInt(totalPower), validators }
  }

  return {
    address: to,
    sender: wallet?.address ?? null,
    chainId,
    weightsDigest: async (epoch, uids, weights) => weightsDigest({ chainId: await chainId(), contract: to, epoch, uids, weights }),

    submitWeights: (epoch, uids, weights, signatures) =>
      exclusive(async () => {
        const m = parseWeightMatrix({ epoch, uids, weights })
        const onChain = async () => {
          const stored = await weightsOf(m.epoch)
          if (!stored) return false
          if (sameMatrix(stored, m)) return true
          throw new AgoraError('CHAIN_CONFLICT', `epoch ${m.epoch} already holds a different matrix on chain`)
        }
        const args = [m.epoch, packU16(m.uids), packU16(m.weights), packSignatures(signatures)]
        try {
          const r = await send(`submitWeights(epoch ${m.epoch})`, 'submitWeights', args, onChain)
          return r ? { status: 'submitted' as const, ...r } : { status: 'already-on-chain' as const }
        } catch (e) {
          // Another validator's transaction with the same matrix won the race: that is success.
          if (e instanceof ChainRevertError && e.errorName === 'AlreadySubmitted' && (await onChain())) return { status: 'already-on-chain' as const }
          throw e
        }
      }),

    weightsOf,
    lastEpoch: async () => {
      const [[count], [last]] = await Promise.all([call('epochCount', 'epochCount', []), call('lastEpoch', 'lastEpoch', [])])
      return BigInt(count) === 0n ? null : BigInt(last)
    },
    validatorSet,
    validatorSetUpdateDigest: async (epoch, validators) => validatorSetDigest({ chainId: await chainId(), contract: to, epoch, validators }),

    updateValidatorSet: (epoch, validators, signatures) =>
      exclusive(async () => {
        const set = canonicalValidatorSet(validators)
        const args = [epoch, set.map((v) => v.address), set.map((v) => v.power), packSignatures(signatures)]
        const held = async () => (await validatorSet()).epoch >= epoch
        try {
          const r = await send(`updateValidatorSet(epoch ${epoch})`, 'updateValidatorSet', args, held)
          return r ? { status: 'submitted' as const, ...r } : { status: 'already-on-chain' as const }
        } catch (e) {
          // Another validator's update won the race.
          if (e instanceof ChainRevertError && e.errorName === 'StaleValidatorSet' && (await held())) return { status: 'already-on-chain' as const }
          throw e
        }
      }),

    async weightSubmissions(fromBlock) {
      const topic = iface.getEvent('WeightsSubmitted')!.topicHash
      const logs = await provider.getLogs({ address: to, topics: [topic], fromBlock, toBlock: 'latest' })
      return logs.map((l) => ({ epoch: Number(iface.parseLog(l)!.args[0] as bigint), txHash: l.transactionHash, blockNumber: l.blockNumber }))
    },

    close: () => {
      if (ownsProvider) provider.destroy()
    },
  }
}

const min = (a: bigint, b: bigint) => (a < b ? a : b)

function padGas(estimate: bigint): bigint {
  const padded = estimate + estimate / 5n
  return padded > TX_GAS_CAP && estimate <= TX_GAS_CAP ? TX_GAS_CAP : padded
}

const txResult = (r: TransactionReceipt): TxResult => ({ txHash: r.hash, blockNumber: r.blockNumber, gasUsed: r.gasUsed })
