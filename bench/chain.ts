// Chain benchmark: gas of WeightRegistry.submitWeights for (validators x miners) in both calldata/storage
// layouts (packed u16 bytes + SSTORE2 vs uint16[] + storage arrays), whether each fits a 30M-gas block
// and osaka's 2^24 per-transaction cap (gas is measured on a prague chain, whose costs for these
// operations equal osaka's but which has no cap, so over-cap cases still get a figure), and submission
// latency on the default (osaka) embedded chain, in process and over its loopback JSON-RPC endpoint.
// Every validator signs (the worst case for signature checks).
import { performance } from 'node:perf_hooks'
import { Contract, getBytes, type InterfaceAbi } from 'ethers'
import { startEmbeddedChain, type EmbeddedChain } from '../contracts/embedded.ts'
import { deployWeightRegistry } from '../contracts/deploy.ts'
import { createChainClient, TX_GAS_CAP } from '../contracts/client.ts'
import { WEIGHT_REGISTRY, WEIGHT_REGISTRY_ARRAYS, interfaceOf } from '../contracts/artifacts.ts'
import { packSignatures, signWeights, type WeightsLayout } from '../contracts/eip712.ts'
import { packU16, type WeightMatrix } from '../contracts/matrix.ts'
import { keccak256, toUtf8Bytes, computeAddress } from 'ethers'
import { median, percentile, report, round } from './report.ts'

const BLOCK_GAS = 30_000_000n
const SHAPES: readonly [number, number][] = [[4, 64], [16, 256], [64, 1024], [64, 4096], [64, 12_000]]

const validators = (n: number) =>
  Array.from({ length: n }, (_, i) => {
    const key = keccak256(toUtf8Bytes(`agora/bench/validator/${i}`))
    return { key, address: computeAddress(key), power: 1n }
  })

/** Deterministic matrix: uids 0, 2, 4, ... (gaps, as after deregistrations), pseudo-random u16 weights. */
function matrix(epoch: bigint, miners: number): WeightMatrix {
  const uids = Array.from({ length: miners }, (_, i) => (miners * 2 <= 65536 ? i * 2 : i))
  return { epoch, uids, weights: uids.map((u) => (u * 40503 + 12345) % 65536) }
}

/** Intrinsic calldata gas (16 per non-zero byte, 4 per zero byte). */
const calldataGas = (data: string) => getBytes(data).reduce((g, b) => g + (b === 0 ? 4 : 16), 0)

async function measureGas(chain: EmbeddedChain, layout: WeightsLayout, nValidators: number, miners: number) {
  const vs = validators(nValidators)
  const address = await deployWeightRegistry(chain.wallet(0), { validators: vs, layout })
  const artifact = layout === 'packed' ? WEIGHT_REGISTRY : WEIGHT_REGISTRY_ARRAYS
  const contract = new Contract(address, artifact.abi as InterfaceAbi, chain.wallet(1))
  const m = matrix(1n, miners)
  const sigs = packSignatures(vs.map((v) => signWeights(v.key, { chainId: chain.chainId, contract: address, ...m }, layout)))
  const args = layout === 'packed' ? [m.epoch, packU16(m.uids), packU16(m.weights), sigs] : [m.epoch, m.uids, m.weights, sigs]
  const data = interfaceOf(artifact).encodeFunctionData('submitWeights', args)
  const base = { layout, validators: nValidators, miners, calldataBytes: getBytes(data).length, calldataGas: calldataGas(data) }
  try {
    const gas = await contract.getFunction('submitWeights').estimateGas(...args)
    const tx = await contract.getFunction('submitWeights')(...args, { gasLimit: gas })
    const receipt = await tx.wait()
    const gasUsed = BigInt(receipt.gasUsed)
    return { ...base, gasUsed: Number(gasUsed), gasPerMiner: round(Number(gasUsed) / miners, 1), fits30MBlock: gasUsed <= BLOCK_GAS, fitsTxGasCap: gasUsed <= TX_GAS_CAP }
  } catch (e) {
    return { ...base, gasUsed: null, error: (e as Error).message.slice(0, 160) }
  }
}

