// A stand-in for `agora node` that follows the node/supervisor contract exactly (args, node.json, /livez,
// /readyz, /metrics, GraphQL `info` with a growing height, SIGTERM → exit 0), so the supervisor and the
// `agora nodes` CLI are tested with real OS processes. Run: node --import tsx test/devnet/fake-node.ts node ...
import { createServer } from 'node:http'
import { createServer as createTcpServer } from 'node:net'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'data-dir': { type: 'string' }, genesis: { type: 'string' }, listen: { type: 'string' },
    'api-port': { type: 'string' }, bootstrap: { type: 'string', multiple: true },
    'rpc-url': { type: 'string' }, 'weight-registry': { type: 'string' },
  },
})
if (positionals[0] !== 'node' || !values['data-dir'] || !values.genesis || !values.listen || !values['api-port']) {
  process.stderr.write('usage: fake-node node --data-dir D --genesis G --listen /ip4/127.0.0.1/tcp/P --api-port A\n')
  process.exit(2)
}
const dataDir = values['data-dir']
const apiPort = Number(values['api-port'])
const p2pPort = Number(/\/tcp\/(\d+)/.exec(values.listen)?.[1])
const bootstrap = values.bootstrap ?? []
// A stable fake peer id per data dir (a restarted node keeps its identity, as the real one does).
const peerId = '12D3KooWFake' + createHash('sha256').update(dataDir).digest('hex').slice(0, 20)
const startedAt = Date.now()
// FAKE_STALL_AT=<h>: the first run of this data dir stops at height h (a marker file makes a restart normal).
const stallMarker = join(dataDir, 'stalled-once')
const stallAt = process.env.FAKE_STALL_AT && !existsSync(stallMarker) ? Number(process.env.FAKE_STALL_AT) : Infinity
if (stallAt !== Infinity) { mkdirSync(dataDir, { recursive: true }); writeFileSync(stallMarker, '') }
const height = () => Math.min(stallAt, Math.floor((Date.now() - startedAt) / 100))
const SLOTS_PER_EPOCH = 10

const info = () => ({
  peerId, evmAddress: '0x' + '00'.repeat(20), networkId: 'fake', height: height(), slot: height(),
  epoch: Math.floor(height() / SLOTS_PER_EPOCH), stateRoot: '0x' + createHash('sha256').update(String(height())).digest('hex'),
  peers: bootstrap.map((b) => b.split('/p2p/')[1] ?? b), synced: height() > 0,
  lastCertifiedEpoch: height() >= SLOTS_PER_EPOCH ? Math.floor(height() / SLOTS_PER_EPOCH) - 1 : null,
})

const api = createServer((req, res) => {
  const send = (status: number, body: unknown, type = 'application/json') => {
    res.writeHead(status, { 'content-type': type })
    res.end(typeof body === 'string' ? body : JSON.stringify(body))
  }
  if (req.url === '/livez') return send(200, { status: 'ok' })
  if (req.url === '/readyz') return height() > 0 ? send(200, { status: 'ready' }) : send(503, { status: 'not ready', reason: 'syncing' })
  if (req.url === '/metrics') return send(200, `# TYPE agora_height gauge\nagora_height ${height()}\n`, 'text/plain')
  if (req.url === '/graphql' && req.method === 'POST') {
    let body = ''
    req.on('data', (c) => { body += c })
    req.on('end', () => {
      const query = String((JSON.parse(body || '{}') as { query?: string }).query ?? '')
      if (query.includes('info')) return send(200, { data: { info: info() } })
      send(200, { errors: [{ message: 'fake node answers only { info }' }] })
    })
    return
  }
  send(404, { error: 'not found' })
})
const p2p = createTcpServer((s) => s.end())

await new Promise<void>((r) => p2p.listen(p2pPort, '127.0.0.1', r))
await new Promise<void>((r) => api.listen(apiPort, '127.0.0.1', r))
mkdirSync(dataDir, { recursive: true })
writeFileSync(join(dataDir, 'node.json'), JSON.stringify({
  pid: process.pid, peerId, multiaddrs: [`/ip4/127.0.0.1/tcp/${p2pPort}/p2p/${peerId}`],
  apiUrl: `http://127.0.0.1:${apiPort}/graphql`, startedAt: new Date(startedAt).toISOString(),
}))
console.log(`fake node ${peerId} listening p2p ${p2pPort} api ${apiPort} bootstrap ${bootstrap.length} peers`)

const stop = (signal: string) => {
  console.log(`fake node got ${signal}, stopping`)
  api.closeAllConnections()
  api.close()
  p2p.close()
  setTimeout(() => process.exit(0), 50)
}
process.on('SIGTERM', () => stop('SIGTERM'))
process.on('SIGINT', () => stop('SIGINT'))
