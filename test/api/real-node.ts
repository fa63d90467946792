// The real node behind the API, without libp2p or processes: composeNode (validator/app/compose.ts) over the
// whole-node simulator's in-memory network, store, runtime and chain (test/sim/node), each node with the real
// GraphQL server (validator/api) on an ephemeral port. Simulated time moves only when a test drives it
// (produce/until), so blocks come from real consensus and every refusal from the real admission path.
import { deriveNodeKeys, type NodeKeys } from '../../core/crypto/keys.ts'
import type { Genesis } from '../../ledger/genesis.ts'
import { composeNode, type ComposedNode } from '../../validator/app/compose.ts'
import { createApiServer, type ApiServer } from '../../validator/api/server.ts'
import type { ApiLimits } from '../../validator/api/limits.ts'
import { createMetrics, type Metrics } from '../../validator/infra/metrics/metrics.ts'
import { silentLogger } from '../../validator/infra/log.ts'
import { createRng } from '../sim/prng.ts'
import { Scheduler } from '../sim/scheduler.ts'
import { SimChain } from '../sim/node/chain.ts'
import { challengeModules, simGenesis, simIdentities } from '../sim/node/genesis.ts'
import { SimNetwork } from '../sim/node/network.ts'
import { inProcessRuntime } from '../sim/node/runtime.ts'
import { SimStore } from '../sim/node/store.ts'
import { cidOfBytes } from '../../core/encoding.ts'
import { powPayloads } from '../../challenges/payloads.ts'
import { challengeInstanceSeed, submissionIdOf } from '../../ledger/evaluations.ts'
import { fromHex } from '../../core/bytes.ts'
import { userPoolId, userPostId } from '../../ledger/ids.ts'
import { signTransaction } from '../../validator/api/client.ts'
import { ABANDON, API_TOKEN, ZOO, gql } from './helpers.ts'

/** Genesis REP and fee credits of the test members (user: rich in both; poor: 1 REP, no credits). */
export const USER_REP = '1000', USER_CREDITS = '100', POOR_REP = '1'

/** Simulated time a drive may take before it fails (the slot is 1 s: 120 slots). */
const MAX_DRIVE_MS = 120_000

export interface RealNode {
  readonly keys: NodeKeys
  readonly node: ComposedNode
  readonly server: ApiServer
  readonly metrics: Metrics
}

export interface RealNet {
  readonly user: NodeKeys
  readonly poor: NodeKeys
  readonly genesis: Genesis
  readonly nodes: readonly RealNode[]
  readonly sched: Scheduler
  readonly url: string
  /**
   * Drive simulated time until every node has decided `blocks` more blocks than the highest one had and
   * every mempool is empty (what a test accepted is then decided, wherever its gossip went first).
   */
  produce(blocks?: number): Promise<void>
  /** Drive simulated time until `done()` holds (checked after every event); fails after MAX_DRIVE_MS. */
  until(what: string, done: () => boolean | Promise<boolean>): Promise<void>
  close(): Promise<void>
}

export interface RealNetOptions {
  readonly validators?: number
  readonly limits?: Partial<ApiLimits>
  /** Governed parameter overrides on top of the simulator's short slots and epochs. */
  readonly params?: Genesis['params']
  /** More genesis REP balances (decimal REP by member). */
  readonly balances?: Genesis['balances']
}

let members: Promise<[NodeKeys, NodeKeys]> | undefined

