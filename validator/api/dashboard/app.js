// The dashboard: reads the node's GraphQL API, re-renders on each subscription event (a new block, a certified
// epoch, a final score, a pool outcome) and on a slow timer, so a dropped stream only slows the page down.
import { query, subscribe } from './gql.js'
import { bars, citationGraph, heatmap, short, sparkline } from './svg.js'

/** Refresh the heavier sections at most this often (the API's rate limit is per client IP). */
const DETAIL_REFRESH_MS = 4000
/** The chain counts as stalled after this many typical block intervals without a block (and ≥ STALL_MIN_MS). */
const STALL_INTERVALS = 4
const STALL_MIN_MS = 10_000
const KEPT_INTERVALS = 40

const NODE_QUERY = `{ node { peerId networkId height slot epoch peers synced lastCertifiedEpoch }
  blocks(first: 12) { items { height epoch proposer txCount certificateSigners hash } } }`
const DETAIL_QUERY = `{
  validators(first: 100) { items { peerId evmAddress power powerPpm } }
  balances(first: 100) { items { member balance locked } }
  epochs(first: 16) { items { epoch miners weights certificateSigners chainTx yuma } }
  challenges(first: 50) { items { id name version status emissionSharePpm owner } }
  submissions(first: 40) { items { id miner challenge height committee final finalScore reports { validator score deviating } } }
}`
const FORUM_QUERY = `{
  posts(first: 60) { items { id value createdSlot authors { member weightPpm } citations { post weightPpm } } }
  pools(first: 20, openOnly: true) { items { id post fee startSlot endSlot startHeight endHeight forTotal againstTotal stakes { member amount inFavor } } }
}`

const state = { node: null, blocks: [], lastBlockAt: 0, lastHeight: -1, intervals: [], slotMs: null, lastSlot: null, lastSlotAt: 0 }
const $ = (id) => document.getElementById(id)

function setText(id, s) { const e = $(id); if (e && e.textContent !== String(s)) e.textContent = String(s) }

function table(headers, rows) {
  const t = document.createElement('table')
  t.innerHTML = `<thead><tr>${headers.map((h) => `<th>${h}</th>`).join('')}</tr></thead>`
  const body = document.createElement('tbody')
  for (const r of rows) {
    const tr = document.createElement('tr')
    for (const c of r) { const td = document.createElement('td'); if (c instanceof Node) td.append(c); else td.innerHTML = c ?? ''; tr.append(td) }
    body.append(tr)
  }
  t.append(body)
  return t
}
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
const mono = (s) => `<span class="mono" title="${esc(s)}">${esc(short(s))}</span>`
const replace = (id, node) => { const e = $(id); e.replaceChildren(...(Array.isArray(node) ? node : [node])) }
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)] : null }

// ---- network ----
function onNode(data) {
  const n = data.node
  state.node = n
  state.blocks = data.blocks.items
  noteHeight(n.height)
  if (state.lastSlot !== null && n.slot > state.lastSlot) {
    const ms = (Date.now() - state.lastSlotAt) / (n.slot - state.lastSlot)
    state.slotMs = state.slotMs === null ? ms : Math.round(state.slotMs * 0.8 + ms * 0.2)
  }
  if (state.lastSlot !== n.slot) { state.lastSlot = n.slot; state.lastSlotAt = Date.now() }
  setText('network-id', `${n.networkId} · ${short(n.peerId)}`)
  setText('epoch', `${n.epoch} · ${n.slot}`)
  setText('finality', n.lastCertifiedEpoch ?? 'none yet')
  setText('peers', n.peers.length)
  setText('synced', n.synced ? 'synced' : 'syncing')
  replace('blocks', table(['height', 'epoch', 'proposer', 'txs', 'signers', 'hash'],
    state.blocks.map((b) => [b.height, b.epoch, mono(b.proposer), b.txCount, b.certificateSigners.length, mono(b.hash)])))
  renderChainState()
}

function noteHeight(h) {
  if (h <= state.lastHeight) return
  const now = Date.now()
  if (state.lastHeight >= 0 && state.lastBlockAt) {
    state.intervals.push((now - state.lastBlockAt) / 1000 / (h - state.lastHeight))
    if (state.intervals.length > KEPT_INTERVALS) state.intervals.shift()
  }
  state.lastHeight = h
  state.lastBlockAt = now
  setText('height', h)
  replace('intervals', sparkline(state.intervals))
}

