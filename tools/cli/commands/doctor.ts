// `agora doctor`: a graded pre-flight for running a validator — ports free, peers reachable, clock offset,
// chain RPC and contract, DHT answering, sandbox self-test, disk space. Each check is ok, warn, fail or
// skip (not enough to go on); the exit code is 0 only when nothing failed.
import { createServer, connect } from 'node:net'
import { randomBytes } from 'node:crypto'
import { readFileSync, statfsSync, existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Command } from 'commander'
import { printJson } from '../output.ts'

export type Grade = 'ok' | 'warn' | 'fail' | 'skip'
export interface CheckResult { readonly name: string; readonly grade: Grade; readonly detail: string }

/** Limits of the checks: a peer or RPC that answers slower than this is as good as down for a validator. */
const TIMEOUT_MS = 3_000
/** Clock offset beyond which consensus timers and gossip age checks misbehave (warn), then refuse (fail). */
const CLOCK_WARN_MS = 500
const CLOCK_FAIL_MS = 5_000
/** Free disk under the data dir: RocksDB, blobs and snapshots need room to compact. */
const DISK_WARN_BYTES = 5 * 2 ** 30
const DISK_FAIL_BYTES = 2 ** 30

export interface DoctorOptions {
  readonly node?: string
  readonly ports?: readonly number[]
  readonly bootstrap?: readonly string[]
  readonly rpcUrl?: string
  readonly weightRegistry?: string
  readonly genesis?: string
  readonly dataDir: string
  /** Start a throwaway libp2p host to ask the DHT (needs bootstrap peers). */
  readonly dht?: boolean
}

const ok = (name: string, detail: string): CheckResult => ({ name, grade: 'ok', detail })
const warn = (name: string, detail: string): CheckResult => ({ name, grade: 'warn', detail })
const fail = (name: string, detail: string): CheckResult => ({ name, grade: 'fail', detail })
const skip = (name: string, detail: string): CheckResult => ({ name, grade: 'skip', detail })
const msg = (e: unknown) => (e instanceof Error ? e.message : String(e))

export function portFree(port: number, host = '0.0.0.0'): Promise<boolean> {
  return new Promise((res) => {
    const s = createServer()
    s.once('error', () => res(false))
    s.listen(port, host, () => s.close(() => res(true)))
  })
}

function tcpReachable(host: string, port: number): Promise<number> {
  return new Promise((res, rej) => {
    const started = Date.now()
    const sock = connect({ host, port })
    const t = setTimeout(() => { sock.destroy(); rej(new Error(`no answer in ${TIMEOUT_MS} ms`)) }, TIMEOUT_MS)
    sock.once('connect', () => { clearTimeout(t); sock.destroy(); res(Date.now() - started) })
    sock.once('error', (e) => { clearTimeout(t); rej(e) })
  })
}

/** Host and port of a tcp multiaddr over ip4, ip6 or dns, or null. */
export function tcpOf(ma: string): { host: string; port: number } | null {
  const m = /^\/(?:ip4|ip6|dns|dns4|dns6)\/([^/]+)\/tcp\/(\d+)/.exec(ma)
  return m ? { host: m[1]!, port: Number(m[2]) } : null
}

async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }), signal: AbortSignal.timeout(TIMEOUT_MS) })
  const body = (await res.json()) as { result?: unknown; error?: { message: string } }
  if (body.error) throw new Error(body.error.message)
  return body.result
}

async function nodeInfo(url: string): Promise<{ info: { height: number; peers: string[]; synced: boolean; lastCertifiedEpoch: number | null }; offsetMs: number }> {
  const sent = Date.now()
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ node { height peers synced lastCertifiedEpoch } }' }), signal: AbortSignal.timeout(TIMEOUT_MS) })
  const received = Date.now()
  const body = (await res.json()) as { data?: { node: { height: number; peers: string[]; synced: boolean; lastCertifiedEpoch: number | null } }; errors?: { message: string }[] }
  if (!body.data) throw new Error(body.errors?.[0]?.message ?? `HTTP ${res.status}`)
  // The Date header has a 1 s resolution: the offset is known to ±(500 ms + half the round trip).
  const date = Date.parse(res.headers.get('date') ?? '')
  const offsetMs = Number.isFinite(date) ? date + 500 - (sent + received) / 2 : NaN
  return { info: body.data.node, offsetMs }
}

