// Hashing: SHA-256 everywhere (content ids, state roots, signing digests), keccak for the EVM.
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { concatBytes, utf8 } from './bytes.ts'

export const sha256 = (b: Uint8Array): Uint8Array => nobleSha256(b)
export const keccak256 = (b: Uint8Array): Uint8Array => keccak_256(b)

/** Domain-tagged hash: H(len(tag) ‖ tag ‖ data) so two domains can never collide. */
export function taggedHash(tag: string, data: Uint8Array): Uint8Array {
  const t = utf8(tag)
  return nobleSha256(concatBytes(new Uint8Array([t.length]), t, data))
}
