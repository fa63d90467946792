// Checks a client-signed transaction's shape before it reaches the node: base64 canonical CBOR, key and
// signature lengths, body.type matching the mutation, the body's schema, and `sender` being the peer id of
// the signing key. The signature itself is checked by the node (validator/core/actions.ts), after its cheap
// mempool refusals and once, cached for gossip and block validation. Refusals are typed GraphQL errors.
import { decode, encode } from '../../core/encoding.ts'
import { equalBytes, fromHex } from '../../core/bytes.ts'
import { apiError } from './errors.ts'
import { memberIdOf } from './member-id.ts'
import { TX_BODY_BY_MUTATION, TX_TYPE_BY_MUTATION, type TxMutation } from './tx-bodies.ts'
import type { SignedTxInput } from './view.ts'

const B64_RE = /^[A-Za-z0-9+/]*={0,2}$/
const HEX_RE = (bytes: number) => new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`)

export function decodeBase64(s: string, what: string): Uint8Array {
  if (s.length % 4 !== 0 || !B64_RE.test(s)) throw apiError('MALFORMED', `${what} is not valid base64`)
  return new Uint8Array(Buffer.from(s, 'base64'))
}

export interface CheckedTx { readonly body: Record<string, unknown>; readonly bodyBytes: Uint8Array; readonly publicKey: Uint8Array }

export function checkSignedTx(tx: SignedTxInput, mutation: TxMutation, maxBodyBytes: number): CheckedTx {
  if (!HEX_RE(32).test(tx.publicKey)) throw apiError('MALFORMED', 'publicKey must be 0x-hex of 32 bytes')
  if (!HEX_RE(64).test(tx.signature)) throw apiError('MALFORMED', 'signature must be 0x-hex of 64 bytes')
  if (tx.body.length > Math.ceil(maxBodyBytes / 3) * 4) throw apiError('PAYLOAD_TOO_LARGE', `transaction body over ${maxBodyBytes} bytes`)
  const bodyBytes = decodeBase64(tx.body, 'body')
  let body: unknown
  try {
    body = decode(bodyBytes)
  } catch (e) {
    throw apiError('MALFORMED', `body is not CBOR: ${(e as Error).message}`)
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body) || body instanceof Uint8Array) {
    throw apiError('MALFORMED', 'body must be a CBOR map')
  }
  // Non-canonical bytes would let one signed body travel under several encodings (and tx ids).
  let canonical: Uint8Array
  try {
    canonical = encode(body)
  } catch (e) {
    throw apiError('MALFORMED', `body is not canonical: ${(e as Error).message}`)
  }
  if (!equalBytes(canonical, bodyBytes)) throw apiError('MALFORMED', 'body is not canonical DAG-CBOR')
  const publicKey = fromHex(tx.publicKey)
  const record = body as Record<string, unknown>
  const want = TX_TYPE_BY_MUTATION[mutation]
  if (record.type !== want) {
    throw apiError('WRONG_TX_TYPE', `mutation ${mutation} takes a ${want} transaction, got ${JSON.stringify(record.type ?? null)}`)
  }
  const parsed = TX_BODY_BY_MUTATION[mutation].safeParse(record)
  if (!parsed.success) {
    throw apiError('MALFORMED', `invalid ${want} body: ${parsed.error.issues.map((i) => `${i.path.join('.') || '$'}: ${i.message}`).join('; ')}`)
  }
  if (record.sender !== memberIdOf(publicKey)) {
    throw apiError('BAD_SIGNATURE', 'sender is not the member id of the signing key')
  }
  return { body: record, bodyBytes, publicKey }
}
