// API benchmark. Queries: latency (p50/p99 over HTTP on loopback, the client in a worker thread) of the
// common queries against the node's real read model (validator/core/node-view.ts) over a ledger holding
// `--posts` posts (default 1M), 10k pools and 10k members. Mutations: signed transactions accepted per
// second by one real node (test/api/real-node.ts: the real admission path), sequential and 8 in flight.
import { performance } from 'node:perf_hooks'
import { Worker } from 'node:worker_threads'
import { Registry } from 'prom-client'
import { cidOfBytes } from '../core/encoding.ts'
import { sha256 } from '../core/hash.ts'
import { utf8 } from '../core/bytes.ts'
import type { MemberId, PoolId, PostId } from '../core/ids.ts'
import * as forum from '../forum/index.ts'
import { account } from '../forum/state.ts'
import { createGenesisLedger, ledgerStateRoot } from '../ledger/ledger.ts'
import { userPoolId, userPostId } from '../ledger/ids.ts'
import { createApiServer } from '../validator/api/server.ts'
import { memberIdOfSeed, signTransaction, type TxBodyBase } from '../validator/api/client.ts'
import type { NodeActions, NodeEvents, SignedTxInput } from '../validator/api/view.ts'
import { createNodeView } from '../validator/core/node-view.ts'
import { createMempool } from '../validator/core/mempool-policy.ts'
import { Schedule } from '../validator/core/scheduler.ts'
import { BlockStore } from '../validator/infra/db/block-store.ts'
import { SimStore } from '../test/sim/node/store.ts'
import { simGenesis, simIdentities } from '../test/sim/node/genesis.ts'
import { startRealNet } from '../test/api/real-node.ts'
import { median, percentile, report, round } from './report.ts'

const REP = 1_000_000_000n
const POOLS = 10_000
const MEMBERS = 10_000

const arg = (args: string[], name: string, dflt: number) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : dflt }

async function post(url: string, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) })
  const body = (await res.json()) as { errors?: unknown[] }
  if (body.errors) throw new Error(`bench query failed: ${JSON.stringify(body.errors)}`)
  return body
}

/** A read model over a big ledger, written straight into the forum state (no blocks: this measures reads). */
export async function bigView(posts: number) {
  const ids = await simIdentities(1, 0)
  const genesis = simGenesis(ids)
  const ledger = createGenesisLedger(genesis)
  const f = ledger.forum
  const member = (i: number) => `m${i}` as MemberId
  for (let i = 0; i < MEMBERS; i++) Object.assign(account(f, member(i)), { rep: 100n * REP, credits: REP })
  for (let i = 0; i < posts; i++) {
    const a = member(i % MEMBERS)
    const citations = i > 0 ? [{ post: `P${(i * 7919) % i}` as PostId, weightPpm: 250_000, flow: 0n }] : []
    f.posts.set(`P${i}` as PostId, { id: `P${i}` as PostId, sender: a, authors: [{ member: a, weightPpm: 1_000_000 }], citations, value: REP, createdSlot: 0, content: `post ${i}` })
  }
  for (let i = 0; i < POOLS; i++) {
    const id = `V${i}` as PoolId
    for (const tx of [
      { type: 'InitiatePool', sender: forum.SYSTEM_SENDER, id, post: `P${(i * 7919) % posts}` as PostId, fee: REP, durationSlots: 1_000_000 },
      { type: 'Stake', sender: member(i % MEMBERS), pool: id, amount: REP, inFavor: true },
    ] as const) {
      const r = forum.applyTx(f, tx, { slot: 0 })
      if (!r.ok) throw new Error(r.message)
    }
  }
  const t0 = performance.now()
  const root = ledgerStateRoot(ledger)
  const rootMs = performance.now() - t0
  const keys = ids.validators[0]!
  const modules = {
    ledger, blocks: new BlockStore(new SimStore()), host: { peers: () => [] }, self: keys.peerId, keys, genesis,
    schedule: new Schedule(genesis.genesisTime, genesis.params.slotMs as number, genesis.params.epochSlots as number),
    clock: { now: () => 0, setTimer: () => ({ cancel() {} }) }, mempool: createMempool({ self: keys.peerId, ledger, isValidator: () => false }), root: () => root,
  }
  return { view: createNodeView(modules), modules, rootMs }
}

