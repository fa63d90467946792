// The devnet status view's `stalled`: a node whose height has not moved for longer than the threshold is
// shown as `stalled at <height> for <s> s`, in red, and in the plain line; moving again clears it.
import { describe, expect, it } from 'vitest'
import { createStallTracker, renderPlainLine, renderStatus, statusLabel, type NodeRow } from '../../tools/devnet/status-view.ts'

describe('stalled nodes in the status view', () => {
  it('reports a height that has not moved past the threshold, and clears when it moves', () => {
    let t = 0
    const s = createStallTracker(10_000, () => t)
    expect(s.observe('node-1', 5)).toBeNull()
    t = 9_000
    expect(s.observe('node-1', 5)).toBeNull()
    t = 12_000
    expect(s.observe('node-1', 5)).toBe(12_000)
    expect(s.observe('node-2', 5)).toBeNull() // per node
    t = 13_000
    expect(s.observe('node-1', 6)).toBeNull()
    t = 20_000
    expect(s.observe('node-1', 6)).toBeNull()
  })

  it('labels and colours a stalled node with its last height and for how long', () => {
    const row: NodeRow = { id: 'node-3', status: 'running', restarts: 0, height: 41, peers: 3, epoch: 4, lastCertifiedEpoch: 3, rep: '1000', stalledForMs: 23_400 }
    expect(statusLabel(row)).toBe('stalled at 41 for 23 s')
    expect(statusLabel({ ...row, stalledForMs: null })).toBe('running')
    const plain = renderStatus({ title: 'x', nodes: [row], sections: [] })
    expect(plain[4]).toMatch(/stalled at 41 for 23 s$/)
    const coloured = renderStatus({ title: 'x', nodes: [row], sections: [] }, { color: true })
    expect(coloured[4]).toContain('\x1b[31mstalled at 41 for 23 s\x1b[0m')
    expect(renderPlainLine({ title: 'x', nodes: [row], sections: [] }, 1000)).toContain('node-3 stalled(23s) h=41')
  })
})
