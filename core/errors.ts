// Typed errors: a stable `code` for callers (gossip Accept/Ignore/Reject, GraphQL error codes, metric
// labels) plus a human message with context.
export class AgoraError extends Error {
  constructor(readonly code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'AgoraError'
  }
}

export function isAgoraError(e: unknown, code?: string): e is AgoraError {
  return e instanceof AgoraError && (code === undefined || e.code === code)
}

/** Invariant check: for what must never happen (a bug), not for bad input. */
export function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(`assertion failed: ${message}`)
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}
