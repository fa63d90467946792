// Shared helpers of the e2e tests that run a real devnet: `gql` against a node's API, `until` (poll with a
// deadline, never a fixed sleep), `height`, and `startDevnet` / `stopDevnet`, which spawn `agora devnet` as a
// user would, wait for the nodes to decide blocks, keep its output for failure messages, and on stop check
// that no node process is left behind.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AGORA_BIN } from './cli.ts'
import { isAlive } from '../../tools/devnet/processes.ts'
import { readRegistry, type NodeRecord, type Registry } from '../../tools/devnet/registry.ts'

/** The last line `agora devnet --epochs N` prints: what the run saw on every node and on the chain. */
export interface DevnetSummary {
  agree: boolean
  submissions: { total: number; final: number; overdue: number }
  nodes: { id: string; peerId: string; height: number; stateRoot: string; blockHash: string; rep: string }[]
  epochs: { epoch: number; uids: number[]; weights: number[]; onChain: boolean; checkpointCid: string | null }[]
  warmupEpochs: number
}

/** `agora <args>` as a child process, to its exit (Ctrl-C after `timeoutMs`): exit code and all output. */
export function runAgora(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [AGORA_BIN, ...args], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    child.stdout.on('data', (d) => { stdout += d })
    child.stderr.on('data', (d) => { stdout += d })
    const timer = setTimeout(() => child.kill('SIGINT'), timeoutMs)
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, stdout }) })
  })
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** A node record (its API on 127.0.0.1:apiPort), or a base URL (`http://host:port`) or a `/graphql` URL. */
export type ApiTarget = Pick<NodeRecord, 'apiPort'> | string

const graphqlUrl = (t: ApiTarget) =>
  typeof t === 'string' ? (t.endsWith('/graphql') ? t : `${t.replace(/\/$/, '')}/graphql`) : `http://127.0.0.1:${t.apiPort}/graphql`

/** One GraphQL request; throws the first error's message when there is no data. */
export async function gql<T>(target: ApiTarget, query: string, variables: Record<string, unknown> = {}, timeoutMs = 5_000): Promise<T> {
  const r = await fetch(graphqlUrl(target), {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }), signal: AbortSignal.timeout(timeoutMs),
  })
  const j = (await r.json()) as { data?: T; errors?: { message: string }[] }
  if (!j.data) throw new Error(j.errors?.[0]?.message ?? 'no data')
  return j.data
}

/** A node's height, or -1 while its API does not answer. */
export const height = (target: ApiTarget): Promise<number> =>
  gql<{ node: { height: number } }>(target, '{ node { height } }').then((d) => d.node.height, () => -1)

/**
 * Polls `probe` until it returns a truthy value (returned) or the deadline passes (throws, naming `what`;
 * a function is called then, so the message can carry the latest state). A probe that throws counts as
 * "not yet".
 */
