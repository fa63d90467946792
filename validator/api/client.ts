// A tiny client for the node API: sign a transaction body with an ed25519 seed (the member key), and send
// GraphQL requests over plain fetch. Used by the CLI, tests and benchmarks; no server code imported.
import { encode } from '../../core/encoding.ts'
import { toHex } from '../../core/bytes.ts'
import { Domain, ed25519PublicKey, signEd25519 } from '../../core/crypto/sign.ts'
import { AgoraError } from '../../core/errors.ts'
import { memberIdOf } from './member-id.ts'
import type { SignedTxInput } from './view.ts'

export interface TxBodyBase { readonly type: string; readonly sender: string; readonly nonce: number; readonly [k: string]: unknown }

/** The member id (peer id string) that signs with this ed25519 seed; put it in `sender`. */
export const memberIdOfSeed = (ed25519Seed: Uint8Array): string => memberIdOf(ed25519PublicKey(ed25519Seed))

/** Canonical CBOR body + ed25519 signature in Domain.transaction, ready for a mutation's `tx` argument. */
export function signTransaction(ed25519Seed: Uint8Array, body: TxBodyBase): SignedTxInput {
  if (typeof body.type !== 'string' || typeof body.sender !== 'string' || !Number.isSafeInteger(body.nonce)) {
    throw new AgoraError('BAD_TX', 'a transaction body needs type, sender and an integer nonce')
  }
  const bytes = encode(body)
  return {
    body: Buffer.from(bytes).toString('base64'),
    publicKey: '0x' + toHex(ed25519PublicKey(ed25519Seed)),
    signature: '0x' + toHex(signEd25519(ed25519Seed, Domain.transaction, body)),
  }
}

/** A fresh nonce: microseconds since the epoch, unique enough for one person's commands. */
let lastNonce = 0
export function freshNonce(now = Date.now()): number {
  lastNonce = Math.max(lastNonce + 1, now * 1000)
  return lastNonce
}

export interface GraphqlError { message: string; extensions?: { code?: string; [k: string]: unknown } }
export interface GraphqlResponse<T> { data?: T | null; errors?: GraphqlError[] }

/** POST a GraphQL request; returns the parsed body (data and/or errors) whatever the HTTP status. */
export async function graphqlRequest<T = Record<string, unknown>>(
  url: string, query: string, variables: Record<string, unknown> = {},
  opts: { token?: string; timeoutMs?: number } = {},
): Promise<GraphqlResponse<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' }
  if (opts.token) headers.authorization = `Bearer ${opts.token}`
  let res: Response
  try {
    res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }), signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000) })
  } catch (e) {
    throw new AgoraError('NODE_UNREACHABLE', `cannot reach node API at ${url}: ${(e as Error).cause ? String((e as Error & { cause: Error }).cause.message ?? (e as Error).cause) : (e as Error).message}`)
  }
  const text = await res.text()
  try {
    return JSON.parse(text) as GraphqlResponse<T>
  } catch {
    throw new AgoraError('BAD_RESPONSE', `node API at ${url} answered HTTP ${res.status} with non-JSON: ${text.slice(0, 200)}`)
  }
}

/** Like graphqlRequest, but the first error becomes an AgoraError carrying its extensions.code. */
export async function graphqlData<T = Record<string, unknown>>(url: string, query: string, variables: Record<string, unknown> = {}, opts: { token?: string } = {}): Promise<T> {
  const r = await graphqlRequest<T>(url, query, variables, opts)
  const e = r.errors?.[0]
  if (e) throw new AgoraError(e.extensions?.code ?? 'GRAPHQL_ERROR', `${e.extensions?.code ?? 'error'}: ${e.message}`)
  if (!r.data) throw new AgoraError('BAD_RESPONSE', 'node API returned no data')
  return r.data
}