export async function runDoctor(o: DoctorOptions): Promise<CheckResult[]> {
  const out: CheckResult[] = []
  const genesis = o.genesis ? (JSON.parse(readFileSync(o.genesis, 'utf8')) as { chain?: { rpcUrl?: string; weightRegistry?: string } }) : undefined

  // Ports this node will listen on.
  if (!o.ports?.length) out.push(skip('ports', 'no --port given'))
  else {
    const taken = []
    for (const p of o.ports) if (!(await portFree(p))) taken.push(p)
    out.push(taken.length ? fail('ports', `in use: ${taken.join(', ')}`) : ok('ports', `free: ${o.ports.join(', ')}`))
  }

  // The node's API (if any): its peers and our clock against it.
  let node: Awaited<ReturnType<typeof nodeInfo>> | null = null
  if (o.node) {
    try { node = await nodeInfo(o.node) } catch (e) { out.push(fail('node api', `${o.node}: ${msg(e)}`)) }
  }
  if (node) out.push(ok('node api', `height ${node.info.height}, ${node.info.synced ? 'synced' : 'syncing'}`))

  // Peers: TCP reachability of the bootstrap peers, and how many the node sees.
  const boots = (o.bootstrap ?? []).map((b) => ({ b, t: tcpOf(b) }))
  const reach = await Promise.all(boots.map(async ({ b, t }) => {
    if (!t) return `${b}: not a tcp multiaddr`
    try { await tcpReachable(t.host, t.port); return null } catch (e) { return `${t.host}:${t.port}: ${msg(e)}` }
  }))
  const down = reach.filter((r): r is string => r !== null)
  if (boots.length) out.push(down.length === boots.length ? fail('peers reachable', down.join('; ')) : down.length ? warn('peers reachable', `${boots.length - down.length}/${boots.length}; ${down.join('; ')}`) : ok('peers reachable', `${boots.length}/${boots.length} bootstrap peers answer`))
  else if (node) out.push(node.info.peers.length ? ok('peers reachable', `the node has ${node.info.peers.length} peers`) : fail('peers reachable', 'the node has no peer'))
  else out.push(skip('peers reachable', 'no --bootstrap and no --node'))

  if (!node || !Number.isFinite(node.offsetMs)) out.push(skip('clock offset', 'needs --node (compares its clock to ours)'))
  else {
    const off = Math.round(node.offsetMs), a = Math.abs(off)
    const d = `${off} ms against the node (±500 ms resolution)`
    out.push(a > CLOCK_FAIL_MS ? fail('clock offset', d) : a > CLOCK_WARN_MS + 500 ? warn('clock offset', d) : ok('clock offset', d))
  }

  // Chain: the RPC answers, and the contract has code.
  const rpcUrl = o.rpcUrl ?? genesis?.chain?.rpcUrl
  const registry = o.weightRegistry ?? genesis?.chain?.weightRegistry
  if (!rpcUrl) out.push(skip('chain rpc', 'no --rpc-url (or genesis chain.rpcUrl)'))
  else {
    try {
      const chainId = BigInt(String(await rpc(rpcUrl, 'eth_chainId')))
      out.push(ok('chain rpc', `${rpcUrl}: chain id ${chainId}`))
      if (!registry) out.push(skip('contract', 'no --weight-registry (or genesis chain.weightRegistry)'))
      else {
        const code = String(await rpc(rpcUrl, 'eth_getCode', [registry, 'latest']))
        out.push(code && code !== '0x' ? ok('contract', `${registry}: ${(code.length - 2) / 2} bytes of code`) : fail('contract', `${registry}: no code at this address`))
      }
    } catch (e) { out.push(fail('chain rpc', `${rpcUrl}: ${msg(e)}`)) }
  }

  out.push(o.dht && boots.length ? await dhtCheck(o.bootstrap!) : skip('dht', 'needs --bootstrap and --dht'))
  out.push(await sandboxCheck())
  out.push(diskCheck(o.dataDir))
  return out
}

