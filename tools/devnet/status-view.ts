// The devnet's live terminal view: a compact table per node (height, peers, epoch, REP, last certified
// epoch, restarts, status) plus tables the caller supplies (per epoch: weights on chain, Yuma incentive and
// dividends). On a TTY it redraws in place with plain ANSI; otherwise it prints periodic plain lines.
import type { Writable } from 'node:stream'
import type { NodeRecord } from './registry.ts'
import { queryInfo, type NodeInfo } from './probe.ts'
import type { SupervisorEvent } from './supervisor.ts'

export interface NodeRow {
  readonly id: string
  readonly status: string
  readonly restarts: number
  readonly height: number | null
  readonly peers: number | null
  readonly epoch: number | null
  readonly lastCertifiedEpoch: number | null
  /** Decimal REP string, when the caller can tell (the devnet glue reads it from the node's API). */
  readonly rep: string | null
  /** How long its height has not moved, once that exceeds the stall threshold; absent or null otherwise. */
  readonly stalledForMs?: number | null
}

/** A titled table of already-formatted cells (the lead's per-epoch section comes in this shape). */
export interface Table {
  readonly title: string
  readonly columns: readonly string[]
  readonly rows: readonly (readonly (string | number | null)[])[]
}

export interface StatusSnapshot {
  readonly title: string
  readonly nodes: readonly NodeRow[]
  readonly sections: readonly Table[]
}

// ---- data ------------------------------------------------------------------------------------------

export interface StallTracker {
  /** Record a node's height now; returns how long it has not moved if that is over the threshold, else null. */
  observe(id: string, height: number): number | null
}

/** A node is stalled when its height has not changed for `afterMs` (e.g. several slots). */
export function createStallTracker(afterMs: number, now: () => number = Date.now): StallTracker {
  const seen = new Map<string, { height: number; since: number }>()
  return {
    observe(id, height) {
      const t = now()
      const s = seen.get(id)
      if (!s || s.height !== height) { seen.set(id, { height, since: t }); return null }
      return t - s.since > afterMs ? t - s.since : null
    },
  }
}

/** Query each listed node's `info` (in parallel, with a timeout) and build its row. */
export async function collectNodeRows(
  records: readonly NodeRecord[],
  opts: { timeoutMs?: number; rep?: (rec: NodeRecord, info: NodeInfo) => Promise<string | null>; stall?: StallTracker } = {},
): Promise<NodeRow[]> {
  return Promise.all(records.filter((r) => r.status !== 'removed').map(async (rec) => {
    const live = rec.status === 'running' ? await queryInfo(rec.apiPort, opts.timeoutMs ?? 1_000) : null
    const rep = live && opts.rep ? await opts.rep(rec, live).catch(() => null) : null
    return {
      id: rec.id, status: rec.status, restarts: rec.restarts, height: live?.height ?? null, peers: live?.peers.length ?? null,
      epoch: live?.epoch ?? null, lastCertifiedEpoch: live?.lastCertifiedEpoch ?? null, rep,
      stalledForMs: live && opts.stall ? opts.stall.observe(rec.id, live.height) : null,
    }
  }))
}

/** One line for the log about a supervisor event, or null when it is not worth a line. */
export function describeEvent(e: SupervisorEvent): string | null {
  switch (e.type) {
    case 'spawned': return e.restart ? `${e.id}: restarted (pid ${e.pid})` : null
    case 'up': return null
    case 'exited': return e.willRestart ? `${e.id}: exited (${e.reason}), restarting` : null
    case 'killed-unresponsive': return `${e.id}: ${e.paused ? 'stopped by a signal' : 'not answering'} for ${Math.round(e.silentMs / 1000)} s, killing it`
    case 'killed-stalled': return `${e.id}: stalled at ${e.height} for ${Math.round(e.stalledMs / 1000)} s while others advance, restarting it`
    case 'removed': return `${e.id}: removed`
  }
}

