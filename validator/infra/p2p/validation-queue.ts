// Validation turns for the transaction topics: one message per event-loop turn, classes served in
// priority order, so consensus messages (validated at once, outside the queue) and I/O never wait behind
// a burst. A class may also have a share of the node's time: what its validations took is charged to it,
// and past its share it waits, so a flood on one topic cannot take the CPU the node needs to decide blocks.
import type { Clock, Timer } from '../../../core/clock.ts'
import { assert } from '../../../core/errors.ts'

/** At most `ppm` millionths of wall time spent validating this class, saving up at most `burstMs`. */
export interface ValidationShare { readonly ppm: number; readonly burstMs: number }

/** A granted turn: call `done()` when the message's validation is over (its time is charged then). */
export interface ValidationTurn { done(): void }

/** What one class may hold waiting: messages and their bytes (the queue's memory bound). */
export interface QueueBound { readonly messages: number; readonly bytes: number }

export interface ValidationQueue {
  /** Wait for a turn in class `klass` (0 served first) for a message of `bytes`; undefined at once when its class is full. */
  turn(klass: number, bytes: number): Promise<ValidationTurn | undefined>
  /** Messages waiting, all classes. */
  readonly waiting: number
}

interface Class {
  readonly share?: ValidationShare
  readonly waiters: { readonly bytes: number; readonly grant: (t: ValidationTurn) => void }[]
  bytes: number
  /** Time left to spend (ms); below zero the class waits until its share has paid the debt back. */
  tokens: number
  at: number
}

/** `shares[k]`: class k's share of the node's time (none: unmetered); `max`: what each class may hold waiting. */
export function createValidationQueue(shares: readonly (ValidationShare | undefined)[], max: QueueBound, clock: Clock): ValidationQueue {
  for (const s of shares) if (s) assert(s.ppm > 0 && s.ppm <= 1_000_000 && s.burstMs > 0, 'a validation share is a positive part of the time')
  const classes: Class[] = shares.map((share) => ({ share, waiters: [], bytes: 0, tokens: share?.burstMs ?? 0, at: clock.now() }))
  let scheduled = false
  let timer: Timer | undefined

  const refill = (c: Class, now: number): void => {
    if (!c.share) return
    c.tokens = Math.min(c.share.burstMs, c.tokens + ((now - c.at) * c.share.ppm) / 1_000_000)
    c.at = now
  }
  const grant = (c: Class, now: number): ValidationTurn => {
    let charged = false
    return {
      done() {
        if (charged || !c.share) return
        charged = true
        refill(c, clock.now())
        c.tokens -= clock.now() - now
      },
    }
  }

  function next(): void {
    scheduled = false
    const now = clock.now()
    for (const c of classes) refill(c, now)
    const c = classes.find((x) => x.waiters.length > 0 && (!x.share || x.tokens > 0))
    if (c) {
      const w = c.waiters.shift()!
      c.bytes -= w.bytes
      w.grant(grant(c, now))
    }
    if (classes.some((x) => x.waiters.length > 0)) schedule()
  }
  function schedule(): void {
    if (scheduled) return
    const now = clock.now()
    for (const c of classes) refill(c, now)
    if (classes.some((x) => x.waiters.length > 0 && (!x.share || x.tokens > 0))) {
      // The next turn in a later loop iteration: I/O (consensus votes) is polled in between.
      scheduled = true
      setImmediate(next)
      return
    }
    if (timer) return
    // Every waiting class is over its share: wake when the first has paid its debt back.
    const waitMs = Math.min(...classes.filter((x) => x.waiters.length > 0).map((x) => (-x.tokens * 1_000_000) / x.share!.ppm))
    timer = clock.setTimer(Math.max(1, Math.ceil(waitMs)), () => { timer = undefined; next() })
  }

  return {
    get waiting() { return classes.reduce((n, c) => n + c.waiters.length, 0) },
    turn(klass, bytes) {
      const c = classes[Math.min(Math.max(0, klass), classes.length - 1)]!
      if (c.waiters.length >= max.messages || c.bytes + bytes > max.bytes) return Promise.resolve(undefined)
      c.bytes += bytes
      const p = new Promise<ValidationTurn>((grant) => { c.waiters.push({ bytes, grant }) })
      schedule()
      return p
    },
  }
}
