// The doppelgänger guard: a fresh signer store watches for `guardSlots` slots and signs nothing before;
// a message signed by its own keys during the watch makes it refuse for good; a node with history is not
// guarded; messages by others never trip it. Checked over seeded random schedules.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { createDoppelgangerGuard } from '../../validator/core/doppelganger.ts'

describe('doppelgänger guard', () => {
  it('a node with history signs at once', () => {
    const g = createDoppelgangerGuard({ self: 'me', freshSignerStore: false, startSlot: 10, guardSlots: 6 })
    expect(g.canSign()).toBe(true)
  })

  it('its own history (commits in blocks from before it started, met while syncing) does not trip it', () => {
    const g = createDoppelgangerGuard({ self: 'me', freshSignerStore: true, startSlot: 100, guardSlots: 6 })
    for (let slot = 40; slot < 100; slot++) g.observe('me', slot)
    g.onSlot(106)
    expect(g.state).toBe('clear')
  })

  it('slots in which it cannot see the network yet (starting up, syncing) are not watched', () => {
    const g = createDoppelgangerGuard({ self: 'me', freshSignerStore: true, startSlot: 100, guardSlots: 6 })
    for (let slot = 100; slot < 120; slot++) g.onSlot(slot, false)
    expect(g.canSign()).toBe(false)
    for (let slot = 120; slot < 126; slot++) g.onSlot(slot)
    expect(g.canSign()).toBe(false)
    expect(g.clearSlot).toBe(126)
    g.onSlot(126)
    expect(g.state).toBe('clear')
  })

  it('over random schedules: no signing before the guard ends; own messages during it forbid signing for good', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 20 }),
      fc.array(fc.record({ slot: fc.integer({ min: 0, max: 40 }), own: fc.boolean() }), { maxLength: 30 }),
      (start, guardSlots, seen) => {
        const g = createDoppelgangerGuard({ self: 'me', freshSignerStore: true, startSlot: start, guardSlots })
        const events = seen.map((e) => ({ ...e, slot: start + e.slot })).sort((a, b) => a.slot - b.slot)
        let twinSeen = false
        for (let slot = start, i = 0; slot <= start + 45; slot++) {
          g.onSlot(slot)
          for (; i < events.length && events[i]!.slot === slot; i++) {
            g.observe(events[i]!.own ? 'me' : 'other', slot)
            if (events[i]!.own && slot < start + guardSlots) twinSeen = true
          }
          const expected = !twinSeen && slot >= start + guardSlots
          if (g.canSign() !== expected) return false
        }
        return g.state === (twinSeen ? 'doppelganger' : 'clear')
      },
    ), { seed: 17, numRuns: 300 })
  })
})
