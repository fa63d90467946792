// API protection through plain HTTP: depth and cost refusals with typed errors, `first` capped, request
// body size limit, and the per-client token-bucket rate limit, in front of a real node (test/api/real-node.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { codeOf, gql } from './helpers.ts'
import { startRealNet, type RealNet } from './real-node.ts'

let net: RealNet
beforeAll(async () => { net = await startRealNet({ limits: { maxDepth: 6, maxCost: 600, maxFirst: 50, maxBodyBytes: 16 * 1024 }, params: { epochSlots: 1000 } }); await net.produce(1) }, 60_000)
afterAll(async () => { await net?.close() })
const url = () => net.url
const height = () => net.nodes[0]!.node.ledger.height

describe('query limits', () => {
  it('refuses a query deeper than maxDepth, with its depth', async () => {
    const ok = await gql(url(), `{ posts(first: 1) { items { citations { target { id } } } } }`) // depth 5
    expect(ok.errors).toBeUndefined()
    const deep = await gql(url(), `{ posts(first: 1) { items { citations { target { citations { target { id } } } } } } }`) // depth 7
    expect(codeOf(deep)).toBe('QUERY_TOO_DEEP')
    expect(deep.errors![0]!.message).toMatch(/depth 7 exceeds the limit 6/)
    expect(deep.data ?? null).toBeNull()
  })

  it('counts depth through fragments', async () => {
    const r = await gql(url(), `fragment T on Post { citations { target { citations { target { id } } } } } { posts { items { ...T } } }`)
    expect(codeOf(r)).toBe('QUERY_TOO_DEEP')
  })

  it('refuses a query costlier than maxCost; cost follows `first`, including from variables', async () => {
    const q = `query($n: Int) { posts(first: $n) { items { citations { target { id } } } } }`
    // per post: items 1 + citations (1 + 10 × target 1) = 12 → first × 12 + 1
    expect((await gql(url(), q, { n: 40 })).errors).toBeUndefined() // 481
    const costly = await gql(url(), q, { n: 50 }) // 601
    expect(codeOf(costly)).toBe('QUERY_TOO_COSTLY')
    expect(costly.errors![0]!.message).toMatch(/cost 601 exceeds the limit 600/)
    // 12 aliases × (1 + 50 items) = 612: many cheap lists add up too
    const aliased = await gql(url(), `{ ${Array.from({ length: 12 }, (_, i) => `b${i}: blocks(first: 50) { items { height } }`).join(' ')} }`)
    expect(codeOf(aliased)).toBe('QUERY_TOO_COSTLY')
  })

  it('caps `first` at maxFirst', async () => {
    await net.produce(60)
    const r = await gql(url(), `{ blocks(first: 100000) { total items { height } } }`)
    expect(r.errors).toBeUndefined()
    expect(r.data.blocks.total).toBe(height())
    expect(r.data.blocks.items).toHaveLength(50)
    expect(r.data.blocks.items[0].height).toBe(height())
  })

  it('refuses a request body over maxBodyBytes with 413 and a typed error', async () => {
    const res = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ node { height } }`, variables: { pad: 'x'.repeat(20_000) } }) })
    expect(res.status).toBe(413)
    expect((await res.json()).errors[0].extensions.code).toBe('BODY_TOO_LARGE')
    expect((await gql(url(), `{ node { height } }`)).data.node.height).toBe(height()) // the server is fine afterwards
  })
})

describe('rate limit', () => {
  it('a client over its token bucket gets 429 RATE_LIMITED, then recovers', async () => {
    const n = net.nodes[0]!.node
    const { createApiServer } = await import('../../validator/api/server.ts')
    const { Registry } = await import('prom-client')
    const registry = new Registry()
    const server = await createApiServer({ view: n.view, actions: n.actions, events: n.events, port: 0, limits: { ratePerSecond: 1, rateBurst: 3 }, metricsRegistry: registry })
    const small = { servers: [server] }
    try {
      const statuses: number[] = []
      for (let i = 0; i < 8; i++) {
        const res = await fetch(small.servers[0]!.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ node { height } }' }) })
        statuses.push(res.status)
        if (res.status === 429) {
          expect(res.headers.get('retry-after')).toBe('1')
          expect((await res.json()).errors[0].extensions.code).toBe('RATE_LIMITED')
        } else await res.arrayBuffer()
      }
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(3)
      expect(statuses).toContain(429)
      // The bucket refills at 1/s: poll (bounded) until a request is served again.
      let after = 429
      for (const end = Date.now() + 5_000; after === 429 && Date.now() < end;) {
        after = (await gql(small.servers[0]!.url, '{ node { height } }')).status
        if (after === 429) await new Promise((r) => setTimeout(r, 250))
      }
      expect(after).toBe(200)
      const metrics = await (await fetch(small.servers[0]!.url.replace('/graphql', '/metrics'))).text()
      expect(metrics).toMatch(/agora_api_refused_total\{code="RATE_LIMITED"\} [1-9]/)
    } finally {
      await server.close()
    }
  })
})

describe('errors from the node', () => {
  it('an AgoraError from the view keeps its code; any other error is masked and reported to the operator', async () => {
    const { createApiServer } = await import('../../validator/api/server.ts')
    const { AgoraError } = await import('../../core/errors.ts')
    const seen: unknown[] = []
    const node = net.nodes[0]!.node
    const view = {
      ...node.view,
      blocks: () => { throw new AgoraError('BAD_CURSOR', 'cursor "zz" is not one of ours') },
      posts: () => { throw new Error('db exploded at /secret/path') },
    }
    const server = await createApiServer({ view, actions: node.actions, events: node.events, port: 0, onUnexpectedError: (e) => seen.push(e) })
    try {
      const typed = await gql(server.url, `{ blocks(after: "zz") { total } }`)
      expect(codeOf(typed)).toBe('BAD_CURSOR')
      expect(typed.errors![0]!.message).toBe('cursor "zz" is not one of ours')
      const masked = await gql(server.url, `{ posts { total } }`)
      expect(masked.errors![0]!.message).toBe('Unexpected error.')
      expect(JSON.stringify(masked)).not.toMatch(/secret/)
      expect(String(seen[0])).toMatch(/db exploded/)
    } finally {
      await server.close()
    }
  })
})
