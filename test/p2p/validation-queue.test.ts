// The validation queue of the transaction topics: classes in priority order, FIFO within one, a bound per
// class (a flood of posts never makes an evaluation `busy`), and a class's share of the node's time: what
// its validations took is charged to it, and past its share it waits while unmetered classes go on.
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../core/clock.ts'
import { createValidationQueue, type ValidationTurn } from '../../validator/infra/p2p/validation-queue.ts'

const immediate = () => new Promise<void>((r) => setImmediate(r))

describe('validation queue', () => {
  it('serves classes in priority order, FIFO within one; the bound is per class', async () => {
    const q = createValidationQueue([undefined, undefined, undefined], { messages: 2, bytes: 1 << 20 }, new ManualClock(0))
    const order: string[] = []
    const ask = (k: number, name: string) => q.turn(k, 100).then((t) => { order.push(t ? name : `${name}:busy`); t?.done() })
    const all = [ask(2, 'f1'), ask(2, 'f2'), ask(2, 'f3'), ask(1, 's1'), ask(0, 'e1'), ask(0, 'e2')]
    await Promise.all(all)
    // f3 found two forum messages waiting; the evaluations behind the full forum class were not refused.
    expect(order).toEqual(['f3:busy', 'e1', 'e2', 's1', 'f1', 'f2'])
  })

  it('a class is also full by the bytes it holds waiting', async () => {
    const q = createValidationQueue([undefined], { messages: 100, bytes: 1_000 }, new ManualClock(0))
    const got = await Promise.all([q.turn(0, 600), q.turn(0, 500), q.turn(0, 400)])
    expect(got.map((t) => t !== undefined)).toEqual([true, false, true])
  })

  it('a class past its share of the time waits; an unmetered class is served meanwhile', async () => {
    const clock = new ManualClock(0)
    // Class 1 may spend 10 % of the time, 20 ms saved up; each of its validations takes 10 ms.
    const q = createValidationQueue([undefined, { ppm: 100_000, burstMs: 20 }], { messages: 100, bytes: 1 << 20 }, clock)
    const granted: number[] = []
    const pending = Array.from({ length: 12 }, () => q.turn(1, 100).then((t) => {
      granted.push(clock.now())
      clock.advance(10)
      t!.done()
    }))
    const urgent: number[] = []
    let askedAt = -1
    while (clock.now() < 1_500 && granted.length < 12) {
      if (askedAt < 0 && clock.now() >= 300) {
        askedAt = clock.now()
        void q.turn(0, 100).then((t: ValidationTurn | undefined) => { urgent.push(clock.now()); t!.done() })
      }
      await immediate()
      clock.advance(1)
    }
    await Promise.all(pending)
    // 120 ms of work at 10 % after a 20 ms allowance: ~1 s in all, never ahead of the share.
    for (const [i, t] of granted.entries()) expect(10 * i, `validation ${i} started at ${t} ms`).toBeLessThanOrEqual(20 + t / 10 + 1)
    expect(granted.at(-1)!).toBeGreaterThanOrEqual(900)
    // Asked while the metered class was waiting for its share: served in the next loop turn.
    expect(urgent).toHaveLength(1)
    expect(urgent[0]! - askedAt).toBeLessThanOrEqual(1)
  })
})
