// Tx verification cache: a signed tx is verified once (signature and schema) and the result reused by
// gossip admission, block validation, the importer and our own txs. Keyed by body, key and signature
// together. `head` reads what cheap admission checks need (type, sender, nonce, id) without verifying.
import { createHash } from 'node:crypto'
import { decode } from '../../core/encoding.ts'
import { AgoraError } from '../../core/errors.ts'
import { MAX_TX_BYTES, memberIdOf, txIdOf, verifyTx, type SignedTx, type VerifiedTx } from '../../ledger/txs.ts'

/** Verified txs remembered: a few full mempools' worth; cleared wholesale when full (cheap, rare). */
export const VERIFIED_CACHE_MAX = 50_000

/**
 * A tx as its bytes claim it to be, signature not yet checked (a VerifiedTx is one too). Only good for
 * refusals that cost the sender nothing (IGNORE) or faults of the bytes themselves (REJECT).
 */
export interface TxHead {
  readonly id: string
  readonly sender: string
  readonly nonce: number
  readonly tx: { readonly type: string }
  readonly signed: SignedTx
}

export interface TxVerifier {
  verified(t: SignedTx): VerifiedTx
  /** The head of `t` (its verified form when cached); throws MALFORMED or BAD_SIGNATURE as verifyTx would. */
  head(t: SignedTx): TxHead
}

// A local cache key, never sent: hashed natively (the pure-JS sha256 of a 4 KB post showed in the spam
// soak's profile twice per admitted post). Only a tx that verifies is cached, and its key (32 bytes) and
// signature (64) have fixed lengths, so no other split of the same bytes can hit its entry.
const cacheKey = (t: SignedTx) => createHash('sha256').update(t.body).update(t.publicKey).update(t.signature).digest('hex')

/** Size, map shape, and sender = the key's member id: what verifyTx refuses first, without the signature. */
export function txHead(t: SignedTx): TxHead {
  if (t.body.length > MAX_TX_BYTES) throw new AgoraError('MALFORMED', `transaction of ${t.body.length} bytes exceeds ${MAX_TX_BYTES}`)
  if (t.publicKey.length !== 32) throw new AgoraError('BAD_SIGNATURE', 'public key must be 32 bytes (ed25519)')
  let raw: { type?: unknown; sender?: unknown; nonce?: unknown } | null
  try { raw = decode(t.body) } catch (e) { throw new AgoraError('MALFORMED', `transaction body does not decode: ${(e as Error).message}`) }
  if (raw === null || typeof raw !== 'object' || typeof raw.type !== 'string' || typeof raw.sender !== 'string' ||
    typeof raw.nonce !== 'number' || !Number.isSafeInteger(raw.nonce) || raw.nonce < 0) {
    throw new AgoraError('MALFORMED', 'transaction body is not a map with type, sender and nonce')
  }
  const sender = memberIdOf(t.publicKey)
  if (raw.sender !== sender) throw new AgoraError('BAD_SIGNATURE', `sender ${raw.sender} is not the signing key's member id ${sender}`)
  return { id: txIdOf(t), sender, nonce: raw.nonce, tx: { type: raw.type }, signed: t }
}

export function createTxVerifier(): TxVerifier {
  const cache = new Map<string, VerifiedTx>()
  return {
    verified(t) {
      // A valid signature replayed with another body misses: the key covers all three.
      const id = cacheKey(t)
      let v = cache.get(id)
      if (!v) {
        v = verifyTx(t)
        if (cache.size > VERIFIED_CACHE_MAX) cache.clear()
        cache.set(id, v)
      }
      return v
    },
    head: (t) => cache.get(cacheKey(t)) ?? txHead(t),
  }
}