export async function startRealNet(opts: RealNetOptions = {}): Promise<RealNet> {
  const [user, poor] = await (members ??= Promise.all([deriveNodeKeys(ABANDON), deriveNodeKeys(ZOO)]))
  const ids = await simIdentities(opts.validators ?? 1, 0)
  const base = simGenesis(ids)
  const genesis: Genesis = {
    ...base,
    params: { ...base.params, ...opts.params },
    balances: { ...base.balances, ...opts.balances, [user.peerId]: USER_REP, [poor.peerId]: POOR_REP },
    credits: { ...base.credits, [user.peerId]: USER_CREDITS },
  }
  const sched = new Scheduler()
  const net = new SimNetwork(sched, createRng(1))
  net.faults = { dropP: 0, dupP: 0, minMs: 5, maxMs: 50 }
  const chain = new SimChain(ids.validators.map((k) => ({ address: k.evmAddress, power: 100n })))
  const clock = { now: () => sched.now, setTimer: (ms: number, fn: () => void) => sched.after(ms, fn) }
  // Every host first: a node that sees no peer at start-up waits on a real timer (sync.ts).
  const hosts = ids.validators.map((k) => net.host(k.peerId, k.ed25519Seed))
  const nodes: RealNode[] = []
  for (const [i, keys] of ids.validators.entries()) {
    const metrics = createMetrics()
    const node = await composeNode({ keys, genesis, challenges: challengeModules(), chainTarget: { chainId: chain.chainId, contract: chain.address } }, {
      network: hosts[i]!.asAgoraHost(), kv: new SimStore(), clock, runtime: inProcessRuntime(), chain: chain.client(keys.evmAddress), log: silentLogger, metrics,
    })
    const server = await createApiServer({
      view: node.view, actions: node.actions, events: node.events, port: 0, apiToken: API_TOKEN, health: node.health,
      limits: { ratePerSecond: 10_000, rateBurst: 10_000, ...opts.limits }, metricsRegistry: metrics.registry,
    })
    nodes.push({ keys, node, server, metrics })
  }
  for (const n of nodes) n.node.start()

  const step = async () => {
    if (!(await sched.step())) throw new Error('the simulated network has nothing left to do')
    await new Promise<void>((r) => setImmediate(r)) // node work settles on microtasks; HTTP gets its turn
  }
  const until = async (what: string, done: () => boolean | Promise<boolean>) => {
    const deadline = sched.now + MAX_DRIVE_MS
    while (!(await done())) {
      if (sched.now > deadline) throw new Error(`simulated ${MAX_DRIVE_MS} ms without: ${what} (heights ${nodes.map((n) => n.node.ledger.height).join(', ')})`)
      await step()
    }
  }
  return {
    user, poor, genesis, nodes, sched, url: nodes[0]!.server.url,
    produce: (blocks = 1) => {
      const target = Math.max(...nodes.map((n) => n.node.ledger.height)) + blocks
      return until(`every node at height ${target}, mempools empty`, () => nodes.every((n) => n.node.ledger.height >= target && n.node.view.info().mempoolSize === 0))
    },
    until,
    close: async () => {
      for (const n of nodes) n.node.stop()
      for (const h of hosts) h.up = false
      await Promise.all(nodes.map((n) => n.server.close()))
    },
  }
}

/** What seedHistory made: a post, a pool on it (resolved), a final submission in an epoch whose weights are certified. */
export interface History { readonly post: string; readonly pool: string; readonly submission: string; readonly txId: string; readonly epoch: number; readonly nonce: number }

/**
 * Some history through the API, as a user makes it: a post, a short pool on it, and a pow submission; then
 * drive until the pool resolved and an epoch's weights, the miner's among them, carry their quorum signatures.
 */
export async function seedHistory(net: RealNet): Promise<History> {
  const u = net.user
  const tx = (nonce: number, body: Record<string, unknown>) => signTransaction(u.ed25519Seed, { type: String(body.type), sender: u.peerId, nonce, ...body })
  const send = async (mutation: string, t: unknown, payload?: Uint8Array) => {
    const r = await gql(net.url, `mutation($tx: SignedTxInput!${payload ? ', $p: String' : ''}) { ${mutation}(tx: $tx${payload ? ', payload: $p' : ''}) { txId } }`, { tx: t, ...(payload ? { p: Buffer.from(payload).toString('base64') } : {}) })
    if (r.errors) throw new Error(`${mutation}: ${JSON.stringify(r.errors)}`)
    return r.data[mutation].txId as string
  }
  const post = userPostId(u.peerId, 1), pool = userPoolId(u.peerId, 2)
  await send('post', tx(1, { type: 'Post', id: post, authors: { [u.peerId]: 1_000_000 }, content: 'genesis post' }))
  await net.produce()
  await send('initiatePool', tx(2, { type: 'InitiatePool', id: pool, post, fee: '1000000000' }))
  // 12 leading zero bits on the instance of the epoch it names (the log's seed): a score that earns a weight.
  const { epochSeed, forum: { epoch: workEpoch } } = net.nodes[0]!.node.ledger
  const payload = powPayloads.good(fromHex(challengeInstanceSeed(epochSeed, 'pow')))
  const txId = await send('submit', tx(3, { type: 'Submission', challenge: 'pow', epoch: workEpoch, payloadCid: cidOfBytes(payload), payloadBytes: payload.length }), payload)
  const submission = submissionIdOf('pow', cidOfBytes(payload))
  const view = net.nodes[0]!.node.view
  let epoch = -1
  await net.until('the pool resolved and the submission final in a certified epoch with weights', () => {
    const final = view.submission(submission)?.final === true
    epoch = view.epochs({ first: 100 }).items.find((e) => e.miners.includes(u.peerId) && e.certificateSigners.length > 0)?.epoch ?? -1
    return final && view.pool(pool)?.resolved === true && epoch >= 0
  })
  return { post, pool, submission, txId, epoch, nonce: 3 }
}
