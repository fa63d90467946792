import { describe, expect, it } from 'vitest'
import { paginate, yumaOfEpoch } from '../../validator/core/node-view.ts'

describe('node view helpers', () => {
  it('yuma per epoch: with every validator on the same row, incentive follows the weights and dividends the stake', () => {
    const y = JSON.parse(yumaOfEpoch({ uids: [0, 2], weights: [65535, 21845], miners: ['m0', 'm1', 'm2'] }, [{ member: 'a', power: 100n }, { member: 'b', power: 300n }])!)
    expect(y.incentive.m0).toBeCloseTo(0.75, 3)
    expect(y.incentive.m2).toBeCloseTo(0.25, 3)
    expect(y.dividends.a).toBeCloseTo(0.25, 6)
    expect(y.dividends.b).toBeCloseTo(0.75, 6)
    expect(yumaOfEpoch({ uids: [], weights: [], miners: [] }, [{ member: 'a', power: 1n }])).toBeNull()
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
})
