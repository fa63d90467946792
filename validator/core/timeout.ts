// Clock-based timeouts for core components: an AbortSignal that fires after `ms` of the node's Clock,
// so the simulator's manual clock drives every deadline (never AbortSignal.timeout or a raw timer).
import type { Clock } from '../../core/clock.ts'

export function timeoutSignal(clock: Clock, ms: number): AbortSignal {
  const ctl = new AbortController()
  clock.setTimer(ms, () => ctl.abort(new Error(`timed out after ${ms} ms`)))
  return ctl.signal
}

/** Resolves true once `cond()` holds, false after `ms`; polls every `stepMs` of the clock. */
export function waitUntil(clock: Clock, cond: () => boolean, ms: number, stepMs = 200): Promise<boolean> {
  const deadline = clock.now() + ms
  return new Promise((resolve) => {
    const poll = () => {
      if (cond()) return resolve(true)
      if (clock.now() >= deadline) return resolve(false)
      clock.setTimer(stepMs, poll)
    }
    poll()
  })
}
