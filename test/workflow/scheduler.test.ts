import { describe, expect, it } from 'vitest'
import { Schedule, startSlotTicker } from '../../validator/core/scheduler.ts'
import { ManualClock } from '../../core/clock.ts'

describe('Schedule', () => {
  it('maps time to slots and epochs, and honours a slot-length change at an epoch boundary', () => {
    const s = new Schedule(1000, 100, 10)
    expect(s.slotAt(999)).toBe(0)
    expect(s.slotAt(1000 + 100 * 25 + 5)).toBe(25)
    expect(s.info(25)).toMatchObject({ epoch: 2, firstOfEpoch: false, slotStartMs: 3500 })
    expect(s.info(30).firstOfEpoch).toBe(true)
    s.changeFromEpoch(3, 50, 4) // from slot 30 (t = 4000): 50 ms slots, 4-slot epochs
    expect(s.info(30)).toMatchObject({ epoch: 3, slotStartMs: 4000, firstOfEpoch: true })
    expect(s.slotAt(4000 + 50 * 5)).toBe(35)
    expect(s.info(34)).toMatchObject({ epoch: 4, firstOfEpoch: true })
    expect(s.firstSlotOfEpoch(5)).toBe(38)
    expect(s.firstSlotOfEpoch(2)).toBe(20)
  })

  it('the ticker emits every slot once, in order', () => {
    const clock = new ManualClock(0)
    const seen: number[] = []
    const t = startSlotTicker(new Schedule(0, 100, 10), clock, (i) => seen.push(i.slot))
    clock.advance(1000)
    t.stop()
    clock.advance(1000)
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
  })
})