type Via = 'in-process' | 'in-process fixed gas' | 'http'

async function measureLatency(chain: EmbeddedChain, via: Via, nValidators: number, miners: number, rounds: number) {
  const vs = validators(nValidators)
  const address = await deployWeightRegistry(chain.wallet(0), { validators: vs })
  const client =
    via === 'http'
      ? createChainClient({ rpcUrl: chain.rpcUrl!, privateKey: chain.wallet(2).privateKey, address, pollingIntervalMs: 10 })
      : createChainClient({ provider: chain.provider, privateKey: chain.wallet(2).privateKey, address, ...(via === 'in-process fixed gas' ? { gasLimit: TX_GAS_CAP } : {}) })
  const samples: number[] = []
  for (let epoch = 1n; epoch <= BigInt(rounds + 1); epoch++) {
    const m = matrix(epoch, miners)
    const sigs = vs.map((v) => signWeights(v.key, { chainId: chain.chainId, contract: address, ...m }))
    const t0 = performance.now()
    await client.submitWeights(m.epoch, m.uids, m.weights, sigs)
    if (epoch > 1n) samples.push(performance.now() - t0) // the first round warms up
  }
  client.close()
  return { via, validators: nValidators, miners, rounds, p50Ms: round(median(samples), 2), p90Ms: round(percentile(samples, 90), 2) }
}

export async function run(args: string[]): Promise<void> {
  const rounds = Number(args[0] ?? 10)
  const gasChain = await startEmbeddedChain({ port: null, blockGasLimit: 60_000_000n, hardfork: 'prague' })
  try {
    const best: Record<string, { layout: string; gas: number }> = {}
    const gasByShape = new Map<string, number>()
    for (const [v, m] of SHAPES) {
      for (const layout of ['packed', 'arrays'] as const) {
        const r = await measureGas(gasChain, layout, v, m)
        report('chain', `submitWeights gas ${v}x${m} ${layout}`, r)
        const key = `${v}x${m}`
        if (typeof r.gasUsed === 'number') gasByShape.set(`${layout} ${key}`, r.gasUsed)
        if (typeof r.gasUsed === 'number' && (!best[key] || r.gasUsed < best[key]!.gas)) best[key] = { layout, gas: r.gasUsed }
      }
    }
    for (const [key, b] of Object.entries(best)) report('chain', `cheaper layout ${key}`, { layout: b.layout, gasUsed: b.gas })
    // Linear fit over the two largest 64-validator shapes of each layout: the largest matrix per limit.
    for (const layout of ['packed', 'arrays'] as const) {
      const [a, b] = [gasByShape.get(`${layout} 64x4096`), gasByShape.get(`${layout} 64x12000`)]
      if (a === undefined || b === undefined) continue
      const perMiner = (b - a) / (12_000 - 4096)
      const fixed = a - perMiner * 4096
      report('chain', `largest matrix ${layout} 64 validators (linear fit)`, {
        gasPerMiner: round(perMiner, 1), fixedGas: Math.round(fixed),
        maxMinersIn30MBlock: Math.floor((Number(BLOCK_GAS) - fixed) / perMiner),
        maxMinersUnderTxGasCap: Math.floor((Number(TX_GAS_CAP) - fixed) / perMiner),
      })
    }
  } finally {
    await gasChain.stop()
  }
  const chain = await startEmbeddedChain({ port: 0 })
  try {
    const cases: [Via, number, number][] = [
      ['in-process', 4, 64], ['in-process', 16, 256], ['in-process', 64, 4096],
      ['in-process fixed gas', 16, 256], ['in-process fixed gas', 64, 4096], ['http', 16, 256],
    ]
    for (const [via, v, m] of cases) report('chain', `submit latency ${via} ${v}x${m}`, await measureLatency(chain, via, v, m, rounds))
  } finally {
    await chain.stop()
  }
}
