// Hashing: SHA-256 everywhere (content ids, state roots, signing digests), keccak for the EVM.
import { hash as nodeHash } from 'node:crypto'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { concatBytes, utf8 } from './bytes.ts'

/**
 * Native SHA-256 (OpenSSL) of `b` (a string as UTF-8), written at `out[o, o + 32)`. The digest comes back as
 * a latin-1 string: a Buffer result is an off-heap allocation that costs more than hashing a short message
 * (the state tree hashes straight into its own arrays with this). The pure-JS hash this replaced was 5.7 %
 * of a node's self time under the spam soak (tx ids, signing digests).
 */
export function sha256Into(b: Uint8Array | string, out: Uint8Array, o: number): void {
  const s = nodeHash('sha256', b, 'binary')
  for (let i = 0; i < 32; i++) out[o + i] = s.charCodeAt(i)
}
/** SHA-256 into a plain Uint8Array of its own. */
export function sha256(b: Uint8Array | string): Uint8Array {
  const out = new Uint8Array(32)
  sha256Into(b, out, 0)
  return out
}
export const keccak256 = (b: Uint8Array): Uint8Array => keccak_256(b)

/** Domain-tagged hash: H(len(tag) ‖ tag ‖ data) so two domains can never collide. */
export function taggedHash(tag: string, data: Uint8Array): Uint8Array {
  const t = utf8(tag)
  return sha256(concatBytes(new Uint8Array([t.length]), t, data))
}