async function benchQueries(n: number, posts: number): Promise<void> {
  const t0 = performance.now()
  const { view, rootMs } = await bigView(posts)
  const buildMs = performance.now() - t0
  const refuse: NodeActions = { submitTransaction: async () => ({ accepted: false, code: 'REJECTED', message: 'read-only bench' }) }
  const events: NodeEvents = { subscribe: () => () => {} }
  const server = await createApiServer({ view, actions: refuse, events, port: 0, limits: { ratePerSecond: 1e9, rateBurst: 1e9 }, metricsRegistry: new Registry() })
  const queries: [string, string, Record<string, unknown>][] = [
    ['node', '{ node { height epoch stateRoot peers synced } }', {}],
    ['blocks(first:20)', '{ blocks(first: 20) { total nextCursor items { height hash stateRoot proposer txCount } } }', {}],
    ['posts(first:20)+citations', '{ posts(first: 20) { total items { id value authors { member weightPpm } citations { post weightPpm target { id value } } } } }', {}],
    ['post(id)+citations', 'query($p: String!) { post(id: $p) { id value content citations { post weightPpm target { id value } } } }', { p: `P${posts - 1}` }],
    ['balance(member)', 'query($m: String!) { balance(member: $m) { balance locked free credits } }', { m: `m${MEMBERS - 1}` }],
    ['pools+stakes', '{ pools(first: 20) { items { id forTotal againstTotal stakes { member amount inFavor } } } }', {}],
    // The dashboard's query: open pools only (a scan of every pool per read until the view kept them per block).
    ['pools(openOnly)+stakes', '{ pools(first: 20, openOnly: true) { total items { id forTotal againstTotal stakes { member amount inFavor } } } }', {}],
    ['stateProof(account)', 'query($k: String!) { stateProof(key: $k) { height stateRoot value levels } }', { k: `forum/account/m${MEMBERS - 1}` }],
  ]
  // The client runs in a worker thread (its own heap, as a real client is another process): its garbage
  // would otherwise be promoted into the served heap and add major collections of a 1M-post state.
  const client = new Worker(QUERY_CLIENT, { eval: true, workerData: { url: server.url } })
  try {
    for (const [name, q, v] of queries) {
      client.postMessage({ query: q, variables: v, warmup: 30, n })
      const res = await new Promise<{ samples?: number[]; error?: string }>((resolve) => client.once('message', resolve))
      if (!res.samples) throw new Error(`bench query ${name} failed: ${res.error}`)
      const samples = res.samples
      report('api', `query:${name}`, { n, posts, p50Ms: round(median(samples)), p99Ms: round(percentile(samples, 99)), setupMs: round(buildMs), firstRootMs: round(rootMs) })
    }
  } finally { await client.terminate(); await server.close() }
}

/** The query client (CommonJS for an eval'd worker): per request, `warmup` unmeasured then `n` timed round trips. */
const QUERY_CLIENT = `
const { parentPort, workerData } = require('node:worker_threads')
const { performance } = require('node:perf_hooks')
async function post(body) {
  const res = await fetch(workerData.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  const out = await res.json()
  if (out.errors) throw new Error(JSON.stringify(out.errors))
}
parentPort.on('message', async ({ query, variables, warmup, n }) => {
  try {
    const body = JSON.stringify({ query, variables })
    for (let i = 0; i < warmup; i++) await post(body)
    const samples = []
    for (let i = 0; i < n; i++) { const t = performance.now(); await post(body); samples.push(performance.now() - t) }
    parentPort.postMessage({ samples })
  } catch (e) { parentPort.postMessage({ error: String(e) }) }
})
`

async function benchMutations(n: number): Promise<void> {
  // One sender per transaction: a sender may have only 64 pending (the mempool's per-sender cap).
  const senders = Array.from({ length: n }, (_, i) => {
    const seed = sha256(utf8(`agora/bench/api/${i}`))
    return { seed, peerId: memberIdOfSeed(seed) }
  })
  const net = await startRealNet({ balances: Object.fromEntries(senders.map((s) => [s.peerId, '10'])), params: { epochSlots: 100_000 } })
  try {
    await net.produce(1)
    const u = net.user
    const postId = userPostId(u.peerId, 1), pool = userPoolId(u.peerId, 2)
    await post(net.url, 'mutation($tx: SignedTxInput!) { post(tx: $tx) { txId } }', { tx: signTransaction(u.ed25519Seed, { type: 'Post', sender: u.peerId, nonce: 1, id: postId, authors: { [u.peerId]: 1_000_000 } }) })
    await net.produce(1)
    await post(net.url, 'mutation($tx: SignedTxInput!) { initiatePool(tx: $tx) { txId } }', { tx: signTransaction(u.ed25519Seed, { type: 'InitiatePool', sender: u.peerId, nonce: 2, id: pool, post: postId, fee: String(REP), durationSlots: 1_000_000 }) })
    await net.produce(1)
    const payload = new Uint8Array(64).fill(7)
    const p64 = Buffer.from(payload).toString('base64')
    let next = 0
    const sender = () => senders[next++]!
    const signSubmit = (): SignedTxInput => { const s = sender(); return signTransaction(s.seed, { type: 'Submission', sender: s.peerId, nonce: 1, challenge: 'pow', payloadCid: cidOfBytes(payload), payloadBytes: payload.length } as TxBodyBase) }
    const signStake = (): SignedTxInput => { const s = sender(); return signTransaction(s.seed, { type: 'Stake', sender: s.peerId, nonce: 2, pool, amount: '1000', inFavor: true } as TxBodyBase) }
    const SUBMIT = 'mutation($tx: SignedTxInput!, $p: String) { submit(tx: $tx, payload: $p) { txId } }'
    const STAKE = 'mutation($tx: SignedTxInput!) { stake(tx: $tx) { txId } }'
    for (const [name, q, sign, extra] of [['submit(64B inline)', SUBMIT, signSubmit, { p: p64 }], ['stake', STAKE, signStake, {}]] as const) {
      next = 0
      for (const inFlight of [1, 8]) {
        const txs = Array.from({ length: n / 2 }, sign)
        let i = 0, accepted = 0
        const t0 = performance.now()
        await Promise.all(Array.from({ length: inFlight }, async () => {
          while (i < txs.length) { await post(net.url, q, { tx: txs[i++]!, ...extra }); accepted++ }
        }))
        const secs = (performance.now() - t0) / 1000
        report('api', `mutation:${name}`, { n: txs.length, inFlight, accepted, acceptedPerSec: round(accepted / secs, 1) })
      }
      await net.produce(1) // decide what the case left in the mempool
    }
  } finally {
    await net.close()
  }
}

export async function run(args: string[]): Promise<void> {
  const n = arg(args, '--n', 400)
  await benchQueries(n, arg(args, '--posts', 1_000_000))
  if (!args.includes('--queries-only')) await benchMutations(n)
}
