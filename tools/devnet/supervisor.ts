// The devnet supervisor: runs N node processes, keeps `<dir>/nodes.json` current, polls /livez and heals:
// a node that dies is restarted with backoff; one that stops answering (hung, or SIGSTOPped) is killed
// and restarted only after a generous threshold. Removed nodes are never restarted. stop() leaves nothing.
import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { AgoraError } from '../../core/errors.ts'
import type { NodeCommandFn, NodeLaunchSpec } from './launch.ts'
import { freePorts, portIsFree } from './ports.ts'
import { NODE_LOG, probeLive, queryInfo, readNodeJson, apiBase } from './probe.ts'
import { isAlive, processCommandLine, processState, signalGroup, spawnLogged, stopProcess } from './processes.ts'
import { readRegistry, writeRegistry, findNode, type NodeRecord, type Registry } from './registry.ts'
import { serveControl, type ControlServer } from './control.ts'

/** Called around `nodes add` / `nodes remove`; the devnet glue stakes/unstakes availability here. */
export interface SupervisorHooks {
  /** Before a new node's process starts: write its keys/data dir. Throw to refuse. */
  beforeAdd?(node: { readonly id: string; readonly index: number; readonly dataDir: string }): Promise<void>
  /**
   * Once a new node is up (answers /livez, node.json written): stake its availability when it can sign.
   * Throwing fails the add; the node keeps running, as a follower.
   */
  afterAdd?(node: NodeRecord): Promise<void>
  /** Before a node is stopped for good: unstake it (and wait for the set to shrink if wanted). Throw to refuse. */
  beforeRemove?(node: NodeRecord): Promise<void>
}

export type SupervisorEvent =
  | { type: 'spawned'; id: string; pid: number; restart: boolean }
  | { type: 'up'; id: string; peerId: string | null }
  | { type: 'exited'; id: string; reason: string; willRestart: boolean }
  | { type: 'killed-unresponsive'; id: string; silentMs: number; paused: boolean }
  | { type: 'killed-stalled'; id: string; height: number; stalledMs: number }
  | { type: 'removed'; id: string }

export interface SupervisorOptions {
  /** The devnet dir: nodes.json and `nodes/<id>/` data dirs live here. */
  readonly dir: string
  readonly nodeCommand: NodeCommandFn
  readonly hooks?: SupervisorHooks
  readonly onEvent?: (e: SupervisorEvent) => void
  /** Health poll period (default 1000 ms) and per-probe timeout (default 1000 ms). */
  readonly pollMs?: number
  readonly probeTimeoutMs?: number
  /** A running node silent on /livez for longer than this is killed and restarted (default 60 s: longer
   * than an operator's deliberate SIGSTOP of about an epoch). */
  readonly unresponsiveMs?: number
  /** A running node whose height has not moved for this long while another node's is higher is
   * unhealthy: killed and restarted like an unresponsive one (default: not checked). */
  readonly stalledMs?: number
  /** A new process that never answers /livez within this is killed and restarted (default 60 s). */
  readonly startupTimeoutMs?: number
  /** SIGTERM grace before SIGKILL when stopping (default 10 s). */
  readonly stopGraceMs?: number
  /** Restart backoff: base·2^failures capped at max; failures reset after resetAfterMs of good health. */
  readonly backoff?: { readonly baseMs?: number; readonly maxMs?: number; readonly resetAfterMs?: number }
  /** How long addNodes waits for a node to answer /livez and write node.json (default 60 s). */
  readonly upTimeoutMs?: number
  /** Serve the loopback control endpoint used by `agora nodes add|remove` (default true). */
  readonly control?: boolean
}

