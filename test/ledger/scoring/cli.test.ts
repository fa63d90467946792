// `agora yuma` in process (test/cli/keys.test.ts covers the real bin/agora.js).
import { describe, expect, it } from 'vitest'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { agoraInProcess } from '../../helpers/cli.ts'

function inputFile(value: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'agora-yuma-')), 'input.json')
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value))
  return file
}

describe('agora yuma', () => {
  it('prints one JSON line per epoch with the contract fields', async () => {
    const file = inputFile({
      params: { kappa: 32767, bondsMovingAverage: 900000, bondsPenalty: 65535, yuma3: true, liquidAlpha: { low: 0.7, high: 0.9, steepness: 1000 } },
      stake: [3, '2', 0, 0], validators: [0, 1],
      epochs: [{ weights: [[0, 0, 1, 1], [0, 0, 3, 1]], active: [0, 1, 2, 3] }, { weights: [[0, 0, 1, 1], [0, 0, 3, 1]], active: [0, 2, 3] }],
      emission: '1000000000',
    })
    const r = await agoraInProcess(['yuma', file])
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l))
    expect(lines.length).toBe(2)
    for (const e of lines) {
      for (const k of ['consensus', 'incentive', 'dividends', 'emission']) expect(e[k]).toHaveLength(4)
      expect(e.bonds).toHaveLength(2)
      expect(e.bonds[0]).toHaveLength(4)
      for (const b of e.bonds.flat()) expect(Number.isInteger(b) && b >= 0 && b <= 65535).toBe(true)
      expect(e.emission.every((x: unknown) => typeof x === 'string')).toBe(true)
    }
    expect(lines[0].consensus).toEqual([0, 0, 0.5, 0.5])
    expect(lines[0].incentive[2]).toBeCloseTo(5 / 9, 8)
    expect(lines[1].dividends[1]).toBe(0) // validator 1 inactive in the second epoch (Yuma 3)
    expect(lines[0].liquidAlphaApplied).toBe(true)
  })

  it('bad input is one clear error line and exit 1', async () => {
    const r = await agoraInProcess(['yuma', inputFile({ params: { kappa: 70000 }, stake: [1], validators: [0], epochs: [{ weights: [[0]], active: [0] }], emission: '1' })])
    expect(r.status).toBe(1)
    expect(r.stderr.trim()).toMatch(/^error: yuma input params\.kappa: /)
    const shape = await agoraInProcess(['yuma', inputFile({ params: {}, stake: [1, 1], validators: [0], epochs: [{ weights: [[0, 1, 1]], active: [0] }], emission: '1' })])
    expect(shape.stderr.trim()).toBe('error: epoch 0: weights[0]: 3 entries, want one per uid (2)')
    const notJson = await agoraInProcess(['yuma', inputFile('{nope')])
    expect(notJson.status).toBe(1)
    expect(notJson.stderr).toMatch(/^error: cannot read /)
  })
})
