// Tx verification cache: a signed tx is verified once (signature and schema) and the result reused by
// gossip admission, block validation and the importer. Keyed by body, key and signature together.
import { concatBytes, toHex } from '../../core/bytes.ts'
import { sha256 } from '../../core/hash.ts'
import { verifyTx, type SignedTx, type VerifiedTx } from '../../ledger/txs.ts'

/** Verified txs remembered: a few full mempools' worth; cleared wholesale when full (cheap, rare). */
export const VERIFIED_CACHE_MAX = 50_000

export interface TxVerifier { verified(t: SignedTx): VerifiedTx }

export function createTxVerifier(): TxVerifier {
  const cache = new Map<string, VerifiedTx>()
  return {
    verified(t) {
      // A valid signature replayed with another body misses: the key covers all three.
      const id = toHex(sha256(concatBytes(t.body, t.publicKey, t.signature)))
      let v = cache.get(id)
      if (!v) {
        v = verifyTx(t)
        if (cache.size > VERIFIED_CACHE_MAX) cache.clear()
        cache.set(id, v)
      }
      return v
    },
  }
}