/** An `onEvent` for the supervisor that prints notable events as progress lines of the view. */
export function eventsToView(view: Pick<StatusView, 'progress'>): (e: SupervisorEvent) => void {
  return (e) => {
    const line = describeEvent(e)
    if (line) view.progress(line)
  }
}

// ---- rendering (pure) ------------------------------------------------------------------------------

const ESC = '\x1b['
const paint = (on: boolean, code: string, s: string) => (on ? `${ESC}${code}m${s}${ESC}0m` : s)
const STATUS_COLOR: Record<string, string> = {
  running: '32', stalled: '31', starting: '33', paused: '33', restarting: '33', stopping: '33', unresponsive: '31', stopped: '2', removed: '2',
}
const cell = (v: string | number | null) => (v === null ? '-' : String(v))
/** Visible width, ignoring ANSI colour codes. */
const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').length

export function renderTable(t: Table, color = false): string[] {
  const cells = t.rows.map((r) => r.map(cell))
  const widths = t.columns.map((c, i) => Math.max(c.length, ...cells.map((r) => (r[i] ?? '').length)))
  const line = (r: readonly string[]) => r.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ').trimEnd()
  return [paint(color, '1', t.title), paint(color, '2', line(t.columns)), ...cells.map(line)]
}

/** The status cell: the supervisor's status, or `stalled at <height> for <s> s` when the height stopped. */
export function statusLabel(n: NodeRow): string {
  return n.stalledForMs != null ? `stalled at ${n.height} for ${Math.round(n.stalledForMs / 1000)} s` : n.status
}

export function nodeTable(nodes: readonly NodeRow[]): Table {
  return {
    title: 'nodes',
    columns: ['id', 'height', 'peers', 'epoch', 'REP', 'certified', 'restarts', 'status'],
    rows: nodes.map((n) => [n.id, n.height, n.peers, n.epoch, n.rep, n.lastCertifiedEpoch, n.restarts, statusLabel(n)]),
  }
}

/** The whole view as lines (no trailing newline), each clipped to `width` visible columns. */
export function renderStatus(s: StatusSnapshot, opts: { color?: boolean; width?: number } = {}): string[] {
  const color = opts.color ?? false
  const nodeLines = renderTable(nodeTable(s.nodes), color)
  if (color) {
    // Colour the status column after layout so padding is computed on plain text.
    for (let i = 2; i < nodeLines.length; i++) {
      const n = s.nodes[i - 2]!
      const label = statusLabel(n)
      const key = n.stalledForMs != null ? 'stalled' : n.status
      if (nodeLines[i]!.endsWith(label)) nodeLines[i] = nodeLines[i]!.slice(0, -label.length) + paint(true, STATUS_COLOR[key] ?? '0', label)
    }
  }
  const lines = [paint(color, '1', s.title), '', ...nodeLines]
  for (const t of s.sections) lines.push('', ...renderTable(t, color))
  const width = opts.width ?? Infinity
  return lines.map((l) => (visible(l) <= width ? l : clip(l, width)))
}

