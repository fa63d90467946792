// Bittensor EVM target: the calldata of Neuron.setWeights checked word by word against the ABI of
// setWeights(uint16,uint16[],uint16[],uint64), then sent to a recording double of the precompile
// installed at 0x…0804 on the embedded chain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Interface, keccak256, toUtf8Bytes, type InterfaceAbi } from 'ethers'
import { startEmbeddedChain, type EmbeddedChain } from '../../contracts/embedded.ts'
import { NEURON_PRECOMPILE, SET_WEIGHTS_SIGNATURE, createBittensorTarget, encodeBittensorSetWeights } from '../../contracts/bittensor.ts'
import { MOCK_NEURON } from '../../contracts/artifacts.ts'
import { isAgoraError } from '../../core/errors.ts'

const word = (x: bigint | number) => BigInt(x).toString(16).padStart(64, '0')

describe('Bittensor setWeights encoding', () => {
  it('matches the ABI layout of setWeights(uint16,uint16[],uint16[],uint64)', () => {
    const data = encodeBittensorSetWeights({ netuid: 7, versionKey: 42n, matrix: { epoch: 3n, uids: [0, 5, 300], weights: [65535, 1, 0] } })
    const selector = keccak256(toUtf8Bytes('setWeights(uint16,uint16[],uint16[],uint64)')).slice(0, 10)
    expect(selector).toBe(keccak256(toUtf8Bytes(SET_WEIGHTS_SIGNATURE)).slice(0, 10))
    // head: netuid, offset(dests) = 4 words, offset(weights) = 4 + 1 + 3 words, versionKey; then the tails.
    const expected =
      selector +
      word(7) + word(4 * 32) + word(8 * 32) + word(42) +
      word(3) + word(0) + word(5) + word(300) +
      word(3) + word(65535) + word(1) + word(0)
    expect(data).toBe(expected)
  })

  it('refuses out-of-range netuid, version key and weights', () => {
    const m = { epoch: 1n, uids: [1], weights: [1] }
    expect(() => encodeBittensorSetWeights({ netuid: 65536, versionKey: 0n, matrix: m })).toThrow(/netuid/)
    expect(() => encodeBittensorSetWeights({ netuid: 1, versionKey: 2n ** 64n, matrix: m })).toThrow(/versionKey/)
    try {
      encodeBittensorSetWeights({ netuid: 1, versionKey: 0n, matrix: { epoch: 1n, uids: [1], weights: [70000] } })
      expect.unreachable()
    } catch (e) {
      expect(isAgoraError(e, 'BAD_MATRIX')).toBe(true)
    }
  })
})

describe('Bittensor target on the embedded chain', () => {
  let chain: EmbeddedChain
  beforeAll(async () => {
    chain = await startEmbeddedChain({ port: null })
  })
  afterAll(async () => {
    await chain?.stop()
  })

  it('sends the matrix to the Neuron precompile address', async () => {
    await chain.provider.send('hardhat_setCode', [NEURON_PRECOMPILE, MOCK_NEURON.deployedBytecode])
    const sender = chain.wallet(6)
    const target = createBittensorTarget({ provider: chain.provider, privateKey: sender.privateKey })
    const uids = Array.from({ length: 256 }, (_, i) => i)
    const weights = uids.map((u) => (u * 257) % 65536)
    const r = await target.setWeights({ netuid: 12, versionKey: 1_000n, matrix: { epoch: 9n, uids, weights } })
    const receipt = await chain.provider.getTransactionReceipt(r.txHash)
    const iface = new Interface(MOCK_NEURON.abi as InterfaceAbi)
    const log = iface.parseLog(receipt!.logs[0]!)!
    expect(log.name).toBe('WeightsSet')
    expect(log.args[0]).toBe(sender.address)
    expect(Number(log.args[1])).toBe(12)
    expect([...log.args[2]].map(Number)).toEqual(uids)
    expect([...log.args[3]].map(Number)).toEqual(weights)
    expect(log.args[4]).toBe(1_000n)
  })
})
