// Time as a dependency: the node reads a Clock, tests and the simulator drive a ManualClock.
export interface Timer { cancel(): void }

export interface Clock {
  /** Milliseconds since the Unix epoch. Never used by replicated state, only by schedulers. */
  now(): number
  setTimer(ms: number, fn: () => void): Timer
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, ms)
    return { cancel: () => clearTimeout(t) }
  },
}

/** A clock that moves only when told: timers fire in (due time, creation order), deterministically. */
export class ManualClock implements Clock {
  private seq = 0
  private timers: { due: number; seq: number; fn: () => void; live: boolean }[] = []
  constructor(private t = 0) {}

  now(): number { return this.t }

  setTimer(ms: number, fn: () => void): Timer {
    const entry = { due: this.t + Math.max(0, ms), seq: this.seq++, fn, live: true }
    this.timers.push(entry)
    return { cancel: () => { entry.live = false } }
  }

  /** Advance to `now + ms`, firing due timers in order (timers set while firing are honoured). */
  advance(ms: number): void {
    const target = this.t + ms
    for (;;) {
      const next = this.nextDue()
      if (!next || next.due > target) break
      this.t = next.due
      next.live = false
      next.fn()
    }
    this.t = target
    this.timers = this.timers.filter((x) => x.live)
  }

  private nextDue() {
    let best: (typeof this.timers)[number] | undefined
    for (const x of this.timers) {
      if (x.live && (!best || x.due < best.due || (x.due === best.due && x.seq < best.seq))) best = x
    }
    return best
  }
}
