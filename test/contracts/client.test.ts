// The chain client against the embedded chain over its loopback JSON-RPC endpoint: plain JSON-RPC
// reads, decoded reverts over HTTP, idempotent and concurrent submission, retries, mnemonic keys.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BrowserProvider, JsonRpcProvider, type Eip1193Provider } from 'ethers'
import { startEmbeddedChain, type EmbeddedChain } from '../../contracts/embedded.ts'
import { deployWeightRegistry } from '../../contracts/deploy.ts'
import { createChainClient } from '../../contracts/client.ts'
import { isAgoraError } from '../../core/errors.ts'
import { deriveNodeKeys } from '../../core/crypto/keys.ts'
import { signWeights } from '../../contracts/eip712.ts'
import { randomMatrix, signAll, testValidators, withPowers } from './helpers.ts'

let chain: EmbeddedChain
const vs = testValidators(4)

beforeAll(async () => {
  chain = await startEmbeddedChain({ port: 0 })
})
afterAll(async () => {
  await chain?.stop()
})

const deploy = () => deployWeightRegistry(chain.wallet(0), { validators: withPowers(vs, [1n, 1n, 1n, 1n]) })

describe('embedded chain JSON-RPC endpoint', () => {
  it('answers eth_blockNumber and eth_chainId from a plain JsonRpcProvider', async () => {
    expect(chain.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const p = new JsonRpcProvider(chain.rpcUrl!, undefined, { staticNetwork: true, cacheTimeout: -1 })
    try {
      const before = await p.getBlockNumber()
      await deploy()
      expect(await p.getBlockNumber()).toBeGreaterThan(before)
      expect(await p.send('eth_chainId', [])).toBe('0x7a69')
      const batch = await fetch(chain.rpcUrl!, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }, { jsonrpc: '2.0', id: 2, method: 'no_such_method', params: [] }]),
      }).then((r) => r.json() as Promise<{ id: number; result?: string; error?: unknown }[]>)
      expect(batch[0]!.result).toMatch(/^0x[0-9a-f]+$/)
      expect(batch[1]!.error).toBeDefined()
    } finally {
      p.destroy()
    }
  })
})

describe('chain client over HTTP', () => {
  it('submits, reads back, and decodes a custom error from the HTTP endpoint', async () => {
    const address = await deploy()
    const client = createChainClient({ rpcUrl: chain.rpcUrl!, privateKey: chain.wallet(1).privateKey, address, pollingIntervalMs: 20 })
    try {
      const m = randomMatrix(3n, 64, 1)
      expect((await client.submitWeights(m.epoch, m.uids, m.weights, signAll(vs, chain.chainId, address, m))).status).toBe('submitted')
      expect(await client.weightsOf(3n)).toEqual({ uids: m.uids, weights: m.weights })
      const m2 = randomMatrix(2n, 64, 2)
      const e = await client.submitWeights(m2.epoch, m2.uids, m2.weights, signAll(vs, chain.chainId, address, m2)).catch((x: unknown) => x)
      expect((e as Error).message).toContain('StaleEpoch(epoch=2, lastEpoch=3)')
    } finally {
      client.close()
    }
  })
})

