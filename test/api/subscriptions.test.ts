// Subscriptions over SSE (graphql-yoga's built-in transport) through plain fetch, and the operational
// routes: /livez, /readyz, /metrics, GraphiQL at /graphql for browsers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cidOfBytes } from '../../core/encoding.ts'
import { utf8 } from '../../core/bytes.ts'
import { signTransaction } from '../../validator/api/client.ts'
import { gql, startNet, type Net } from './helpers.ts'

let net: Net
beforeAll(async () => { net = await startNet({ count: 1 }) })
afterAll(async () => { await net?.close() })
const url = () => net.servers[0]!.url
const node = () => net.nodes[0]!

/** Open an SSE subscription; keep calling `poke` until the first `next` event arrives; return its data. */
async function firstEvent(query: string, poke: () => void): Promise<any> {
  const abort = new AbortController()
  const res = await fetch(url(), { method: 'POST', signal: abort.signal, headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify({ query }) })
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/)
  const reader = res.body!.getReader()
  const timer = setInterval(poke, 50) // the subscription attaches asynchronously: poke until it sees one
  try {
    let buf = ''
    for (;;) {
      const { value, done } = await reader.read()
      if (done) throw new Error(`stream ended before an event: ${buf}`)
      buf += new TextDecoder().decode(value)
      const m = /event: next\ndata: (.*)\n/.exec(buf)
      if (m) return JSON.parse(m[1]!)
    }
  } finally {
    clearInterval(timer)
    abort.abort()
  }
}

describe('subscriptions (SSE)', () => {
  it('newBlocks receives the next block', async () => {
    const ev = await firstEvent('subscription { newBlocks { height stateRoot txCount } }', () => node().produceBlock())
    expect(ev.data.newBlocks.height).toBeGreaterThanOrEqual(1)
    expect(ev.data.newBlocks.stateRoot).toMatch(/^0x[0-9a-f]{64}$/)
    const latest = (await gql(url(), `query($h: Int!) { block(height: $h) { stateRoot } }`, { h: ev.data.newBlocks.height })).data.block
    expect(latest.stateRoot).toBe(ev.data.newBlocks.stateRoot)
  })

  it('finalScores, poolOutcomes and certifiedEpochs relay their events', async () => {
    const payload = utf8('7')
    const tx = signTransaction(net.user.ed25519Seed, { type: 'Submission', sender: net.user.peerId, nonce: 1, challenge: 'sum', payloadCid: cidOfBytes(payload), payloadBytes: payload.length })
    const sub = await gql(url(), `mutation($tx: SignedTxInput!) { submit(tx: $tx) { txId } }`, { tx })
    node().produceBlock()
    const id = sub.data.submit.txId
    const score = await firstEvent('subscription { finalScores { id final finalScore reports { validator } } }', () => node().finalizeSubmission(id, '0.5'))
    expect(score.data.finalScores).toMatchObject({ id, final: true, finalScore: '0.5' })
    const pool = await firstEvent('subscription { poolOutcomes { id resolved passed } }', () => node().resolvePool('pool0', false))
    expect(pool.data.poolOutcomes).toEqual({ id: 'pool0', resolved: true, passed: false })
    const epoch = await firstEvent('subscription { certifiedEpochs { epoch weights certificateSigners } }', () => node().certifyEpoch(3))
    expect(epoch.data.certifiedEpochs).toMatchObject({ epoch: 3, weights: [65535] })
  })

  it('a subscription is held to the depth limit too', async () => {
    const res = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify({ query: 'subscription { poolOutcomes { target { citations { target { citations { target { citations { target { id } } } } } } } } }' }) })
    const text = await res.text()
    expect(text).toMatch(/QUERY_TOO_DEEP/)
  })
})

describe('operational routes', () => {
  it('/livez, /readyz (not ready before the first block), /metrics, GraphiQL', async () => {
    const fresh = await startNet({ count: 1 })
    try {
      const base = fresh.servers[0]!.url.replace('/graphql', '')
      expect((await fetch(`${base}/livez`)).status).toBe(200)
      const notReady = await fetch(`${base}/readyz`)
      expect(notReady.status).toBe(503)
      expect(await notReady.text()).toMatch(/not ready: no block decided yet/)
      fresh.produce()
      expect((await fetch(`${base}/readyz`)).status).toBe(200)
      await gql(fresh.servers[0]!.url, '{ node { height } }')
      const metrics = await fetch(`${base}/metrics`)
      expect(metrics.headers.get('content-type')).toMatch(/text\/plain/)
      const text = await metrics.text()
      expect(text).toMatch(/agora_api_requests_total\{route="\/graphql",status="200"\} [1-9]/)
      expect(text).toMatch(/agora_api_request_duration_seconds_bucket/)
      const html = await fetch(fresh.servers[0]!.url, { headers: { accept: 'text/html' } })
      expect(html.status).toBe(200)
      expect(await html.text()).toMatch(/graphiql/i)
      expect((await fetch(`${base}/nope`)).status).toBe(404)
    } finally {
      await fresh.close()
    }
  })
})
