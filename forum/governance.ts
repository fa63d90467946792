// Governance effects of posts: parameter changes and challenge lifecycle steps. Checked when posted (an
// out-of-bounds or out-of-envelope value is refused there) and again when a pool on the post passes.
// Parameter changes queue for the next epoch boundary; a parameter changes at most once per
// govCooldownEpochs epochs (one pending change at a time, then the cooldown from its activation).
import { AgoraError, errorMessage } from '../core/errors.ts'
import type { PostId } from '../core/ids.ts'
import { checkTransition, applyTransition } from '../registry/lifecycle.ts'
import { checkEnvelope } from './envelope.ts'
import { mergeParams, type ParamKey, type Params } from './params.ts'
import type { ForumState } from './state.ts'
import type { PostPayload } from './tx.ts'

/** Current parameters with the pending changes applied: what the next epoch will run with. */
export function nextEpochParams(s: ForumState): Params {
  const out = { ...s.params } as Record<string, unknown>
  for (const k of [...s.pendingParams.keys()].sort()) out[k] = s.pendingParams.get(k)!.value
  return out as unknown as Params
}

/** Refuse a parameter change that may not take effect at the next boundary (bounds, envelope, cooldown). */
export function checkParamChange(s: ForumState, changes: Readonly<Record<string, number | boolean>>): ParamKey[] {
  const keys = Object.keys(changes).sort() as ParamKey[]
  if (keys.length === 0) throw new AgoraError('BAD_PARAM', 'parameter change without changes')
  checkEnvelope(mergeParams(nextEpochParams(s), changes), keys)
  const busy = keys.filter((k) => s.pendingParams.has(k))
  if (busy.length) throw new AgoraError('RATE_LIMITED', `parameters already changing this epoch: ${busy.join(', ')}`)
  const cooling = keys.filter((k) => s.epoch + 1 < (s.paramChangedEpoch.get(k) ?? -Infinity) + s.params.govCooldownEpochs)
  if (cooling.length) throw new AgoraError('RATE_LIMITED', `parameters changed less than ${s.params.govCooldownEpochs} epochs ago: ${cooling.join(', ')}`)
  return keys
}

/** Refuse a payload that could never take effect (bad parameter, bad lifecycle step). */
export function checkPayload(s: ForumState, payload: PostPayload): void {
  if (payload.kind === 'params') {
    checkParamChange(s, payload.changes)
  } else {
    checkTransition(s.registry, payload.name, payload.to, s.params, payload.version)
  }
}

/** Apply the payload of a post whose pool passed. Returns a description, or 'rejected: …' (no change). */
export function applyPayload(s: ForumState, post: PostId, payload: PostPayload): string {
  try {
    if (payload.kind === 'params') {
      const keys = checkParamChange(s, payload.changes)
      for (const k of keys) s.pendingParams.set(k, { value: payload.changes[k]!, post })
      return `params queued for epoch ${s.epoch + 1}: ${keys.join(', ')}`
    }
    applyTransition(s.registry, payload.name, payload.to, s.slot, s.params, payload.version)
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
    const next = mergeParams(s.params, changes)
    checkEnvelope(next, Object.keys(changes))
    s.params = next
    for (const k of Object.keys(changes).sort() as ParamKey[]) s.paramChangedEpoch.set(k, s.epoch)
    return { applied: changes }
  } catch (e) {
    return { applied: {}, error: errorMessage(e) }
  }
}
