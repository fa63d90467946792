// The default chain: an EVM (hardhat 3's EDR) running inside the node's process, zero setup, with
// automine, exposed on a 127.0.0.1 JSON-RPC endpoint so outside tools (ethers, cast, a wallet) can
// read it. In-process calls skip HTTP and polling (~15 ms per transaction against ~70 ms over loopback).
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BrowserProvider, HDNodeWallet, Wallet, parseEther, toQuantity, type Eip1193Provider } from 'ethers'
import { AgoraError, errorMessage } from '../core/errors.ts'

/** The funded development accounts every hardhat/EDR network starts with (public, never for value). */
const DEV_MNEMONIC = 'test test test test test test test test test test test junk'
const MAX_RPC_BODY = 32 * 1024 * 1024

export interface EmbeddedChainOptions {
  /** JSON-RPC port on 127.0.0.1; 0 (default) picks a free one; null serves no endpoint at all. */
  readonly port?: number | null
  readonly chainId?: number
  /** Block gas limit (EDR's default is 60M; mainnet-like is 30M-45M). */
  readonly blockGasLimit?: bigint
  /** EVM rules, e.g. 'prague' (no 2^24 per-transaction gas cap); EDR's default is the latest, osaka. */
  readonly hardfork?: string
}

export interface EmbeddedChain {
  /** http://127.0.0.1:<port>, or null when started with port: null. */
  readonly rpcUrl: string | null
  readonly chainId: bigint
  /** In-process ethers provider (no HTTP). */
  readonly provider: BrowserProvider
  /** The raw in-process EIP-1193 provider (for wrapping, or for hardhat_* methods). */
  readonly eip1193: Eip1193Provider
  /** Addresses of the 20 pre-funded development accounts. */
  readonly accounts: readonly string[]
  /** Development account `index` as a signer on the in-process provider. */
  wallet(index: number): Wallet
  /** Set `address`'s balance (default 1,000 ETH) so a mnemonic-derived key can pay for gas. */
  fund(address: string, wei?: bigint): Promise<void>
  stop(): Promise<void>
}

/**
 * One hardhat runtime per process, built from an inline config rooted at this repository, so the node
 * can run from any working directory (`import { network } from 'hardhat'` looks for a config from cwd).
 */
let hardhat: Promise<{ network: { create: (p: { override: Record<string, unknown> }) => Promise<HardhatConnection> } }> | null = null
interface HardhatConnection {
  readonly provider: { request(args: { method: string; params?: unknown[] }): Promise<unknown> }
  close(): Promise<void>
}
const hardhatRuntime = () =>
  (hardhat ??= import('hardhat/hre').then(({ createHardhatRuntimeEnvironment }) =>
    createHardhatRuntimeEnvironment({}, {}, join(dirname(fileURLToPath(import.meta.url)), '..')),
  ))

interface RpcRequest { jsonrpc?: string; id?: unknown; method?: unknown; params?: unknown }

export async function startEmbeddedChain(opts: EmbeddedChainOptions = {}): Promise<EmbeddedChain> {
  const { network } = await hardhatRuntime()
  const chainId = opts.chainId ?? 31337
  const conn = await network.create({
    override: {
      chainId,
      loggingEnabled: false,
      ...(opts.blockGasLimit !== undefined ? { blockGasLimit: opts.blockGasLimit } : {}),
      ...(opts.hardfork !== undefined ? { hardfork: opts.hardfork } : {}),
    },
  })
  const eip1193 = conn.provider as unknown as Eip1193Provider
  const provider = new BrowserProvider(eip1193, chainId, { cacheTimeout: -1, pollingInterval: 50 })
  const accounts = (await conn.provider.request({ method: 'eth_accounts' })) as string[]
  const devRoot = HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, "m/44'/60'/0'/0")

  let server: Server | null = null
  let rpcUrl: string | null = null
  if (opts.port !== null) {
    server = createServer((req, res) => {
      const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'content-type' }
      if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end()
      if (req.method !== 'POST') return void res.writeHead(405, cors).end()
      readBody(req)
        .then(async (body) => {
          const parsed = JSON.parse(body) as RpcRequest | RpcRequest[]
          const reply = Array.isArray(parsed) ? await Promise.all(parsed.map((r) => answer(eip1193, r))) : await answer(eip1193, parsed)
          res.writeHead(200, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify(reply))
        })
        .catch((e: unknown) => {
          const error = { code: -32700, message: `parse error: ${errorMessage(e)}` }
          res.writeHead(200, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: null, error }))
        })
    })
    const s = server
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject)
      s.listen(opts.port ?? 0, '127.0.0.1', () => resolve())
    })
    const address = s.address()
    if (address === null || typeof address === 'string') throw new AgoraError('CHAIN_START', 'embedded chain: no TCP address')
    rpcUrl = `http://127.0.0.1:${address.port}`
  }

  let stopped = false
  return {
    rpcUrl,
    chainId: BigInt(chainId),
    provider,
    eip1193,
    accounts,
    wallet: (index) => new Wallet(devRoot.deriveChild(index).privateKey, provider),
    fund: async (address, wei = parseEther('1000')) => {
      await conn.provider.request({ method: 'hardhat_setBalance', params: [address, toQuantity(wei)] })
    },
    stop: async () => {
      if (stopped) return
      stopped = true
      provider.destroy()
      if (server) {
        server.closeAllConnections()
        await new Promise<void>((resolve) => server!.close(() => resolve()))
      }
      await conn.close()
    },
  }
}

/** Forward one JSON-RPC request to EDR; errors keep their code and data (revert data for ethers). */
async function answer(provider: Eip1193Provider, r: RpcRequest): Promise<unknown> {
  const id = r?.id ?? null
  if (typeof r?.method !== 'string') return { jsonrpc: '2.0', id, error: { code: -32600, message: 'invalid request' } }
  try {
    const params = Array.isArray(r.params) ? r.params : []
    return { jsonrpc: '2.0', id, result: await provider.request({ method: r.method, params }) }
  } catch (e) {
    const o = (e ?? {}) as { code?: unknown; data?: unknown }
    const code = typeof o.code === 'number' ? o.code : -32603
    return { jsonrpc: '2.0', id, error: { code, message: errorMessage(e), ...(o.data !== undefined ? { data: o.data } : {}) } }
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_RPC_BODY) {
        reject(new Error(`request body over ${MAX_RPC_BODY} bytes`))
        req.destroy()
      } else chunks.push(c)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}
