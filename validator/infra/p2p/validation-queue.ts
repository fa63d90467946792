// Validation turns for the transaction topics: a message there is checked one per event-loop turn, best
// class first, so a burst of posts never holds up the consensus and parsig messages that are checked at
// once (the socket is read between two turns). Bounded: past `max` waiting, a message gets no turn.

export interface ValidationQueue {
  /** Resolves when it is this message's turn (true), or at once with false when `max` are waiting. */
  turn(priority: number): Promise<boolean>
  readonly waiting: number
}

/** `priorities` classes, 0 served first; FIFO within a class. */
export function createValidationQueue(priorities: number, max: number): ValidationQueue {
  const queues: (() => void)[][] = Array.from({ length: priorities }, () => [])
  let waiting = 0
  let scheduled = false

  function next(): void {
    scheduled = false
    const q = queues.find((x) => x.length > 0)
    if (!q) return
    waiting--
    q.shift()!()
    // The next turn in a later loop iteration: I/O (consensus votes) is polled in between.
    if (waiting > 0) schedule()
  }
  function schedule(): void {
    if (scheduled) return
    scheduled = true
    setImmediate(next)
  }

  return {
    get waiting() { return waiting },
    turn(priority) {
      if (waiting >= max) return Promise.resolve(false)
      waiting++
      const p = new Promise<boolean>((resolve) => { queues[Math.min(Math.max(0, priority), priorities - 1)]!.push(() => resolve(true)) })
      schedule()
      return p
    },
  }
}