function clip(line: string, width: number): string {
  // Cut at `width` visible characters, keeping escape sequences whole, then reset colours.
  let out = ''
  let shown = 0
  for (let i = 0; i < line.length && shown < width; ) {
    const m = /^\x1b\[[0-9;]*m/.exec(line.slice(i))
    if (m) { out += m[0]; i += m[0].length; continue }
    out += line[i++]
    shown++
  }
  return out.includes('\x1b[') ? out + `${ESC}0m` : out
}

/** The non-TTY form: one line for all nodes. */
export function renderPlainLine(s: StatusSnapshot, elapsedMs: number): string {
  const nodes = s.nodes.map((n) => `${n.id} ${n.stalledForMs != null ? `stalled(${Math.round(n.stalledForMs / 1000)}s)` : n.status} h=${cell(n.height)} e=${cell(n.epoch)} p=${cell(n.peers)} cert=${cell(n.lastCertifiedEpoch)}${n.rep === null ? '' : ` rep=${n.rep}`} r=${n.restarts}`)
  return `[${Math.round(elapsedMs / 1000)}s] ${nodes.join(' | ')}`
}

// ---- the live view ---------------------------------------------------------------------------------

export interface StatusViewOptions {
  readonly title?: string
  readonly nodes: () => Promise<readonly NodeRow[]>
  /** Extra tables (per epoch: weights on chain, Yuma incentive/dividends); empty until there is data. */
  readonly sections?: () => Promise<readonly Table[]>
  readonly out?: Writable & { isTTY?: boolean; columns?: number }
  /** Redraw in place (default: out.isTTY). */
  readonly tty?: boolean
  /** Colour (default: tty and no NO_COLOR). */
  readonly color?: boolean
  /** Refresh period on a TTY (default 1 s) and between plain lines otherwise (default 10 s). */
  readonly intervalMs?: number
  readonly plainIntervalMs?: number
}

export interface StatusView {
  /** A progress or event line ("generating keys…", "node 2/4 up"): printed above the live table. */
  progress(line: string): void
  /** Begin periodic refreshes. */
  start(): void
  /** Draw now (also prints new section tables in plain mode). */
  refresh(): Promise<void>
  /** Stop refreshing; leaves the last drawing on screen and the cursor below it. */
  stop(): Promise<void>
}

export function createStatusView(opts: StatusViewOptions): StatusView {
  const out = opts.out ?? process.stdout
  const tty = opts.tty ?? Boolean(out.isTTY)
  const color = opts.color ?? (tty && !process.env.NO_COLOR)
  const title = opts.title ?? 'agora devnet'
  const began = Date.now()
  let drawn = 0 // lines of the live table currently on screen (TTY)
  let lastLines: string[] = []
  const printedSections = new Set<string>()
  let timer: NodeJS.Timeout | null = null
  let refreshing: Promise<void> | null = null

  const erase = () => {
    // Move to the first line of the drawing and clear everything below it.
    if (drawn > 0) out.write(`${ESC}${drawn}F${ESC}0J`)
    drawn = 0
  }
  const draw = (lines: string[]) => {
    if (lines.length === 0) return
    out.write(lines.join('\n') + '\n')
    drawn = lines.length
  }
  const showCursor = () => { if (tty) out.write(`${ESC}?25h`) }

  async function snapshot(): Promise<StatusSnapshot> {
    const [nodes, sections] = await Promise.all([opts.nodes(), opts.sections?.() ?? Promise.resolve([])])
    return { title: `${title} · ${Math.round((Date.now() - began) / 1000)} s`, nodes, sections }
  }

  async function refreshOnce(): Promise<void> {
    const s = await snapshot()
    if (tty) {
      lastLines = renderStatus(s, { color, width: (out.columns ?? 120) - 1 })
      erase()
      draw(lastLines)
      return
    }
    out.write(renderPlainLine(s, Date.now() - began) + '\n')
    for (const t of s.sections) {
      // Plain mode prints a section again only when it changed (e.g. a new epoch row).
      const text = renderTable(t).join('\n')
      if (printedSections.has(text)) continue
      printedSections.add(text)
      out.write(text + '\n')
    }
  }

  const refresh = () => {
    refreshing ??= refreshOnce().catch(() => {}).finally(() => { refreshing = null })
    return refreshing
  }

  return {
    progress(line) {
      if (!tty) return void out.write(line + '\n')
      erase()
      out.write(line + '\n')
      draw(lastLines)
    },
    start() {
      if (timer) return
      if (tty) { out.write(`${ESC}?25l`); process.once('exit', showCursor) }
      void refresh()
      timer = setInterval(() => void refresh(), tty ? opts.intervalMs ?? 1_000 : opts.plainIntervalMs ?? 10_000)
    },
    refresh,
    async stop() {
      if (timer) clearInterval(timer)
      timer = null
      await refreshing
      showCursor()
      process.removeListener('exit', showCursor)
    },
  }
}