describe('chain client', () => {
  it('is idempotent: an epoch already on chain is not sent again; a different matrix is a conflict', async () => {
    const address = await deploy()
    const sender = chain.wallet(2)
    const client = createChainClient({ provider: chain.provider, privateKey: sender.privateKey, address })
    const m = randomMatrix(1n, 32, 3)
    const sigs = signAll(vs, chain.chainId, address, m)
    const nonce0 = await chain.provider.getTransactionCount(sender.address)
    expect((await client.submitWeights(m.epoch, m.uids, m.weights, sigs)).status).toBe('submitted')
    expect(await client.submitWeights(m.epoch, m.uids, m.weights, sigs)).toEqual({ status: 'already-on-chain' })
    expect(await chain.provider.getTransactionCount(sender.address)).toBe(nonce0 + 1)
    const other = { ...m, weights: m.weights.map((w) => 65535 - w) }
    const e = await client.submitWeights(other.epoch, other.uids, other.weights, signAll(vs, chain.chainId, address, other)).catch((x: unknown) => x)
    expect(isAgoraError(e, 'CHAIN_CONFLICT')).toBe(true)
  })

  it('orders concurrent submissions of one client and lets racing validators both succeed', async () => {
    const address = await deploy()
    const a = createChainClient({ provider: chain.provider, privateKey: chain.wallet(3).privateKey, address })
    const b = createChainClient({ provider: chain.provider, privateKey: chain.wallet(4).privateKey, address })
    const ms = [1n, 2n, 3n, 4n, 5n].map((epoch) => randomMatrix(epoch, 16, Number(epoch)))
    const results = await Promise.all(ms.map((m) => a.submitWeights(m.epoch, m.uids, m.weights, signAll(vs, chain.chainId, address, m))))
    expect(results.map((r) => r.status)).toEqual(Array(5).fill('submitted'))
    expect(await a.lastEpoch()).toBe(5n)

    const m6 = randomMatrix(6n, 16, 6)
    const sigs = signAll(vs, chain.chainId, address, m6)
    const race = await Promise.all([a.submitWeights(m6.epoch, m6.uids, m6.weights, sigs), b.submitWeights(m6.epoch, m6.uids, m6.weights, sigs)])
    expect(race.map((r) => r.status).sort()).toEqual(['already-on-chain', 'submitted'])
    expect(await b.weightsOf(6n)).toEqual({ uids: m6.uids, weights: m6.weights })
  })

  it('retries a transient failure of the send and then lands the transaction once', async () => {
    const address = await deploy()
    let failures = 2
    let sends = 0
    const inner = chain.eip1193
    const flaky: Eip1193Provider = {
      request: async (req) => {
        if (req.method === 'eth_sendRawTransaction') {
          sends++
          if (failures-- > 0) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })
        }
        return inner.request(req)
      },
    }
    const provider = new BrowserProvider(flaky, Number(chain.chainId), { cacheTimeout: -1, pollingInterval: 20 })
    // A fixed gas limit above osaka's 2^24 cap is clamped rather than refused by the chain.
    const client = createChainClient({ provider, privateKey: chain.wallet(5).privateKey, address, retryDelayMs: 5, gasLimit: 25_000_000n })
    const m = randomMatrix(1n, 8, 11)
    expect((await client.submitWeights(m.epoch, m.uids, m.weights, signAll(vs, chain.chainId, address, m))).status).toBe('submitted')
    expect(sends).toBe(3)
    provider.destroy()
  })

  it('sends with the EVM key derived from a validator mnemonic once funded', async () => {
    const keys = await deriveNodeKeys('abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about')
    const validators = [...vs.slice(0, 3).map((v) => ({ address: v.address, power: 1n })), { address: keys.evmAddress, power: 1n }]
    const address = await deployWeightRegistry(chain.wallet(0), { validators })
    await chain.fund(keys.evmAddress)
    const client = createChainClient({ provider: chain.provider, privateKey: keys.evmPrivateKey, address })
    expect(client.sender).toBe(keys.evmAddress)
    const m = randomMatrix(1n, 8, 12)
    const sigs = [...signAll(vs.slice(0, 2), chain.chainId, address, m), signWeights(keys.evmPrivateKey, { chainId: chain.chainId, contract: address, ...m })]
    expect((await client.submitWeights(m.epoch, m.uids, m.weights, sigs)).status).toBe('submitted')
  })

  it('refuses to send without a key and refuses malformed input before the chain', async () => {
    const address = await deploy()
    const reader = createChainClient({ provider: chain.provider, address })
    const m = randomMatrix(1n, 4, 13)
    const e1 = await reader.submitWeights(m.epoch, m.uids, m.weights, signAll(vs, chain.chainId, address, m)).catch((x: unknown) => x)
    expect(isAgoraError(e1, 'CHAIN_READ_ONLY')).toBe(true)
    const e2 = await reader.submitWeights(1n, [2, 1], [1, 1], []).catch((x: unknown) => x)
    expect(isAgoraError(e2, 'BAD_MATRIX')).toBe(true)
  })
})
