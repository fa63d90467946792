// API benchmark: query latency (p50/p99 over HTTP) for common queries, and signed mutations accepted per
// second by one node (pre-signed transactions, sequential and 8 in flight). The node is the in-memory fake
// from test/api (so this measures the API layer: HTTP, GraphQL, envelope checks), server and client in
// one process on loopback.
import { performance } from 'node:perf_hooks'
import { Registry } from 'prom-client'
import { deriveNodeKeys } from '../core/crypto/keys.ts'
import { ONE_REP } from '../core/amount.ts'
import { cidOfBytes } from '../core/encoding.ts'
import { createApiServer } from '../validator/api/server.ts'
import { signTransaction, type TxBodyBase } from '../validator/api/client.ts'
import type { SignedTxInput } from '../validator/api/view.ts'
import { createFakeNode } from '../test/api/fake-node.ts'
import { median, percentile, report, round } from './report.ts'

const ABANDON = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'
const LEGAL = 'legal winner thank year wave sausage worth useful legal winner thank yellow'

export async function run(args: string[]): Promise<void> {
  const n = Number(args[0] ?? 400)
  const [user, validator] = await Promise.all([deriveNodeKeys(ABANDON), deriveNodeKeys(LEGAL)])
  const node = createFakeNode({
    peerId: validator.peerId, validators: [validator.peerId],
    balances: { [user.peerId]: 1_000_000n * ONE_REP, [validator.peerId]: 1000n * ONE_REP },
    challenges: [{ id: 'sum', name: 'sum', version: '1.0.0', moduleHash: '0x' + '00'.repeat(32), owner: '11'.repeat(32), status: 'active', emissionSharePpm: 1_000_000, policy: '{}' }],
    posts: Array.from({ length: 50 }, (_, i) => ({ id: `p${i}`, authors: [{ member: validator.peerId, weightPpm: 1_000_000 }], citations: i ? [{ post: `p${i - 1}`, weightPpm: 100_000 }] : [], value: '1', content: `post ${i}`, createdSlot: i })),
    pools: [{ id: 'pool0', post: 'p0', fee: ONE_REP, endSlot: 1_000_000 }],
  })
  for (let i = 0; i < 100; i++) node.produceBlock()
  const server = await createApiServer({ view: node, actions: node, events: node, port: 0, host: '127.0.0.1', limits: { ratePerSecond: 1e9, rateBurst: 1e9 }, metricsRegistry: new Registry() })
  const post = async (query: string, variables: Record<string, unknown> = {}) => {
    const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) })
    const body = (await res.json()) as { errors?: unknown[] }
    if (body.errors) throw new Error(`bench query failed: ${JSON.stringify(body.errors)}`)
    return body
  }

  const queries: [string, string, Record<string, unknown>][] = [
    ['node', '{ node { height epoch stateRoot peers synced } }', {}],
    ['blocks(first:20)', '{ blocks(first: 20) { total nextCursor items { height hash stateRoot proposer txCount } } }', {}],
    ['posts(first:20)+citations', '{ posts(first: 20) { total items { id value authors { member weightPpm } citations { post weightPpm target { id value } } } } }', {}],
    ['balance(member)', 'query($m: String!) { balance(member: $m) { balance locked free } }', { m: user.peerId }],
    ['pools+stakes', '{ pools(first: 20) { items { id forTotal againstTotal stakes { member amount inFavor } } } }', {}],
  ]
  for (const [name, q, v] of queries) {
    for (let i = 0; i < 30; i++) await post(q, v) // warm-up
    const samples: number[] = []
    for (let i = 0; i < n; i++) {
      const t0 = performance.now()
      await post(q, v)
      samples.push(performance.now() - t0)
    }
    report('api', `query:${name}`, { n, p50Ms: round(median(samples)), p99Ms: round(percentile(samples, 99)) })
  }

  let nonce = 0
  const payload = new Uint8Array(64).fill(7)
  const signSubmit = (): SignedTxInput => signTransaction(user.ed25519Seed, { type: 'Submission', sender: user.peerId, nonce: ++nonce, challenge: 'sum', payloadCid: cidOfBytes(payload), payloadBytes: payload.length } as TxBodyBase)
  const signStake = (): SignedTxInput => signTransaction(user.ed25519Seed, { type: 'Stake', sender: user.peerId, nonce: ++nonce, pool: 'pool0', amount: '1000', inFavor: true } as TxBodyBase)
  const SUBMIT = 'mutation($tx: SignedTxInput!, $p: String) { submit(tx: $tx, payload: $p) { txId } }'
  const STAKE = 'mutation($tx: SignedTxInput!) { stake(tx: $tx) { txId } }'
  const p64 = Buffer.from(payload).toString('base64')

  for (const [name, q, sign, extra] of [['submit(64B inline)', SUBMIT, signSubmit, { p: p64 }], ['stake', STAKE, signStake, {}]] as const) {
    for (const inFlight of [1, 8]) {
      const txs = Array.from({ length: n }, sign)
      let next = 0, accepted = 0
      const t0 = performance.now()
      await Promise.all(Array.from({ length: inFlight }, async () => {
        while (next < txs.length) {
          const tx = txs[next++]!
          await post(q, { tx, ...extra })
          accepted++
        }
      }))
      const secs = (performance.now() - t0) / 1000
      node.produceBlock() // empty the fake's mempool between cases
      report('api', `mutation:${name}`, { n, inFlight, accepted, acceptedPerSec: round(accepted / secs, 1) })
    }
  }
  await server.close()
}
