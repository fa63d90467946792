// The status view: table layout, colour and clipping, the TTY redraw protocol and plain periodic lines.
import { describe, expect, it } from 'vitest'
import { Writable } from 'node:stream'
import { createStatusView, describeEvent, renderPlainLine, renderStatus, renderTable, type NodeRow, type Table } from '../../tools/devnet/status-view.ts'

const rows: NodeRow[] = [
  { id: 'node-1', status: 'running', restarts: 0, height: 120, peers: 3, epoch: 12, lastCertifiedEpoch: 11, rep: '1000.5' },
  { id: 'node-2', status: 'restarting', restarts: 2, height: null, peers: null, epoch: null, lastCertifiedEpoch: null, rep: null },
]
const epochs: Table = { title: 'epochs', columns: ['epoch', 'weights on chain', 'incentive'], rows: [[11, '0xabc', '0.61,0.39']] }

class Capture extends Writable {
  text = ''
  constructor(readonly isTTY: boolean, readonly columns = 80) { super() }
  override _write(chunk: Buffer, _enc: string, cb: () => void) { this.text += chunk.toString(); cb() }
}

describe('status view rendering', () => {
  it('lays out aligned columns with - for unknown values', () => {
    expect(renderTable({ title: 't', columns: ['id', 'height'], rows: [['a', 5], ['bb', null]] })).toEqual(['t', 'id  height', 'a        5', 'bb       -'])
  })

  it('renders nodes then the caller-supplied sections, plain when colour is off', () => {
    const lines = renderStatus({ title: 'agora devnet', nodes: rows, sections: [epochs] })
    expect(lines[0]).toBe('agora devnet')
    expect(lines[2]).toBe('nodes')
    expect(lines[3]).toMatch(/^id\s+height\s+peers\s+epoch\s+REP\s+certified\s+restarts\s+status$/)
    expect(lines[4]).toMatch(/^node-1\s+120\s+3\s+12\s+1000\.5\s+11\s+0\s+running$/)
    expect(lines[5]).toMatch(/^node-2\s+-\s+-\s+-\s+-\s+-\s+2\s+restarting$/)
    expect(lines.slice(-3)).toEqual(['epochs', 'epoch  weights on chain  incentive', '11                0xabc  0.61,0.39'])
    expect(lines.join('\n')).not.toContain('\x1b')
  })

  it('colours statuses and clips long lines to the width without breaking escape codes', () => {
    const lines = renderStatus({ title: 'x', nodes: rows, sections: [] }, { color: true, width: 20 })
    expect(lines[3]).toMatch(/^\x1b\[2mid .*\x1b\[0m$/) // the dim header, cut inside its colour, is reset
    for (const l of lines) {
      expect(l.replace(/\x1b\[[0-9;]*m/g, '').length).toBeLessThanOrEqual(20)
      expect(l.replace(/\x1b\[[0-9;]*m/g, '')).not.toContain('\x1b') // no escape code cut in half
    }
    const coloured = renderStatus({ title: 'x', nodes: rows, sections: [] }, { color: true })
    expect(coloured[4]).toMatch(/\x1b\[32mrunning\x1b\[0m$/)
    expect(coloured[5]).toMatch(/\x1b\[33mrestarting\x1b\[0m$/)
  })

  it('the plain line names every node', () => {
    expect(renderPlainLine({ title: '', nodes: rows, sections: [] }, 12_400)).toBe(
      '[12s] node-1 running h=120 e=12 p=3 cert=11 rep=1000.5 r=0 | node-2 restarting h=- e=- p=- cert=- r=2')
  })

  it('describes restarts and kills for the log', () => {
    expect(describeEvent({ type: 'exited', id: 'node-2', reason: 'signal SIGKILL', willRestart: true })).toBe('node-2: exited (signal SIGKILL), restarting')
    expect(describeEvent({ type: 'killed-unresponsive', id: 'node-3', silentMs: 61_200, paused: true })).toBe('node-3: stopped by a signal for 61 s, killing it')
    expect(describeEvent({ type: 'up', id: 'node-1', peerId: null })).toBeNull()
  })
})

describe('live status view', () => {
  it('on a TTY: progress lines go above the table, which is redrawn in place', async () => {
    const out = new Capture(true)
    let height = 1
    const view = createStatusView({ out, color: false, intervalMs: 60_000, nodes: async () => [{ ...rows[0]!, height: height++ }], sections: async () => [epochs] })
    view.progress('generating keys…')
    view.start()
    await view.refresh()
    const firstDrawing = out.text.length
    view.progress('node 2/4 up')
    await view.refresh()
    await view.stop()
    const text = out.text
    expect(text.startsWith('generating keys…\n\x1b[?25l')).toBe(true)
    const lineCount = renderStatus({ title: '', nodes: rows.slice(0, 1), sections: [epochs] }).length
    // Every redraw first moves up over the previous drawing and clears it.
    const tail = text.slice(firstDrawing)
    expect(tail.startsWith(`\x1b[${lineCount}F\x1b[0Jnode 2/4 up\n`)).toBe(true)
    expect(tail.split(`\x1b[${lineCount}F\x1b[0J`)).toHaveLength(3)
    expect(text.endsWith('\x1b[?25h')).toBe(true)
    // start() and the first refresh() share one draw, the progress line reuses it: the last shows height 2
    expect(text).toMatch(/node-1\s+2\s+3\s+12[^\n]*\n[^]*$/)
    expect(text.match(/node-1\s+2\s/g)).toHaveLength(1)
  })

  it('without a TTY: plain lines, and each section printed once until it changes', async () => {
    const out = new Capture(false)
    let epochRows: Table['rows'] = [[1, '0x01', '0.5']]
    const view = createStatusView({ out, plainIntervalMs: 60_000, nodes: async () => rows, sections: async () => [{ ...epochs, rows: epochRows }] })
    view.progress('starting chain…')
    view.start()
    await view.refresh()
    await view.refresh()
    epochRows = [[1, '0x01', '0.5'], [2, '0x02', '0.6']]
    await view.refresh()
    await view.stop()
    const lines = out.text.split('\n').filter(Boolean)
    expect(out.text).not.toContain('\x1b')
    expect(lines[0]).toBe('starting chain…')
    expect(lines.filter((l) => l.startsWith('['))).toHaveLength(3)
    expect(lines.filter((l) => l === 'epochs')).toHaveLength(2)
  })
})