function renderChainState() {
  if (state.lastHeight < 0) return
  const typical = (median(state.intervals) ?? 2) * 1000
  const since = Date.now() - state.lastBlockAt
  const stalled = since > Math.max(STALL_MIN_MS, STALL_INTERVALS * typical)
  const e = $('chain-state')
  e.textContent = stalled ? `stalled at ${state.lastHeight} for ${Math.round(since / 1000)} s` : `advancing · last block ${Math.round(since / 1000)} s ago`
  e.className = stalled ? 'badge bad' : 'muted'
  e.dataset.stalled = String(stalled)
}

// ---- validators, epochs, challenges, submissions ----
function onDetail(d) {
  const rep = new Map(d.balances.items.map((b) => [b.member, b]))
  const duty = new Map()
  const get = (v) => duty.get(v) ?? (duty.set(v, { done: 0, missed: 0, faults: 0 }), duty.get(v))
  // Duties over the submissions shown: a committee seat of a final submission is done when its report
  // is in, missed otherwise; a fault is a report that deviated from the final score.
  for (const s of d.submissions.items) {
    const reported = new Set(s.reports.map((r) => r.validator))
    for (const v of s.committee) { if (reported.has(v)) get(v).done++; else if (s.final) get(v).missed++ }
    for (const r of s.reports) if (r.deviating) get(r.validator).faults++
  }
  replace('validator-table', table(['validator', 'power', 'share', 'REP', 'locked', 'duties done', 'missed', 'faults'],
    d.validators.items.map((v) => {
      const b = rep.get(v.peerId), x = duty.get(v.peerId) ?? { done: 0, missed: 0, faults: 0 }
      return [mono(v.peerId), v.power, `${(v.powerPpm / 1e4).toFixed(1)}%`, b?.balance ?? '–', b?.locked ?? '–', x.done, x.missed,
        x.faults ? `<span class="badge bad">${x.faults}</span>` : '0']
    })))
  renderEpochs(d.epochs.items, d.validators.items.length)
  replace('challenge-table', table(['challenge', 'version', 'status', 'lifecycle', 'emission', 'owner'],
    d.challenges.items.map((c) => [esc(c.name), esc(c.version), c.status, lifecycle(c.status), `${(c.emissionSharePpm / 1e4).toFixed(1)}%`, mono(c.owner)])))
  replace('submission-table', table(['submission', 'miner', 'challenge', 'height', 'committee', 'reports', 'final score'],
    d.submissions.items.map((s) => [submissionDetail(s), mono(s.miner), mono(s.challenge), s.height, s.committee.length,
      `${s.reports.length}/${s.committee.length}`, s.final ? s.finalScore : '<span class="muted">pending</span>'])))
}

const LIFECYCLE = ['proposed', 'active', 'deprecated', 'retired']
const lifecycle = (status) => `<span class="lifecycle">${LIFECYCLE.map((s) => `<span class="${s === status ? 'on' : ''}">${s}</span>`).join('→')}</span>`

function submissionDetail(s) {
  const d = document.createElement('details')
  d.innerHTML = `<summary>${mono(s.id)}</summary>`
  d.append(table(['validator', 'score', ''], s.reports.map((r) => [mono(r.validator), r.score, r.deviating ? '<span class="badge bad">deviating</span>' : ''])))
  return d
}

