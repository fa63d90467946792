// Hand-drawn SVG charts (no chart library): a heatmap, horizontal bars, a sparkline and a citation graph.
// Each returns an SVG element sized by its viewBox so it scales to the container (phone width included).
const NS = 'http://www.w3.org/2000/svg'

export function el(name, attrs = {}, children = []) {
  const e = document.createElementNS(NS, name)
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v))
  for (const c of children) e.append(c)
  return e
}
const text = (x, y, s, attrs = {}) => { const t = el('text', { x, y, ...attrs }); t.textContent = s; return t }
const title = (s) => { const t = el('title'); t.textContent = s; return t }

/** rows × cols of values in [0, 1]; labels on both axes; a cell's title says its exact value. */
export function heatmap({ rows, cols, value, label }) {
  const cw = 34, ch = 18, left = 92, top = 18
  const svg = el('svg', { viewBox: `0 0 ${left + cols.length * cw + 4} ${top + rows.length * ch + 4}`, class: 'chart heatmap', role: 'img' })
  cols.forEach((c, j) => svg.append(text(left + j * cw + cw / 2, 12, c, { 'text-anchor': 'middle', class: 'axis' })))
  rows.forEach((r, i) => {
    svg.append(text(left - 4, top + i * ch + 13, r, { 'text-anchor': 'end', class: 'axis' }))
    cols.forEach((c, j) => {
      const v = value(i, j)
      const fill = v === null ? 'var(--empty)' : `hsl(200 80% ${92 - Math.round(v * 62)}%)`
      svg.append(el('rect', { x: left + j * cw + 1, y: top + i * ch + 1, width: cw - 2, height: ch - 2, rx: 2, fill, 'data-value': v ?? '' }, [title(label(i, j))]))
    })
  })
  return svg
}

/** One bar per item, scaled to the largest value. */
export function bars(items, { format = String } = {}) {
  const h = 18, left = 92, width = 300
  const max = Math.max(1e-12, ...items.map((i) => i.value))
  const svg = el('svg', { viewBox: `0 0 ${left + width + 70} ${items.length * h + 4}`, class: 'chart bars', role: 'img' })
  items.forEach((it, i) => {
    svg.append(text(left - 4, i * h + 13, it.label, { 'text-anchor': 'end', class: 'axis' }))
    svg.append(el('rect', { x: left, y: i * h + 3, width: Math.max(1, (it.value / max) * width), height: h - 6, rx: 2, class: it.cls ?? 'bar' }, [title(`${it.label}: ${format(it.value)}`)]))
    svg.append(text(left + (it.value / max) * width + 4, i * h + 13, format(it.value), { class: 'axis' }))
  })
  return svg
}

/** A line over the last values (e.g. block intervals). */
export function sparkline(values, { width = 200, height = 36 } = {}) {
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart spark', role: 'img' })
  if (values.length < 2) return svg
  const max = Math.max(...values), min = Math.min(...values), span = max - min || 1
  const pts = values.map((v, i) => `${(i / (values.length - 1)) * width},${height - 2 - ((v - min) / span) * (height - 4)}`)
  svg.append(el('polyline', { points: pts.join(' '), class: 'line' }))
  return svg
}

/**
 * Posts as circles in creation order (x) over a few lanes (y), area ∝ value; citations as arcs from the
 * citing post to the cited one, green when positive, red when negative, thickness ∝ |weight|.
 */
export function citationGraph(posts) {
  const lanes = 4, dx = 54, dy = 40, r0 = 5
  const order = [...posts].sort((a, b) => a.createdSlot - b.createdSlot || (a.id < b.id ? -1 : 1))
  const pos = new Map(order.map((p, i) => [p.id, { x: 20 + i * dx, y: 20 + (i % lanes) * dy }]))
  const maxValue = Math.max(1e-9, ...order.map((p) => Number(p.value)))
  const svg = el('svg', { viewBox: `0 0 ${Math.max(400, 40 + (order.length - 1) * dx)} ${40 + (lanes - 1) * dy}`, class: 'chart graph', role: 'img' })
  for (const p of order) for (const c of p.citations) {
    const a = pos.get(p.id), b = pos.get(c.post)
    if (!a || !b) continue
    const mx = (a.x + b.x) / 2, my = Math.min(a.y, b.y) - 18
    svg.append(el('path', {
      d: `M${a.x},${a.y} Q${mx},${my} ${b.x},${b.y}`, class: c.weightPpm < 0 ? 'edge neg' : 'edge pos',
      'stroke-width': 0.6 + (Math.abs(c.weightPpm) / 1e6) * 3,
    }, [title(`${short(p.id)} cites ${short(c.post)} at ${(c.weightPpm / 1e4).toFixed(1)}%`)]))
  }
  for (const p of order) {
    const { x, y } = pos.get(p.id)
    svg.append(el('circle', { cx: x, cy: y, r: r0 + Math.sqrt(Number(p.value) / maxValue) * 9, class: 'node' }, [title(`${short(p.id)}: ${p.value} REP`)]))
  }
  return svg
}

export const short = (s) => (s && s.length > 14 ? `${s.slice(0, 6)}…${s.slice(-4)}` : s ?? '')
