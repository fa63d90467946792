// `agora nodes list|status|add|remove|logs`: the operator's view of the nodes of a devnet dir. list/status/
// logs read nodes.json, the nodes' APIs and logs directly; add/remove ask the running supervisor (through
// its loopback control endpoint), which owns the processes and runs the devnet's staking hooks.
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Command } from 'commander'
import { AgoraError } from '../../../core/errors.ts'
import { printJson } from '../output.ts'
import { controlRequest } from '../../devnet/control.ts'
import { NODE_LOG, probeLive, probeReady, queryInfo } from '../../devnet/probe.ts'
import { isAlive } from '../../devnet/processes.ts'
import { DEFAULT_DEVNET_DIR, findNode, requireRegistry, type NodeRecord, type Registry } from '../../devnet/registry.ts'
import { renderTable } from '../../devnet/status-view.ts'

const dirOption = ['--dir <dir>', 'devnet directory (holds nodes.json)', DEFAULT_DEVNET_DIR] as const

/** The registry as seen now: a dead supervisor is reported as such, and so are dead pids. */
function currentView(dir: string): { reg: Registry; supervisorRunning: boolean; nodes: (NodeRecord & { alive: boolean })[] } {
  const reg = requireRegistry(dir)
  const supervisorRunning = reg.supervisor !== null && isAlive(reg.supervisor.pid)
  const nodes = reg.nodes.map((n) => ({ ...n, alive: n.pid !== null && isAlive(n.pid) }))
  return { reg, supervisorRunning, nodes }
}

function nodeOrThrow(reg: Registry, id: string, dir: string): NodeRecord {
  const n = findNode(reg, id)
  if (!n) throw new AgoraError('UNKNOWN_NODE', `no node ${id} in ${dir} (have: ${reg.nodes.map((x) => x.id).join(', ') || 'none'})`)
  return n
}

function positiveInt(name: string, v: string): number {
  const n = Number(v)
  if (!Number.isInteger(n) || n < 1) throw new AgoraError('BAD_ARGUMENT', `${name} must be a positive integer, got ${v}`)
  return n
}

export interface NodeStatusRow {
  id: string; status: string; pid: number | null; restarts: number; live: boolean; ready: boolean; reason: string | null
  height: number | null; slot: number | null; epoch: number | null; peers: number | null; synced: boolean | null
  lastCertifiedEpoch: number | null; stateRoot: string | null; apiUrl: string
}

export async function nodeStatusRows(nodes: readonly NodeRecord[], timeoutMs: number): Promise<NodeStatusRow[]> {
  return Promise.all(nodes.map(async (n) => {
    const [live, ready, info] = await Promise.all([probeLive(n.apiPort, timeoutMs), probeReady(n.apiPort, timeoutMs), queryInfo(n.apiPort, timeoutMs)])
    return {
      id: n.id, status: n.status, pid: n.pid, restarts: n.restarts, live, ready: ready.ready, reason: ready.reason,
      height: info?.height ?? null, slot: info?.slot ?? null, epoch: info?.epoch ?? null, peers: info?.peers.length ?? null,
      synced: info?.synced ?? null, lastCertifiedEpoch: info?.lastCertifiedEpoch ?? null, stateRoot: info?.stateRoot ?? null, apiUrl: n.apiUrl,
    }
  }))
}

const print = (lines: string[]) => process.stdout.write(lines.join('\n') + '\n')

interface ControlOpts { dir: string; timeout: string; json?: boolean }

/** add/remove: one request to the running supervisor, its reply printed as JSON or as lines for people. */
async function askSupervisor<R>(o: ControlOpts, path: '/nodes/add' | '/nodes/remove', body: (reg: Registry, dir: string) => unknown, lines: (reply: R) => string[]): Promise<void> {
  const dir = resolve(o.dir)
  const reg = requireRegistry(dir)
  const reply = await controlRequest(reg, dir, path, body(reg, dir), positiveInt('--timeout', o.timeout)) as R
  if (o.json) printJson(reply)
  else print(lines(reply))
}

/** Print a log from byte `from`; returns the new end offset. */
function printFrom(file: string, from: number): number {
  const size = statSync(file).size
  if (size < from) from = 0 // truncated or replaced: start over
  if (size === from) return from
  const fd = openSync(file, 'r')
  try {
    const buf = Buffer.alloc(size - from)
    readSync(fd, buf, 0, buf.length, from)
    process.stdout.write(buf)
  } finally {
    closeSync(fd)
  }
  return size
}

/** Byte offset where the last `lines` lines of the file begin (reads only the tail). */
function tailOffset(file: string, lines: number): number {
  const size = statSync(file).size
  const chunk = Math.min(size, 1 << 20)
  const fd = openSync(file, 'r')
  try {
    const buf = Buffer.alloc(chunk)
    readSync(fd, buf, 0, chunk, size - chunk)
    let seen = 0
    // Skip a trailing newline so "the last n lines" means n lines of text.
    for (let i = chunk - 1 - (buf[chunk - 1] === 0x0a ? 1 : 0); i >= 0; i--) {
      if (buf[i] === 0x0a && ++seen === lines) return size - chunk + i + 1
    }
    return size - chunk
  } finally {
    closeSync(fd)
  }
}