export async function until<T>(what: string | (() => string), timeoutMs: number, probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, intervalMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await Promise.resolve().then(probe).catch(() => undefined)
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${typeof what === 'string' ? what : what()}`)
    await sleep(intervalMs)
  }
}

export interface DevnetOptions {
  readonly validators?: number
  readonly miners?: number
  readonly slotMs?: number
  readonly epochSlots?: number
  /** Wait until this many nodes run and every one is at least at `readyHeight` (default: all validators, 3). */
  readonly readyNodes?: number
  readonly readyHeight?: number
  readonly readyTimeoutMs?: number
  readonly extraArgs?: readonly string[]
  /** Output kept for failure messages (the tail; a devnet's status view writes a lot). */
  readonly keepOutputChars?: number
}

export interface Devnet {
  readonly dir: string
  readonly proc: ChildProcess
  readonly slotMs: number
  readonly epochSlots: number
  /** The devnet's output so far (its tail). */
  output(): string
  registry(): Registry
  /** The node record by id (`node-1` …), as the supervisor last wrote it. */
  node(id: string): NodeRecord
  running(): NodeRecord[]
  /** The embedded chain: WeightRegistry address and RPC URL, from the devnet's start-up line. */
  chain(): { contract: string; rpcUrl: string }
  stop(): Promise<void>
}

/** Spawns `agora devnet` in a fresh directory and resolves once the network decides blocks. */
export async function startDevnet(o: DevnetOptions = {}): Promise<Devnet> {
  const validators = o.validators ?? 4
  const slotMs = o.slotMs ?? 1000
  const epochSlots = o.epochSlots ?? 8
  const keep = o.keepOutputChars ?? 200_000
  const dir = join(mkdtempSync(join(tmpdir(), 'agora-e2e-')), 'net')
  const proc = spawn(process.execPath, [AGORA_BIN, 'devnet', '--validators', String(validators), '--miners', String(o.miners ?? 1),
    '--slot-ms', String(slotMs), '--epoch-slots', String(epochSlots), '--dir', dir, ...(o.extraArgs ?? [])], {
    env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let chainLine: { contract: string; rpcUrl: string } | undefined
  const append = (d: Buffer) => {
    out = (out + d.toString()).slice(-keep)
    if (!chainLine) {
      const m = /WeightRegistry at (0x[0-9a-fA-F]{40}) \(chain (\S+)\)/.exec(out)
      if (m) chainLine = { contract: m[1]!, rpcUrl: m[2]! }
    }
  }
  proc.stdout!.on('data', append)
  proc.stderr!.on('data', append)
  const registry = () => {
    const r = readRegistry(dir)
    if (!r) throw new Error(`no devnet registry in ${dir} yet`)
    return r
  }
  const node = (id: string) => {
    const n = registry().nodes.find((r) => r.id === id)
    if (!n) throw new Error(`no ${id} in the devnet registry`)
    return n
  }
  const devnet: Devnet = {
    dir, proc, slotMs, epochSlots,
    output: () => out,
    registry, node,
    running: () => registry().nodes.filter((n) => n.status === 'running'),
    chain: () => {
      if (!chainLine) throw new Error('the devnet has not printed its WeightRegistry line')
      return chainLine
    },
    stop: () => stopDevnet(devnet),
  }
  const readyNodes = o.readyNodes ?? validators
  const readyHeight = o.readyHeight ?? 3
  try {
    const ready = await until(() => `${readyNodes} nodes at height ${readyHeight}\n${out.slice(-3000)}`, o.readyTimeoutMs ?? 120_000, async () => {
      if (exited(proc)) return 'exited' // fail at once, not at the deadline
      const up = readRegistry(dir)?.nodes.filter((n) => n.status === 'running') ?? []
      return up.length >= readyNodes && (await Promise.all(up.map(height))).every((h) => h >= readyHeight) && 'ready'
    })
    if (ready === 'exited') throw new Error(`agora devnet exited (${proc.exitCode ?? proc.signalCode}) before ${readyNodes} nodes reached height ${readyHeight}\n${out.slice(-3000)}`)
  } catch (e) {
    await stopDevnet(devnet).catch(() => undefined)
    throw e
  }
  return devnet
}

const exited = (p: ChildProcess) => p.exitCode !== null || p.signalCode !== null

/**
 * Ctrl-C (SIGINT) the devnet, wait for it to exit, then require every node process it ran to be gone.
 * Safe to call twice or on a devnet that already exited.
 */
export async function stopDevnet(d: Devnet | undefined, timeoutMs = 30_000): Promise<void> {
  if (!d) return
  let pids: number[] = []
  try {
    pids = (readRegistry(d.dir)?.nodes ?? []).map((n) => n.pid).filter((p): p is number => !!p)
  } catch { /* a half-written registry: the devnet's own exit hook still kills its nodes */ }
  if (!exited(d.proc)) {
    const gone = new Promise((r) => d.proc.once('exit', r))
    d.proc.kill('SIGINT')
    const killed = await Promise.race([gone.then(() => false), sleep(timeoutMs).then(() => true)])
    if (killed) {
      d.proc.kill('SIGKILL')
      await gone
      throw new Error(`agora devnet did not exit within ${timeoutMs} ms of SIGINT\n${d.output().slice(-3000)}`)
    }
  }
  const left = await until(() => 'node processes to exit', 10_000, () => (pids.some(isAlive) ? false : 'none'), 100)
    .then(() => [], () => pids.filter(isAlive))
  if (left.length > 0) {
    for (const p of left) try { process.kill(p, 'SIGKILL') } catch { /* gone meanwhile */ }
    throw new Error(`node processes left running after the devnet exited: ${left.join(' ')}`)
  }
}