function renderEpochs(epochs, validatorCount) {
  const shown = [...epochs].sort((a, b) => a.epoch - b.epoch)
  const miners = [...new Set(shown.flatMap((e) => e.miners))].sort()
  if (shown.length && miners.length) {
    const cell = (i, j) => { const e = shown[j], k = e.miners.indexOf(miners[i]); return k < 0 ? null : e.weights[k] / 65535 }
    replace('heatmap', heatmap({
      rows: miners.map(short), cols: shown.map((e) => `e${e.epoch}`), value: cell,
      label: (i, j) => { const v = cell(i, j); return `${miners[i]} in epoch ${shown[j].epoch}: ${v === null ? 'no weight' : Math.round(v * 65535)}` },
    }))
  } else replace('heatmap', document.createTextNode('no epoch weights yet'))
  const last = [...shown].reverse().find((e) => e.yuma)
  const yuma = last ? JSON.parse(last.yuma) : null
  const entries = (o, cls) => Object.entries(o ?? {}).map(([k, v]) => ({ label: short(k), value: Number(v), cls }))
  replace('incentive', yuma ? bars(entries(yuma.incentive), { format: fmt }) : document.createTextNode('–'))
  replace('dividends', yuma ? bars(entries(yuma.dividends, 'bar alt'), { format: fmt }) : document.createTextNode('–'))
  replace('epoch-table', table(['epoch', 'miners', 'certificate signers', 'chain tx'],
    [...shown].reverse().map((e) => [e.epoch, e.miners.length, `${e.certificateSigners.length}/${validatorCount}`, e.chainTx ? mono(e.chainTx) : '<span class="muted">none</span>'])))
}
const fmt = (v) => (Math.abs(v) >= 1000 ? v.toFixed(0) : v.toPrecision(3))

// ---- forum ----
function onForum(d) {
  replace('graph', d.posts.items.length ? citationGraph(d.posts.items) : document.createTextNode('no posts yet'))
  renderPools(d.pools.items)
}

let pools = []
function renderPools(items = pools) {
  pools = items
  if (!pools.length) return replace('pools', document.createTextNode('no open pool'))
  const slot = state.node?.slot ?? 0, height = state.node?.height ?? 0
  replace('pools', table(['pool', 'post', 'for / against', 'stakes', 'open until'], pools.map((p) => {
    const f = Number(p.forTotal), a = Number(p.againstTotal), sum = f + a || 1
    const bar = document.createElement('div')
    bar.className = 'stakes'
    bar.innerHTML = `<div class="for" style="width:${(f / sum) * 100}%"></div><div class="against" style="width:${(a / sum) * 100}%"></div>`
    return [mono(p.id), mono(p.post), `${p.forTotal} / ${p.againstTotal}`, bar, poolEnd(p, slot, height)]
  })))
}

// A pool is open until BOTH its end slot and its end height are reached (forum/pool-window.ts). A block takes
// at least a slot, so the blocks still missing are slots too: the ETA is a lower bound, never a promise.
function poolEnd(p, slot, height) {
  const slotsLeft = Math.max(0, p.endSlot - slot), blocksLeft = Math.max(0, p.endHeight - height)
  if (!slotsLeft && !blocksLeft) return 'resolving'
  const left = Math.max(slotsLeft, blocksLeft)
  const eta = state.slotMs ? `, ≥ ~${Math.round((left * state.slotMs) / 1000)} s` : ''
  return `slot ${p.endSlot} and height ${p.endHeight} (${slotsLeft} slots, ${blocksLeft} blocks left${eta})`
}

// ---- refresh loop ----
let detailPending = false, lastDetail = 0
async function refreshDetail(force = false) {
  if (detailPending || (!force && Date.now() - lastDetail < DETAIL_REFRESH_MS)) return
  detailPending = true
  try {
    const [d, f] = await Promise.all([query(DETAIL_QUERY), query(FORUM_QUERY)])
    onDetail(d)
    onForum(f)
    lastDetail = Date.now()
  } catch (e) { console.warn('dashboard refresh', e) } finally { detailPending = false }
}
let nodePending = false
async function refreshNode() {
  if (nodePending) return
  nodePending = true
  try { onNode(await query(NODE_QUERY)) } catch (e) { console.warn('dashboard node', e) } finally { nodePending = false }
}

function setLive(s) { const e = $('live'); e.textContent = s; e.className = `badge ${s === 'live' ? 'ok' : 'warn'}` }

async function main() {
  await Promise.all([refreshNode(), refreshDetail(true)])
  subscribe('subscription { newBlocks { height } }', (d) => { noteHeight(d.newBlocks.height); renderChainState(); refreshNode(); refreshDetail() }, setLive)
  subscribe('subscription { certifiedEpochs { epoch } }', () => refreshDetail(true))
  subscribe('subscription { finalScores { id } }', () => refreshDetail())
  subscribe('subscription { poolOutcomes { id } }', () => refreshDetail(true))
  // The slow timer: the stalled badge and countdowns move even when no event arrives.
  setInterval(() => { renderChainState(); renderPools(); refreshNode(); refreshDetail() }, 2000)
}
main()
