// `agora doctor` against stand-ins it cannot tell from the real thing: a taken port, a JSON-RPC server with
// and without the contract's code, a node API with a true and a skewed clock, a live and a dead bootstrap
// peer, a real libp2p host for the DHT; then the real CLI's exit code and --json.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServer, type Server } from 'node:http'
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net'
import { createHash } from 'node:crypto'
import { exitCodeOf, runDoctor, type CheckResult } from '../../tools/cli/commands/doctor.ts'
import { createAgoraHost, type AgoraHost } from '../../validator/infra/p2p/host.ts'
import { spawn } from 'node:child_process'
import { AGORA_BIN } from '../helpers/cli.ts'

/** The CLI as a child, asynchronously: the stand-in servers live in this process and must keep answering. */
function runCli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const c = spawn(process.execPath, [AGORA_BIN, ...args], { env: { ...process.env, NO_COLOR: '1' } })
    let stdout = '', stderr = ''
    c.stdout.on('data', (d) => { stdout += d })
    c.stderr.on('data', (d) => { stderr += d })
    c.on('exit', (status) => res({ status, stdout, stderr }))
  })
}

const CONTRACT = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
const grade = (rs: CheckResult[], name: string) => rs.find((r) => r.name === name)?.grade

function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler)
  return new Promise((res) => server.listen(0, '127.0.0.1', () => res({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })))
}
const body = (req: import('node:http').IncomingMessage) => new Promise<string>((res) => { let s = ''; req.on('data', (d) => { s += d }); req.on('end', () => res(s)) })

describe('agora doctor', () => {
  const closers: (() => Promise<void> | void)[] = []
  let rpcUrl = '', nodeUrl = '', skewedUrl = '', taken = 0, freePort = 0, livePeer = '', deadPeer = ''
  let boot: AgoraHost

  beforeAll(async () => {
    const rpc = await listen(async (req, res) => {
      const { method, params } = JSON.parse(await body(req)) as { method: string; params: string[] }
      const result = method === 'eth_chainId' ? '0x7a69' : method === 'eth_getCode' ? (params[0] === CONTRACT ? '0x6080604052' : '0x') : null
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: 1, result }))
    })
    const nodeApi = (skewMs: number) => listen(async (req, res) => {
      await body(req)
      res.writeHead(200, { 'content-type': 'application/json', date: new Date(Date.now() + skewMs).toUTCString() })
        .end(JSON.stringify({ data: { node: { height: 7, peers: ['a', 'b'], synced: true, lastCertifiedEpoch: 1 } } }))
    })
    const [n, s] = await Promise.all([nodeApi(0), nodeApi(60_000)])
    rpcUrl = rpc.url; nodeUrl = `${n.url}/graphql`; skewedUrl = `${s.url}/graphql`
    for (const x of [rpc, n, s]) closers.push(() => new Promise<void>((r) => x.server.close(() => r())))
    const tcp: TcpServer = createTcpServer(() => {})
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()))
    taken = (tcp.address() as AddressInfo).port
    closers.push(() => new Promise<void>((r) => tcp.close(() => r())))
    livePeer = `/ip4/127.0.0.1/tcp/${taken}`
    // A port that was free a moment ago: closed, so nothing answers on it.
    const probe = createTcpServer()
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()))
    freePort = (probe.address() as AddressInfo).port
    await new Promise<void>((r) => probe.close(() => r()))
    deadPeer = `/ip4/127.0.0.1/tcp/${freePort}`
    boot = await createAgoraHost({ ed25519Seed: new Uint8Array(createHash('sha256').update('doctor-boot').digest()), verifyCheckpoint: () => true })
    await boot.start()
    closers.push(() => boot.stop())
  })
  afterAll(async () => { for (const c of closers.reverse()) await c() })

  it('passes on a healthy setup: free port, reachable peer, true clock, chain and contract, DHT, sandbox', async () => {
    const rs = await runDoctor({ ports: [freePort], node: nodeUrl, bootstrap: [boot.multiaddrs()[0]!], dht: true, rpcUrl, weightRegistry: CONTRACT, dataDir: '.' })
    expect(rs.filter((r) => r.grade === 'fail'), JSON.stringify(rs)).toEqual([])
    for (const n of ['ports', 'node api', 'peers reachable', 'clock offset', 'chain rpc', 'contract', 'dht', 'sandbox']) expect(grade(rs, n), n).toBe('ok')
  }, 30_000)

  it('fails each broken thing: taken port, dead peer, skewed clock, missing contract, dead RPC', async () => {
    const rs = await runDoctor({ ports: [taken], node: skewedUrl, bootstrap: [deadPeer], rpcUrl, weightRegistry: '0x' + '11'.repeat(20), dataDir: '.' })
    expect(grade(rs, 'ports')).toBe('fail')
    expect(grade(rs, 'peers reachable')).toBe('fail')
    expect(grade(rs, 'clock offset')).toBe('fail')
    expect(grade(rs, 'contract')).toBe('fail')
    const dead = await runDoctor({ rpcUrl: `http://127.0.0.1:${freePort}`, dataDir: '.' })
    expect(grade(dead, 'chain rpc')).toBe('fail')
    // One of two bootstrap peers down is a warning, not a failure.
    const half = await runDoctor({ bootstrap: [livePeer, deadPeer], dataDir: '.' })
    expect(grade(half, 'peers reachable')).toBe('warn')
  })

  it('exits 0 only when nothing failed; the real CLI exits 1 on a failing check and prints --json', async () => {
    const r = (grade: CheckResult['grade']): CheckResult => ({ name: 'x', grade, detail: '' })
    expect(exitCodeOf([r('ok'), r('warn'), r('skip')])).toBe(0)
    expect(exitCodeOf([r('ok'), r('fail')])).toBe(1)
    const bad = await runCli(['doctor', '--port', String(taken), '--rpc-url', rpcUrl, '--weight-registry', CONTRACT, '--json'])
    expect(bad.status, bad.stderr).toBe(1)
    const report = JSON.parse(bad.stdout) as { ok: boolean; checks: CheckResult[] }
    expect(report.ok).toBe(false)
    expect(grade(report.checks, 'ports')).toBe('fail')
    expect(grade(report.checks, 'contract')).toBe('ok')
  }, 30_000)
})
