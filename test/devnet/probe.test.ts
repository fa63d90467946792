// Probes against a tiny server: readiness reasons from JSON and plain-text bodies, timeouts on silence.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServer, type Server } from 'node:http'
import { probeLive, probeReady, queryInfo } from '../../tools/devnet/probe.ts'

describe('node probes', () => {
  let server: Server
  let port = 0
  let mode: 'json' | 'text' | 'ready' | 'silent' = 'json'
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (mode === 'silent') return // never answers, like a SIGSTOPped node
      if (req.url === '/livez') return void res.end('ok')
      if (req.url === '/graphql') { res.setHeader('content-type', 'application/json'); return void res.end(JSON.stringify({ data: { info: { peerId: 'p', height: 'x' } } })) }
      if (mode === 'ready') return void res.end('ready\n')
      res.statusCode = 503
      res.end(mode === 'json' ? JSON.stringify({ reason: 'syncing from checkpoint' }) : 'not ready: too few peers\n')
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    port = (server.address() as { port: number }).port
  })
  afterAll(() => { server.closeAllConnections(); server.close() })

  it('reads the reason from a JSON or a plain-text /readyz', async () => {
    mode = 'json'
    expect(await probeReady(port, 1_000)).toEqual({ ready: false, reason: 'syncing from checkpoint' })
    mode = 'text'
    expect(await probeReady(port, 1_000)).toEqual({ ready: false, reason: 'too few peers' })
    mode = 'ready'
    expect(await probeReady(port, 1_000)).toEqual({ ready: true, reason: null })
  })

  it('a silent node is not live (timeout), and an info that breaks the schema is null', async () => {
    mode = 'json'
    expect(await probeLive(port, 1_000)).toBe(true)
    expect(await queryInfo(port, 1_000)).toBeNull()
    mode = 'silent'
    expect(await probeLive(port, 300)).toBe(false)
    expect((await probeReady(port, 300)).reason).toMatch(/timeout after 300 ms/)
  })
})
