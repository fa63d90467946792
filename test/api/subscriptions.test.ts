// Subscriptions over SSE (graphql-yoga's built-in transport) through plain fetch, fed by a real node
// (test/api/real-node.ts) as it decides blocks, finalizes a submission, resolves a pool and certifies an
// epoch; and the operational routes: /livez, /readyz, /metrics, GraphiQL at /graphql for browsers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cidOfBytes } from '../../core/encoding.ts'
import { powSearch } from '../../challenges/payloads.ts'
import { challengeSeed } from '../../validator/core/evaluator.ts'
import { userPoolId, userPostId } from '../../ledger/ids.ts'
import { submissionIdOf } from '../../ledger/evaluations.ts'
import { signTransaction, type TxBodyBase } from '../../validator/api/client.ts'
import { gql } from './helpers.ts'
import { startRealNet, type RealNet } from './real-node.ts'

let net: RealNet
let nonce = 0
beforeAll(async () => { net = await startRealNet(); await net.produce(1) }, 60_000)
afterAll(async () => { await net?.close() })
const url = () => net.url
const userTx = (body: Omit<TxBodyBase, 'sender' | 'nonce'>, n = ++nonce) => signTransaction(net.user.ed25519Seed, { sender: net.user.peerId, nonce: n, ...body } as TxBodyBase)
const mutate = async (name: string, tx: unknown, payload?: Uint8Array) => {
  const r = await gql(url(), `mutation($tx: SignedTxInput!${payload ? ', $p: String' : ''}) { ${name}(tx: $tx${payload ? ', payload: $p' : ''}) { txId } }`, { tx, ...(payload ? { p: Buffer.from(payload).toString('base64') } : {}) })
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined()
}

/**
 * Open an SSE subscription, then drive the network until a `next` event matching `wanted` arrives; return
 * its data. The subscription attaches asynchronously, so the drive goes on until the event, not for a fixed time.
 */
async function firstEvent(query: string, wanted: (ev: any) => boolean = () => true): Promise<any> {
  const abort = new AbortController()
  const res = await fetch(url(), { method: 'POST', signal: abort.signal, headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify({ query }) })
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/)
  const reader = res.body!.getReader()
  let event: any
  const reading = (async () => {
    let buf = ''
    for (;;) {
      const { value, done } = await reader.read()
      if (done) throw new Error(`stream ended before an event: ${buf}`)
      buf += new TextDecoder().decode(value)
      for (let m; (m = /event: next\ndata: (.*)\n/.exec(buf));) {
        buf = buf.slice(m.index + m[0].length)
        const ev = JSON.parse(m[1]!)
        if (wanted(ev)) return (event = ev)
      }
    }
  })()
  try {
    await net.until(`an event for ${query}`, () => event !== undefined)
    return await reading
  } finally {
    abort.abort()
  }
}

describe('subscriptions (SSE)', () => {
  it('newBlocks receives the next decided block', async () => {
    const ev = await firstEvent('subscription { newBlocks { height stateRoot txCount } }')
    expect(ev.data.newBlocks.height).toBeGreaterThanOrEqual(2)
    const b = (await gql(url(), `query($h: Int!) { block(height: $h) { stateRoot txCount } }`, { h: ev.data.newBlocks.height })).data.block
    expect(b).toEqual({ stateRoot: ev.data.newBlocks.stateRoot, txCount: ev.data.newBlocks.txCount })
  })

  it('finalScores relays the committee\'s final score of a submission', async () => {
    const payload = powSearch(challengeSeed('pow'), 6).nonce
    await mutate('submit', userTx({ type: 'Submission', challenge: 'pow', payloadCid: cidOfBytes(payload), payloadBytes: payload.length }), payload)
    const ev = await firstEvent('subscription { finalScores { id miner final finalScore reports { validator } } }')
    expect(ev.data.finalScores).toMatchObject({ id: submissionIdOf('pow', cidOfBytes(payload)), miner: net.user.peerId, final: true })
    const s = (await gql(url(), `query($id: String!) { submission(id: $id) { finalScore reports { validator } } }`, { id: ev.data.finalScores.id })).data.submission
    expect(s).toEqual({ finalScore: ev.data.finalScores.finalScore, reports: ev.data.finalScores.reports })
  })

  it('poolOutcomes relays a pool when it resolves', async () => {
    const n1 = ++nonce, n2 = ++nonce
    const post = userPostId(net.user.peerId, n1), pool = userPoolId(net.user.peerId, n2)
    await mutate('post', userTx({ type: 'Post', id: post, authors: { [net.user.peerId]: 1_000_000 } }, n1))
    await net.produce()
    await mutate('initiatePool', userTx({ type: 'InitiatePool', id: pool, post, fee: '1000000000' }, n2))
    // Epoch boundaries resolve the system's evidence pools too: wait for ours.
    const ev = await firstEvent('subscription { poolOutcomes { id post resolved passed } }', (e) => e.data.poolOutcomes.id === pool)
    expect(ev.data.poolOutcomes).toMatchObject({ id: pool, post, resolved: true })
    expect((await gql(url(), `query($p: String!) { pool(id: $p) { passed } }`, { p: pool })).data.pool.passed).toBe(ev.data.poolOutcomes.passed)
  })

  it('certifiedEpochs relays an epoch once its quorum certificate exists', async () => {
    const last = (await gql(url(), '{ node { lastCertifiedEpoch } }')).data.node.lastCertifiedEpoch ?? -1
    const ev = await firstEvent('subscription { certifiedEpochs { epoch weightsHash } }', (e) => e.data.certifiedEpochs.epoch > last)
    const { epoch } = ev.data.certifiedEpochs
    const d = (await gql(url(), `query($e: Int!) { epoch(epoch: $e) { weightsHash } checkpoints(first: 100) { items { epoch signers } } }`, { e: epoch })).data
    expect(d.epoch.weightsHash).toBe(ev.data.certifiedEpochs.weightsHash)
    expect(d.checkpoints.items).toContainEqual({ epoch, signers: [net.nodes[0]!.keys.peerId] })
  })

  it('a subscription is held to the depth limit too', async () => {
    const res = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify({ query: 'subscription { poolOutcomes { target { citations { target { citations { target { citations { target { id } } } } } } } } }' }) })
    const text = await res.text()
    expect(text).toMatch(/QUERY_TOO_DEEP/)
  })
})

describe('operational routes', () => {
  it('/livez, /readyz (not ready while catching up with peers), /metrics, GraphiQL', async () => {
    const fresh = await startRealNet({ validators: 4 })
    try {
      const base = fresh.url.replace('/graphql', '')
      expect((await fetch(`${base}/livez`)).status).toBe(200)
      const notReady = await fetch(`${base}/readyz`)
      expect(notReady.status).toBe(503)
      expect(await notReady.text()).toMatch(/not ready: catching up with peers/)
      await fresh.produce(1)
      expect((await fetch(`${base}/readyz`)).status).toBe(200)
      await gql(fresh.url, '{ node { height } }')
      const metrics = await fetch(`${base}/metrics`)
      expect(metrics.headers.get('content-type')).toMatch(/text\/plain/)
      const text = await metrics.text()
      expect(text).toMatch(/agora_api_requests_total\{route="\/graphql",status="200"\} [1-9]/)
      expect(text).toMatch(/agora_api_request_duration_seconds_bucket/)
      const html = await fetch(fresh.url, { headers: { accept: 'text/html' } })
      expect(html.status).toBe(200)
      expect(await html.text()).toMatch(/graphiql/i)
      expect((await fetch(`${base}/nope`)).status).toBe(404)
    } finally {
      await fresh.close()
    }
  })
})
