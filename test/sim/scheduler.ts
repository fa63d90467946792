// The simulator's event queue and clock: events run in (time, insertion) order, so a seed replays
// exactly. Each node gets a `Clock` whose timers are events in this queue.
import type { Clock, Timer } from '../../core/clock.ts'

interface Entry { time: number; seq: number; run: () => void | Promise<void>; live: boolean }

export class Scheduler {
  now = 0
  private seq = 0
  private heap: Entry[] = []

  get size(): number { return this.heap.length }

  at(time: number, run: () => void | Promise<void>): Timer {
    const e: Entry = { time: Math.max(time, this.now), seq: this.seq++, run, live: true }
    this.push(e)
    return { cancel: () => { e.live = false } }
  }

  after(ms: number, run: () => void | Promise<void>): Timer { return this.at(this.now + ms, run) }

  /** Pop and run the next live event; false when none is left. */
  async step(): Promise<boolean> {
    for (;;) {
      const e = this.pop()
      if (!e) return false
      if (!e.live) continue
      this.now = e.time
      await e.run()
      return true
    }
  }

  /** A node's clock: its timer callbacks run as events, then `settle` lets the node finish its work. */
  clock(settle: () => Promise<void>): Clock {
    return {
      now: () => this.now,
      setTimer: (ms, fn) => this.after(ms, async () => { fn(); await settle() }),
    }
  }

  private less(a: Entry, b: Entry): boolean { return a.time < b.time || (a.time === b.time && a.seq < b.seq) }

  private push(e: Entry): void {
    const h = this.heap
    h.push(e)
    let i = h.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!this.less(h[i]!, h[p]!)) break
      ;[h[i], h[p]] = [h[p]!, h[i]!]
      i = p
    }
  }

  private pop(): Entry | undefined {
    const h = this.heap
    if (h.length === 0) return undefined
    const top = h[0]!
    const last = h.pop()!
    if (h.length > 0) {
      h[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1, r = l + 1
        let m = i
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r
        if (m === i) break
        ;[h[i], h[m]] = [h[m]!, h[i]!]
        i = m
      }
    }
    return top
  }
}
