// The validator node's composition root: opens its data dir (keys, RocksDB), replays the decided log,
// builds the real I/O (p2p host, runtime pool, chain client, API) and hands it to composeNode, which
// replays the log and wires the workflow. Constructors take (opts, modules); nothing here is global.
import { votePolicyReader } from './vote-policy.ts'
import { announceTestFaults, checkTestFaults, equivocatingNetwork, type TestFaults } from './test-faults.ts'
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { availableParallelism } from 'node:os'
import { sha256 } from '../../core/hash.ts'
import { toHex } from '../../core/bytes.ts'
import { systemClock, type Clock } from '../../core/clock.ts'
import { AgoraError, errorMessage } from '../../core/errors.ts'
import type { NodeKeys } from '../../core/crypto/keys.ts'
import type { Genesis } from '../../ledger/genesis.ts'
import { readGenesis } from './genesis-file.ts'
import { loadKeysFromDataDir, takeNewKeyMarker } from './keys.ts'
import { RocksStore } from '../infra/db/rocks.ts'
import { createGenesisLedger } from '../../ledger/ledger.ts'
import { createAgoraHost, type AgoraHost } from '../infra/p2p/index.ts'
import { createExecutionService, type ExecutionService } from '../infra/runtime/service.ts'
import { DEFAULT_POLICY, type RuntimePolicy } from '../infra/runtime/policy.ts'
import { CHALLENGE_POLICIES } from '../../challenges/index.ts'
import { createChainClient, TX_GAS_CAP, type ChainClient } from '../../contracts/index.ts'
import { createLogger, type Logger } from '../infra/log.ts'
import type { Wired } from '../core/wire.ts'
import type { LedgerView } from '../core/importer.ts'
import { composeNode } from './compose.ts'
import { createHandoverChain, handoverVerifier, parseTrustedCheckpoint } from '../core/handover.ts'
import { currentCertificationSet } from '../../ledger/ledger.ts'
import { createApiServer, type ApiServer } from '../api/server.ts'
import { loadOrCreateApiToken } from '../api/token.ts'
import { createMetrics } from '../infra/metrics/metrics.ts'

export interface NodeOptions {
  readonly dataDir: string
  readonly genesisPath: string
  readonly listen?: readonly string[]
  readonly bootstrap?: readonly string[]
  /** API port on 127.0.0.1 (0 = ephemeral). */
  readonly apiPort?: number
  readonly rpcUrl?: string
  readonly weightRegistry?: string
  readonly password?: string
  /** Test-only misbehaviour (validator/app/test-faults.ts): refused unless AGORA_TEST_FAULTS=1. */
  readonly testFaults?: TestFaults
  readonly runtimeWorkers?: number
  /** `<epoch>:<header hash>` of a checkpoint the operator trusts: a fresh node walks hand-overs from it, not from genesis. */
  readonly trustedCheckpoint?: string
}

export interface NodeModules { readonly clock?: Clock; readonly log?: Logger }

export interface RunningNode {
  readonly keys: NodeKeys
  readonly host: AgoraHost
  readonly api: ApiServer
  readonly wired: Wired
  ledger(): LedgerView
  stop(): Promise<void>
}

/** Challenge modules named in genesis: bytes checked against their hash before anything runs them. */
function loadGenesisChallenges(genesis: Genesis, genesisPath: string): Map<string, { module: Uint8Array; policy: RuntimePolicy }> {
  const out = new Map<string, { module: Uint8Array; policy: RuntimePolicy }>()
  for (const c of genesis.challenges) {
    const path = resolve(dirname(genesisPath), c.module)
    let bytes: Uint8Array
    try {
      bytes = new Uint8Array(readFileSync(path))
    } catch {
      throw new AgoraError('CHALLENGE_MISSING', `challenge ${c.id}: module ${path} not found (run agora challenge build)`)
    }
    if ('0x' + toHex(sha256(bytes)) !== c.moduleHash) throw new AgoraError('CHALLENGE_HASH', `challenge ${c.id}: module bytes do not match the genesis hash`)
    out.set(c.id, { module: bytes, policy: (CHALLENGE_POLICIES as Record<string, RuntimePolicy>)[c.id] ?? DEFAULT_POLICY })
  }
  return out
}