/** A throwaway libp2p host joins through the bootstrap peers and asks the DHT for the latest checkpoint. */
async function dhtCheck(bootstrap: readonly string[]): Promise<CheckResult> {
  const { createAgoraHost } = await import('../../../validator/infra/p2p/host.ts')
  const host = await createAgoraHost({ ed25519Seed: new Uint8Array(randomBytes(32)), bootstrap, verifyCheckpoint: () => true })
  try {
    await host.start()
    const end = Date.now() + TIMEOUT_MS
    while (host.libp2p.getPeers().length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 100))
    if (host.libp2p.getPeers().length === 0) return fail('dht', 'no bootstrap peer connected')
    const started = Date.now()
    const rec = await host.dht.getLatestCheckpoint({ signal: AbortSignal.timeout(2 * TIMEOUT_MS) })
    return ok('dht', rec ? `latest checkpoint epoch ${rec.epoch} in ${Date.now() - started} ms` : `answered in ${Date.now() - started} ms (no checkpoint yet)`)
  } catch (e) { return fail('dht', msg(e)) } finally { await host.stop() }
}

/**
 * The metered sandbox compiles and runs a bundled challenge (tsp, on a payload too short to score: the
 * module still runs and ends with a classified error) twice, and both runs must have the same audit.
 */
async function sandboxCheck(): Promise<CheckResult> {
  try {
    const { evaluateInProcess } = await import('../../../validator/infra/runtime/execute.ts')
    const { loadChallenge } = await import('../../../challenges/index.ts')
    const ch = loadChallenge('tsp')
    const req = { module: ch.module, input: new Uint8Array(8), seed: new Uint8Array(32).fill(7), policy: ch.policy }
    const [a, b] = [evaluateInProcess(req), evaluateInProcess(req)]
    if (a.auditHash !== b.auditHash) return fail('sandbox', 'two runs of the same evaluation differ')
    if (a.fuelUsed === 0n) return fail('sandbox', `the module did not run: ${a.error?.code} ${a.error?.message ?? ''}`)
    return ok('sandbox', `metered run ${a.ok ? 'ok' : `ended ${a.error?.code}`} after ${a.fuelUsed} fuel, twice the same`)
  } catch (e) { return fail('sandbox', msg(e)) }
}

function diskCheck(dataDir: string): CheckResult {
  let dir = resolve(dataDir)
  while (!existsSync(dir)) dir = resolve(dir, '..')
  const s = statfsSync(dir)
  const free = Number(s.bavail) * Number(s.bsize)
  const d = `${(free / 2 ** 30).toFixed(1)} GiB free under ${dir}`
  return free < DISK_FAIL_BYTES ? fail('disk', d) : free < DISK_WARN_BYTES ? warn('disk', d) : ok('disk', d)
}

/** 0 only when no check failed (warnings and skips pass). */
export const exitCodeOf = (results: readonly CheckResult[]): number => (results.some((r) => r.grade === 'fail') ? 1 : 0)

const collect = (v: string, prev: string[] = []) => [...prev, ...v.split(',').filter(Boolean)]

export function registerDoctorCommand(program: Command): void {
  program.command('doctor')
    .description('pre-flight checks for running a validator (exit 0 only when nothing fails)')
    .option('--node <url>', "a running node's GraphQL URL (peers, clock offset)")
    .option('--port <port>', 'a port the node will listen on (repeatable)', collect)
    .option('--bootstrap <multiaddr>', 'bootstrap peer (repeatable, comma-separated)', collect)
    .option('--dht', 'join through the bootstrap peers with a throwaway host and query the DHT')
    .option('--rpc-url <url>', 'chain JSON-RPC endpoint (default: genesis chain.rpcUrl)')
    .option('--weight-registry <address>', 'WeightRegistry address (default: genesis chain.weightRegistry)')
    .option('--genesis <file>', 'genesis file (chain defaults)')
    .option('--data-dir <dir>', 'data directory (disk space)', '.agora')
    .option('--json', 'print JSON')
    .action(async (o: { node?: string; port?: string[]; bootstrap?: string[]; dht?: boolean; rpcUrl?: string; weightRegistry?: string; genesis?: string; dataDir: string; json?: boolean }) => {
      const results = await runDoctor({ ...o, ports: o.port?.map(Number) })
      const code = exitCodeOf(results)
      if (o.json) printJson({ ok: code === 0, checks: results })
      else process.stdout.write(results.map((r) => `${r.grade.padEnd(4)}  ${r.name.padEnd(15)} ${r.detail}`).join('\n') + '\n')
      process.exitCode = code
    })
}