export interface Supervisor {
  readonly dir: string
  /** Reap processes left by a dead supervisor on this dir, write nodes.json, start polling. */
  start(): Promise<void>
  /** Start `count` new nodes (the first node of an empty network alone, then the rest in parallel). */
  addNodes(count: number, onUp?: (node: NodeRecord, done: number, total: number) => void): Promise<NodeRecord[]>
  /** Start again the nodes of a previous run on this dir (same ids, data dirs and, if free, ports). */
  resumeNodes(onUp?: (node: NodeRecord, done: number, total: number) => void): Promise<NodeRecord[]>
  /** Run beforeRemove, stop the node gracefully, mark it removed (kept in nodes.json, never restarted). */
  removeNode(id: string): Promise<NodeRecord>
  /** Snapshot of every node, removed ones included. */
  nodes(): NodeRecord[]
  /** Stop every node (SIGTERM, SIGKILL after the grace) and the polling; idempotent. */
  stop(): Promise<void>
}

interface Managed {
  rec: NodeRecord
  child: ChildProcess | null
  spawnedAt: number
  lastLiveAt: number | null
  failures: number
  nextRestartAt: number
  /** Last height seen (stall check) and since when it has not moved. */
  height: number | null
  heightSince: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
// A function, not an inline test: TypeScript would keep a narrowing from before an await.
const isLeaving = (m: Managed) => m.rec.status === 'stopping' || m.rec.status === 'removed' || m.rec.status === 'stopped'

export function createSupervisor(opts: SupervisorOptions): Supervisor {
  const dir = resolve(opts.dir)
  const pollMs = opts.pollMs ?? 1_000
  const probeTimeoutMs = opts.probeTimeoutMs ?? 1_000
  const unresponsiveMs = opts.unresponsiveMs ?? 60_000
  const startupTimeoutMs = opts.startupTimeoutMs ?? 60_000
  const stopGraceMs = opts.stopGraceMs ?? 10_000
  const baseMs = opts.backoff?.baseMs ?? 500
  const maxMs = opts.backoff?.maxMs ?? 30_000
  const resetAfterMs = opts.backoff?.resetAfterMs ?? 30_000
  const upTimeoutMs = opts.upTimeoutMs ?? 60_000
  const token = randomBytes(16).toString('hex')
  const startedAt = Date.now()

  const managed = new Map<string, Managed>()
  let history: NodeRecord[] = [] // nodes of earlier runs not (yet) resumed
  let control: ControlServer | null = null
  let timer: NodeJS.Timeout | null = null
  let ticking = false
  let stopping = false
  let lastWritten = ''

  const emit = (e: SupervisorEvent) => { try { opts.onEvent?.(e) } catch { /* a view must not break supervision */ } }
  const nodes = () => [...history, ...[...managed.values()].map((m) => ({ ...m.rec }))].sort((a, b) => a.index - b.index)

  function persist(): void {
    const reg: Registry = {
      version: 1, updatedAt: Date.now(),
      supervisor: stopping ? null : { pid: process.pid, controlUrl: control?.url ?? '', token, startedAt },
      nodes: nodes(),
    }
    const text = JSON.stringify({ ...reg, updatedAt: 0 })
    if (text === lastWritten) return
    lastWritten = text
    writeRegistry(dir, reg)
  }

  // Last resort on any exit path (uncaught error, process.exit): SIGKILL what is still running.
  const killAllSync = () => { for (const m of managed.values()) if (m.rec.pid) signalGroup(m.rec.pid, 'SIGKILL') }

  /** One dialable multiaddr (with /p2p/<peerId>) per running node, for a new process to bootstrap from. */
  function runningPeers(exceptId: string): string[] {
    const addrs: string[] = []
    for (const m of managed.values()) {
      if (m.rec.id === exceptId || m.rec.status !== 'running' || !m.rec.peerId || m.rec.multiaddrs.length === 0) continue
      const a = m.rec.multiaddrs[0]!
      addrs.push(a.includes('/p2p/') ? a : `${a}/p2p/${m.rec.peerId}`)
    }
    return addrs.slice(0, 8)
  }

  async function ensurePorts(m: Managed): Promise<void> {
    if ((await portIsFree(m.rec.p2pPort)) && (await portIsFree(m.rec.apiPort))) return
    const taken = new Set([...managed.values()].flatMap((o) => [o.rec.p2pPort, o.rec.apiPort]))
    const [p2p, api] = await freePorts(2, taken)
    m.rec = { ...m.rec, p2pPort: p2p!, apiPort: api!, apiUrl: `${apiBase(api!)}/graphql`, multiaddrs: [] }
  }

  function spawnNode(m: Managed, restart: boolean): void {
    const spec: NodeLaunchSpec = {
      id: m.rec.id, index: m.rec.index, dataDir: m.rec.dataDir, p2pPort: m.rec.p2pPort, apiPort: m.rec.apiPort,
      listen: `/ip4/127.0.0.1/tcp/${m.rec.p2pPort}`, bootstrap: runningPeers(m.rec.id),
    }
    const child = spawnLogged(opts.nodeCommand(spec), join(m.rec.dataDir, NODE_LOG))
    m.child = child
    m.spawnedAt = Date.now()
    m.lastLiveAt = null
    if (restart) m.rec.restarts += 1
    m.rec = { ...m.rec, pid: child.pid ?? null, status: 'starting', startedAt: m.spawnedAt }
    child.on('error', () => { /* reported through 'exit' (spawn failures) */ })
    child.once('exit', (code, signal) => onExit(m, child, code, signal))
    if (child.pid) emit({ type: 'spawned', id: m.rec.id, pid: child.pid, restart })
    persist()
  }

  function onExit(m: Managed, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (m.child !== child) return
    m.child = null
    const reason = signal ? `signal ${signal}` : `exit code ${code}`
    const deliberate = stopping || m.rec.status === 'stopping' || m.rec.status === 'removed' || m.rec.status === 'stopped'
    m.rec = { ...m.rec, pid: null, lastExit: reason }
    if (!deliberate) {
      m.nextRestartAt = Date.now() + Math.min(maxMs, baseMs * 2 ** Math.min(m.failures, 20))
      m.failures += 1
      m.rec.status = 'restarting'
    }
    emit({ type: 'exited', id: m.rec.id, reason, willRestart: !deliberate })
    persist()
  }

  function refreshFromNodeJson(m: Managed): void {
    const nj = readNodeJson(m.rec.dataDir)
    // A node.json from before this spawn is stale (other pid, older file).
    if (!nj || (nj.pid !== m.rec.pid && nj.mtimeMs < m.spawnedAt - 1_000)) return
    m.rec = { ...m.rec, peerId: nj.peerId, multiaddrs: nj.multiaddrs, apiUrl: nj.apiUrl }
  }

  async function checkNode(m: Managed): Promise<void> {
    const now = Date.now()
    if (m.rec.status === 'restarting') {
      if (!m.child && now >= m.nextRestartAt && !stopping) {
        await ensurePorts(m)
        if (m.rec.status === 'restarting' && !stopping) spawnNode(m, true)
      }
      return
    }
    if (!m.child || !m.rec.pid || (m.rec.status !== 'starting' && m.rec.status !== 'running' && m.rec.status !== 'unresponsive' && m.rec.status !== 'paused')) return
    const pid = m.rec.pid
    const live = await probeLive(m.rec.apiPort, probeTimeoutMs)
    if (m.rec.pid !== pid || isLeaving(m)) return // stopped or removed meanwhile
    if (live) {
      const wasUp = m.rec.status === 'running'
      m.lastLiveAt = Date.now()
      m.rec.status = 'running'
      if (!wasUp || !m.rec.peerId) refreshFromNodeJson(m)
      if (!wasUp) emit({ type: 'up', id: m.rec.id, peerId: m.rec.peerId })
      if (m.lastLiveAt - m.spawnedAt > resetAfterMs) m.failures = 0
      if (opts.stalledMs !== undefined) await checkStalled(m, pid, opts.stalledMs)
      return
    }
    const paused = processState(pid) === 'T'
    m.rec.status = paused ? 'paused' : m.lastLiveAt === null ? 'starting' : 'unresponsive'
    const silentMs = Date.now() - (m.lastLiveAt ?? m.spawnedAt)
    if (silentMs > (m.lastLiveAt === null ? startupTimeoutMs : unresponsiveMs)) {
      emit({ type: 'killed-unresponsive', id: m.rec.id, silentMs, paused })
      signalGroup(pid, 'SIGKILL') // 'exit' then schedules the restart
    }
  }

  /** Live but stuck: its height has not moved for `stalledMs` while another node is ahead of it. */
  async function checkStalled(m: Managed, pid: number, stalledMs: number): Promise<void> {
    const info = await queryInfo(m.rec.apiPort, probeTimeoutMs)
    if (!info || m.rec.pid !== pid || isLeaving(m)) return
    const now = Date.now()
    if (m.height !== info.height || m.heightSince < m.spawnedAt) { m.height = info.height; m.heightSince = now; return }
    const ahead = [...managed.values()].some((o) => o !== m && o.rec.status === 'running' && (o.height ?? -1) > info.height)
    if (now - m.heightSince > stalledMs && ahead) {
      emit({ type: 'killed-stalled', id: m.rec.id, height: info.height, stalledMs: now - m.heightSince })
      m.height = null
      signalGroup(pid, 'SIGKILL') // 'exit' then schedules the restart
    }
  }

  async function tick(): Promise<void> {
    if (ticking || stopping) return
    ticking = true
    try {
      await Promise.all([...managed.values()].map((m) => checkNode(m)))
      persist()
    } finally {
      ticking = false
    }
  }

  async function waitUp(m: Managed): Promise<NodeRecord> {
    const deadline = Date.now() + upTimeoutMs
    while (Date.now() < deadline) {
      if (stopping) throw new AgoraError('SUPERVISOR_STOPPING', `the supervisor stopped before ${m.rec.id} came up`)
      if (isLeaving(m)) throw new AgoraError('NODE_REMOVED', `${m.rec.id} was removed before it came up`)
      if (m.child && m.rec.pid && (await probeLive(m.rec.apiPort, probeTimeoutMs))) {
        refreshFromNodeJson(m)
        if (m.rec.peerId && !isLeaving(m)) {
          if (m.rec.status !== 'running') emit({ type: 'up', id: m.rec.id, peerId: m.rec.peerId })
          m.rec.status = 'running'
          m.lastLiveAt = Date.now()
          persist()
          return { ...m.rec }
        }
      }
      await sleep(150)
    }
    throw new AgoraError('NODE_START_TIMEOUT', `${m.rec.id} did not come up within ${upTimeoutMs} ms; last log lines:\n${logTail(m.rec.dataDir, 15)}`)
  }

  function newManaged(rec: NodeRecord): Managed {
    const m: Managed = { rec, child: null, spawnedAt: 0, lastLiveAt: null, failures: 0, nextRestartAt: 0, height: null, heightSince: 0 }
    managed.set(rec.id, m)
    return m
  }

  async function launchAll(ms: Managed[], onUp?: (n: NodeRecord, done: number, total: number) => void): Promise<NodeRecord[]> {
    let done = 0
    const launchOne = async (m: Managed) => {
      await ensurePorts(m)
      spawnNode(m, false)
      const rec = await waitUp(m)
      onUp?.(rec, ++done, ms.length)
      return rec
    }
    const noneRunning = ![...managed.values()].some((m) => m.rec.status === 'running')
    // The first node of an empty network starts alone so the others can bootstrap to it.
    const first = noneRunning && ms.length > 0 ? [await launchOne(ms[0]!)] : []
    const rest = await Promise.all(ms.slice(first.length).map(launchOne))
    return [...first, ...rest]
  }

  return {
    dir,

    async start() {
      const previous = readRegistry(dir)
      if (previous?.supervisor && previous.supervisor.pid !== process.pid && isAlive(previous.supervisor.pid)) {
        throw new AgoraError('DEVNET_BUSY', `a supervisor (pid ${previous.supervisor.pid}) is already running on ${dir}`)
      }
      for (const n of previous?.nodes ?? []) {
        // A dead supervisor's children may still run: stop them if the pid still is our node.
        if (n.pid && isAlive(n.pid) && processCommandLine(n.pid)?.includes(n.dataDir)) await stopProcess(n.pid, stopGraceMs)
      }
      history = (previous?.nodes ?? []).map((n) => ({ ...n, pid: null, status: n.status === 'removed' ? 'removed' : 'stopped' }))
      if (opts.control !== false) control = await serveControl({ token, add: (k) => this.addNodes(k), remove: (id) => this.removeNode(id), list: () => nodes() })
      process.on('exit', killAllSync)
      persist()
      timer = setInterval(() => { void tick().catch(() => {}) }, pollMs)
    },

    async addNodes(count, onUp) {
      if (stopping) throw new AgoraError('SUPERVISOR_STOPPING', 'the supervisor is stopping')
      if (!Number.isInteger(count) || count < 1 || count > 64) throw new AgoraError('BAD_COUNT', `count must be an integer in 1..64, got ${count}`)
      const all = nodes()
      let next = all.reduce((mx, n) => Math.max(mx, n.index), 0)
      const taken = new Set(all.flatMap((n) => [n.p2pPort, n.apiPort]))
      const ports = await freePorts(2 * count, taken)
      const fresh: Managed[] = []
      for (let i = 0; i < count; i++) {
        const index = ++next
        const id = `node-${index}`
        const dataDir = join(dir, 'nodes', id)
        await opts.hooks?.beforeAdd?.({ id, index, dataDir })
        const apiPort = ports[2 * i + 1]!
        fresh.push(newManaged({
          id, index, dataDir, p2pPort: ports[2 * i]!, apiPort, apiUrl: `${apiBase(apiPort)}/graphql`, pid: null,
          status: 'starting', restarts: 0, startedAt: null, peerId: null, multiaddrs: [], lastExit: null,
        }))
      }
      const up = await launchAll(fresh, onUp)
      await Promise.all(up.map((rec) => opts.hooks?.afterAdd?.(rec)))
      return up
    },

    async resumeNodes(onUp) {
      const again = history.filter((n) => n.status !== 'removed')
      history = history.filter((n) => n.status === 'removed')
      return launchAll(again.map((rec) => newManaged({ ...rec, status: 'starting' })), onUp)
    },

    async removeNode(id) {
      const rec = findNode({ version: 1, updatedAt: 0, supervisor: null, nodes: nodes() }, id)
      const m = rec ? managed.get(rec.id) : undefined
      if (!rec || !m) throw new AgoraError('UNKNOWN_NODE', `no running node ${id} in ${dir}`)
      if (m.rec.status === 'removed' || m.rec.status === 'stopping') throw new AgoraError('NODE_REMOVED', `${rec.id} is already ${m.rec.status}`)
      await opts.hooks?.beforeRemove?.({ ...m.rec })
      m.rec.status = 'stopping'
      persist()
      if (m.rec.pid) await stopProcess(m.rec.pid, stopGraceMs)
      m.rec = { ...m.rec, status: 'removed', pid: null }
      emit({ type: 'removed', id: m.rec.id })
      persist()
      return { ...m.rec }
    },

    nodes,

    async stop() {
      if (stopping) return
      stopping = true
      if (timer) clearInterval(timer)
      for (const m of managed.values()) if (m.rec.status !== 'removed') m.rec.status = 'stopping'
      await Promise.all([...managed.values()].map(async (m) => {
        if (m.rec.pid) await stopProcess(m.rec.pid, stopGraceMs)
        if (m.rec.status !== 'removed') m.rec = { ...m.rec, status: 'stopped', pid: null }
      }))
      await control?.close()
      persist()
      process.removeListener('exit', killAllSync)
    },
  }
}

/** The last `lines` lines of a node's log (for error messages and `agora nodes logs`). */
export function logTail(dataDir: string, lines: number): string {
  const file = join(dataDir, NODE_LOG)
  if (!existsSync(file)) return '(no log yet)'
  return readFileSync(file, 'utf8').split('\n').slice(-lines - 1).join('\n')
}