export function registerNodesCommands(program: Command): void {
  const nodes = program.command('nodes').description('list, inspect, add and remove the nodes of a devnet')

  nodes.command('list')
    .description('the nodes of a devnet dir, from its nodes.json')
    .option(...dirOption)
    .option('--all', 'include removed nodes')
    .option('--json', 'print JSON')
    .action((o: { dir: string; all?: boolean; json?: boolean }) => {
      const dir = resolve(o.dir)
      const v = currentView(dir)
      const shown = v.nodes.filter((n) => o.all || n.status !== 'removed')
      if (o.json) return printJson({ dir, supervisor: v.reg.supervisor ? { pid: v.reg.supervisor.pid, running: v.supervisorRunning } : null, nodes: shown })
      print([
        `${dir}: supervisor ${v.supervisorRunning ? `running (pid ${v.reg.supervisor!.pid})` : 'not running'}`,
        ...renderTable({
          title: `${shown.length} node(s)`,
          columns: ['id', 'status', 'pid', 'p2p', 'api', 'restarts', 'peerId'],
          rows: shown.map((n) => [n.id, n.alive || n.pid === null ? n.status : `${n.status}?`, n.pid, n.p2pPort, n.apiPort, n.restarts, n.peerId]),
        }),
      ])
    })

  nodes.command('status')
    .description('ask each node (or one) for liveness, readiness and chain progress')
    .argument('[id]', 'one node (id or number)')
    .option(...dirOption)
    .option('--timeout <ms>', 'per-request timeout', '2000')
    .option('--json', 'print JSON')
    .action(async (id: string | undefined, o: { dir: string; timeout: string; json?: boolean }) => {
      const dir = resolve(o.dir)
      const reg = requireRegistry(dir)
      const targets = id ? [nodeOrThrow(reg, id, dir)] : reg.nodes.filter((n) => n.status !== 'removed')
      const rows = await nodeStatusRows(targets, positiveInt('--timeout', o.timeout))
      if (o.json) return printJson({ dir, nodes: rows })
      print(renderTable({
        title: `${dir}`,
        columns: ['id', 'status', 'live', 'ready', 'height', 'epoch', 'peers', 'certified', 'restarts', 'reason'],
        rows: rows.map((r) => [r.id, r.status, r.live ? 'yes' : 'no', r.ready ? 'yes' : 'no', r.height, r.epoch, r.peers, r.lastCertifiedEpoch, r.restarts, r.ready ? '' : r.reason]),
      }))
    })

  nodes.command('add')
    .description('start new validator nodes that join the running devnet (through its supervisor)')
    .option(...dirOption)
    .option('--count <k>', 'how many', '1')
    .option('--timeout <ms>', 'how long to wait for them to come up', '180000')
    .option('--json', 'print JSON')
    .action(async (o: ControlOpts & { count: string }) => {
      const count = positiveInt('--count', o.count)
      await askSupervisor(o, '/nodes/add', () => ({ count }), (r: { nodes: NodeRecord[] }) => r.nodes.map((n) => `${n.id} up: pid ${n.pid}, api ${n.apiUrl}, peer ${n.peerId}`))
    })

  nodes.command('remove')
    .description('stop a node gracefully for good: the devnet unstakes it and stops it once it has left the set')
    .argument('<id>', 'node id or number')
    .option(...dirOption)
    .option('--timeout <ms>', 'how long to wait (an exit takes effect at the next epoch boundary)', '180000')
    .option('--json', 'print JSON')
    .action(async (id: string, o: ControlOpts) => {
      await askSupervisor(o, '/nodes/remove', (reg, dir) => ({ id: nodeOrThrow(reg, id, dir).id }), (r: { node: NodeRecord }) => [`${r.node.id} removed`])
    })

  nodes.command('logs')
    .description("print a node's log (its stdout and stderr)")
    .argument('<id>', 'node id or number')
    .option(...dirOption)
    .option('-n, --lines <n>', 'how many last lines', '100')
    .option('-f, --follow', 'keep printing new lines until interrupted')
    .action(async (id: string, o: { dir: string; lines: string; follow?: boolean }) => {
      const dir = resolve(o.dir)
      const node = nodeOrThrow(requireRegistry(dir), id, dir)
      const file = join(node.dataDir, NODE_LOG)
      if (!existsSync(file)) throw new AgoraError('NO_LOG', `${node.id} has no log yet (${file})`)
      let offset = printFrom(file, tailOffset(file, positiveInt('--lines', o.lines)))
      if (!o.follow) return
      await new Promise<void>((done) => {
        const timer = setInterval(() => { if (existsSync(file)) offset = printFrom(file, offset) }, 250)
        const stop = () => { clearInterval(timer); done() }
        process.once('SIGINT', stop)
        process.once('SIGTERM', stop)
      })
    })
}
