// Turns what ethers throws for a failed call or transaction into an AgoraError that names the
// contract's custom error and its arguments ("StaleEpoch(epoch=3, lastEpoch=5)"), so an operator can
// read a revert without a block explorer, and tells transient failures (worth a retry) from final ones.
import { isError, type Interface } from 'ethers'
import { AgoraError } from '../core/errors.ts'

export class ChainRevertError extends AgoraError {
  constructor(readonly errorName: string, readonly args: Readonly<Record<string, unknown>>, message: string, options?: { cause?: unknown }) {
    super('CHAIN_REVERT', message, options)
    this.name = 'ChainRevertError'
  }
}

/** Find revert data in the shapes ethers (and the JSON-RPC nodes under it) report it. */
function revertData(e: unknown): string | null {
  const seen = new Set<unknown>()
  const walk = (x: unknown, depth: number): string | null => {
    if (x === null || typeof x !== 'object' || seen.has(x) || depth > 6) return null
    seen.add(x)
    const o = x as Record<string, unknown>
    if (typeof o['data'] === 'string' && /^0x[0-9a-fA-F]{8,}$/.test(o['data'])) return o['data']
    for (const k of ['data', 'error', 'info', 'cause', 'payload']) {
      const found = walk(o[k], depth + 1)
      if (found) return found
    }
    return null
  }
  return walk(e, 0)
}

function formatArgs(names: readonly string[], values: readonly unknown[]): Record<string, unknown> {
  return Object.fromEntries(values.map((v, i) => [names[i] || `arg${i}`, v]))
}

/** A decoded ChainRevertError if `e` carries revert data of `iface`, else null. */
export function decodeRevert(iface: Interface, e: unknown, what: string): ChainRevertError | null {
  const data = revertData(e)
  if (!data) return null
  const parsed = iface.parseError(data)
  if (!parsed) return new ChainRevertError('unknown', { data }, `${what} reverted with unknown data ${data.slice(0, 74)}`, { cause: e })
  const names = parsed.fragment.inputs.map((p) => p.name)
  const args = formatArgs(names, [...parsed.args])
  const shown = Object.entries(args).map(([k, v]) => `${k}=${String(v)}`).join(', ')
  const label = parsed.name === 'Error' ? `"${String(parsed.args[0])}"` : `${parsed.name}(${shown})`
  return new ChainRevertError(parsed.name, args, `${what} reverted: ${label}`, { cause: e })
}

/** Errors a retry can cure: the node was unreachable or slow, or the nonce raced another sender. */
export function isTransient(e: unknown): boolean {
  if (e instanceof ChainRevertError) return false
  if (isError(e, 'NETWORK_ERROR') || isError(e, 'TIMEOUT') || isError(e, 'SERVER_ERROR')) return true
  if (isError(e, 'NONCE_EXPIRED') || isError(e, 'REPLACEMENT_UNDERPRICED')) return true
  const msg = e instanceof Error ? e.message.toLowerCase() : ''
  return /nonce too low|nonce has already been used|econnrefused|econnreset|socket hang up|timeout/.test(msg)
}
