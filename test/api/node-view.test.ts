import { describe, expect, it } from 'vitest'
import { dtoEpoch, paginate, perBlock, sortedKeyIndex, yumaOfEpoch } from '../../validator/core/node-view.ts'
import type { LedgerState } from '../../ledger/ledger.ts'

describe('node view helpers', () => {
  it('yuma per epoch: with every validator on the same row, incentive follows the weights and dividends the stake', () => {
    const y = JSON.parse(yumaOfEpoch({ uids: [0, 2], weights: [65535, 21845], miners: ['m0', 'm2'] }, [{ member: 'a', power: 100n }, { member: 'b', power: 300n }])!)
    expect(y.incentive.m0).toBeCloseTo(0.75, 3)
    expect(y.incentive.m2).toBeCloseTo(0.25, 3)
    expect(y.dividends.a).toBeCloseTo(0.25, 6)
    expect(y.dividends.b).toBeCloseTo(0.75, 6)
    expect(yumaOfEpoch({ uids: [], weights: [], miners: [] }, [{ member: 'a', power: 1n }])).toBeNull()
  })

  it('an epoch whose result the ledger pruned is served from the node\'s epoch record, not with empty uids', () => {
    const result = { epoch: 1, uids: [0, 2], weights: [65535, 21845], miners: ['m0', 'm1', 'm2'], weightsHash: 'h1' }
    const ledger = (kept: boolean) => ({ evals: { results: new Map(kept ? [[1, result]] : []) }, forum: { validators: [{ member: 'a', power: 1n }] } }) as unknown as LedgerState
    const rec = { epoch: 1, weightsHash: 'h1', result: { uids: [0, 2], miners: ['m0', 'm2'], weights: [65535, 21845] } }
    const live = dtoEpoch(ledger(true), { epoch: 1, weightsHash: 'h1' })
    const pruned = dtoEpoch(ledger(false), rec)
    expect(live).toMatchObject({ uids: [0, 2], miners: ['m0', 'm2'], weights: [65535, 21845] })
    expect(pruned).toEqual(live)
    expect(JSON.parse(pruned.yuma!).incentive.m2).toBeCloseTo(0.25, 3)
    expect(dtoEpoch(ledger(false), { epoch: 1 })).toMatchObject({ uids: [], miners: [], weights: [], yuma: null })
  })

  it('paginates by an opaque cursor until the end', () => {
    const items = Array.from({ length: 7 }, (_, i) => i)
    const p1 = paginate(items, { first: 3 })
    const p2 = paginate(items, { first: 3, after: p1.nextCursor })
    const p3 = paginate(items, { first: 3, after: p2.nextCursor })
    expect([...p1.items, ...p2.items, ...p3.items]).toEqual(items)
    expect(p3.nextCursor).toBeNull()
    expect(p1.total).toBe(7)
  })

  it('a per-block list is computed once per block and again when an input is replaced, not per read', () => {
    const ledger = { height: 1, lastBlockHash: 'h1' } as unknown as LedgerState & { height: number; lastBlockHash: string }
    let source = new Map([['a', 1]])
    let computed = 0
    const list = perBlock(ledger, () => [source], () => { computed++; return [...source.keys()] })
    expect(list()).toEqual(['a'])
    expect(list()).toBe(list())
    expect(computed).toBe(1)
    source.set('b', 2) // the ledger changes only by blocks: until the next one, the list stands
    expect(list()).toEqual(['a'])
    Object.assign(ledger, { height: 2, lastBlockHash: 'h2' })
    expect(list()).toEqual(['a', 'b'])
    source = new Map([['c', 3]]) // a replaced map (a restore) at the same height
    expect(list()).toEqual(['c'])
    expect(computed).toBe(3)
  })

  it('the sorted key index follows an append-only map across reads, and a replaced or shrunk one', () => {
    const seed = 20
    let x = seed
    const rnd = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    const index = sortedKeyIndex<string>()
    let map = new Map<string, number>()
    for (let round = 0; round < 50; round++) {
      if (round === 30) map.delete([...map.keys()][0]!) // shrunk (not append-only after all): sorted whole again
      else for (let i = 0, n = Math.floor(rnd() * 20); i < n; i++) map.set(`k${Math.floor(rnd() * 1e6)}`, round)
      if (round === 20) map = new Map([...map].reverse()) // replaced (a snapshot, a tracked copy)
      expect(index(map), `seed ${seed}, round ${round}`).toEqual([...map.keys()].sort())
    }
  })
})