export async function startNode(opts: NodeOptions, modules: NodeModules = {}): Promise<RunningNode> {
  const clock = modules.clock ?? systemClock
  const faults = opts.testFaults ?? {}
  checkTestFaults(faults) // before anything is opened
  const dataDir = resolve(opts.dataDir)
  const { keys } = await loadKeysFromDataDir(dataDir, opts.password)
  const log = modules.log ?? createLogger({ name: keys.peerId.slice(-8) })
  const genesisPath = resolve(opts.genesisPath)
  const genesis = readGenesis(genesisPath)
  const challenges = loadGenesisChallenges(genesis, genesisPath)

  const db = await RocksStore.open(join(dataDir, 'db'))
  const newKey = takeNewKeyMarker(dataDir)
  const metrics = createMetrics()
  const rpcUrl = opts.rpcUrl ?? genesis.chain?.rpcUrl
  const registry = opts.weightRegistry ?? genesis.chain?.weightRegistry
  const chain: ChainClient | undefined = rpcUrl && registry
    ? createChainClient({ rpcUrl, address: registry, privateKey: keys.evmPrivateKey, gasLimit: TX_GAS_CAP, retries: 3 })
    : undefined

  // Which set certifies each epoch: genesis, then each certified hand-over (or from a trusted checkpoint).
  const handover = createHandoverChain({ networkId: genesis.networkId, genesisSet: currentCertificationSet(createGenesisLedger(genesis)) })
  const trusted = opts.trustedCheckpoint ? parseTrustedCheckpoint(opts.trustedCheckpoint) : undefined
  const verifyCheckpoint = handoverVerifier(handover, trusted)
  const host = await createAgoraHost({
    ed25519Seed: keys.ed25519Seed, listen: opts.listen ?? ['/ip4/127.0.0.1/tcp/0'], bootstrap: opts.bootstrap ?? [],
    verifyCheckpoint,
  }, { clock, db, metricsRegistry: metrics.registry })
  const runtime: ExecutionService = createExecutionService({ workers: opts.runtimeWorkers ?? Math.max(1, Math.min(2, availableParallelism() - 1)) })

  const chainTarget = chain && registry ? { chainId: await chain.chainId(), contract: registry } : undefined
  announceTestFaults(faults, log)
  const network = faults.equivocate ? equivocatingNetwork(host, { selfId: keys.peerId, ed25519Seed: keys.ed25519Seed, log }) : host
  const wired = await composeNode({ keys, genesis, challenges, newKey, dishonest: !!faults.dishonest, chainTarget, trustedCheckpoint: trusted, handover, votePolicy: votePolicyReader(dataDir, (e) => log.warn({ err: errorMessage(e) }, 'vote policy file invalid: keeping the previous policy')) }, {
    network, kv: db, clock, runtime, chain, log, metrics,
  })
  if (wired.replayedHeight > 0) log.info({ height: wired.replayedHeight }, 'replayed decided log')
  const ledger = wired.ledger

  const apiToken = loadOrCreateApiToken(dataDir)
  const api = await createApiServer({
    view: wired.view, actions: wired.actions, events: wired.events, port: opts.apiPort ?? 0, apiToken,
    metricsRegistry: metrics.registry, health: wired.health,
  })
  await host.start()
  wired.start()
  // Bootstrap peers may start after us: keep dialling them until connected (bounded, cheap when connected).
  const redial = setInterval(() => {
    const connected = new Set(host.peers())
    for (const addr of opts.bootstrap ?? []) {
      const id = addr.split('/p2p/')[1]
      if (id && id !== keys.peerId && !connected.has(id)) void host.dial(addr).catch(() => undefined)
    }
  }, 2000)
  redial.unref()
  writeFileSync(join(dataDir, 'node.json'), JSON.stringify({
    pid: process.pid, peerId: keys.peerId, multiaddrs: host.multiaddrs(), apiUrl: api.url, startedAt: new Date().toISOString(),
  }, null, 2))
  log.info({ peerId: keys.peerId, api: api.url, height: ledger.height, listen: host.multiaddrs()[0] }, 'node started')

  let stopping: Promise<void> | undefined
  return {
    keys, host, api, wired, ledger: () => ledger,
    stop: () => (stopping ??= (async () => {
      clearInterval(redial)
      wired.stop()
      await api.close().catch(() => {})
      await host.stop().catch(() => {})
      await runtime.close().catch(() => {})
      chain?.close()
      await db.close()
      log.info('node stopped')
    })()),
  }
}
