// Governance effects of posts: parameter changes and challenge lifecycle steps. Checked when posted (an
// out-of-bounds value is refused there) and applied only when a pool on the post passes. Parameter changes
// queue for the next epoch boundary; one pending change per parameter at a time (rate limit).
import { AgoraError, errorMessage } from '../core/errors.ts'
import type { PostId } from '../core/ids.ts'
import { checkTransition, applyTransition } from '../registry/lifecycle.ts'
import { mergeParams, type ParamKey, type Params } from './params.ts'
import type { ForumState } from './state.ts'
import type { PostPayload } from './tx.ts'

/** Current parameters with the pending changes applied: what the next epoch will run with. */
export function nextEpochParams(s: ForumState): Params {
  const out = { ...s.params } as Record<string, unknown>
  for (const k of [...s.pendingParams.keys()].sort()) out[k] = s.pendingParams.get(k)!.value
  return out as unknown as Params
}

/** Refuse a payload that could never take effect (bad parameter, bad lifecycle step). */
export function checkPayload(s: ForumState, payload: PostPayload): void {
  if (payload.kind === 'params') {
    const keys = Object.keys(payload.changes)
    if (keys.length === 0) throw new AgoraError('BAD_PARAM', 'parameter change without changes')
    mergeParams(nextEpochParams(s), payload.changes)
  } else {
    checkTransition(s.registry, payload.name, payload.to, payload.version)
  }
}

/** Apply the payload of a post whose pool passed. Returns a description, or 'rejected: …' (no change). */
export function applyPayload(s: ForumState, post: PostId, payload: PostPayload): string {
  try {
    if (payload.kind === 'params') {
      const keys = Object.keys(payload.changes).sort() as ParamKey[]
      const busy = keys.filter((k) => s.pendingParams.has(k))
      if (busy.length) throw new AgoraError('RATE_LIMITED', `parameters already changing this epoch: ${busy.join(', ')}`)
      mergeParams(nextEpochParams(s), payload.changes)
      for (const k of keys) s.pendingParams.set(k, { value: payload.changes[k]!, post })
      return `params queued for epoch ${s.epoch + 1}: ${keys.join(', ')}`
    }
    applyTransition(s.registry, payload.name, payload.to, s.slot, payload.version)
    return `challenge ${payload.name} → ${payload.to}`
  } catch (e) {
    return `rejected: ${errorMessage(e)}`
  }
}

/** At an epoch boundary: pending changes take effect together (re-checked as a whole; dropped if not). */
export function activatePendingParams(s: ForumState): { applied: Record<string, number | boolean>; error?: string } {
  if (s.pendingParams.size === 0) return { applied: {} }
  const changes: Record<string, number | boolean> = {}
  for (const k of [...s.pendingParams.keys()].sort()) changes[k] = s.pendingParams.get(k)!.value
  s.pendingParams.clear()
  try {
    s.params = mergeParams(s.params, changes)
    return { applied: changes }
  } catch (e) {
    return { applied: {}, error: errorMessage(e) }
  }
}
