// Member ids are libp2p peer id strings of the member's ed25519 key (core/crypto/keys.ts derives them the
// same way), so a signed transaction's `sender` can be checked against its public key without a lookup.
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'

export function memberIdOf(publicKey: Uint8Array): string {
  return peerIdFromPublicKey(publicKeyFromRaw(publicKey)).toString()
}
