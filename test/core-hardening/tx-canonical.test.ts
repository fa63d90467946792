// Tx ids are sha256(body) and signatures cover the decoded value: a body that decodes to the same value
// from other bytes (here a float 1.0 for the nonce 1) would be a second id for one signed tx. Refused.
import { describe, expect, it } from 'vitest'
import { utf8, toHex } from '../../core/bytes.ts'
import { ed25519PublicKey } from '../../core/crypto/sign.ts'
import { sha256 } from '../../core/hash.ts'
import { memberIdOf, signTx, verifyTx } from '../../ledger/txs.ts'

const seed = sha256(utf8('tx-canonical'))
const publicKey = ed25519PublicKey(seed)

describe('canonical tx bodies', () => {
  it('a re-encoded body with the same value and signature is refused with NON_CANONICAL', () => {
    const body = { type: 'Submission', sender: memberIdOf(publicKey), nonce: 1, challenge: 'echo', payloadCid: 'bafkreigh2akiscaildc', payloadBytes: 3 }
    const signed = signTx(seed, publicKey, body)
    expect(verifyTx(signed).nonce).toBe(1)
    const hex = toHex(signed.body)
    const nonceInt = toHex(utf8('nonce')) + '01'
    expect(hex.split(nonceInt).length).toBe(2) // the nonce's encoding occurs once
    const malleated = Uint8Array.from(Buffer.from(hex.replace(nonceInt, toHex(utf8('nonce')) + 'fb3ff0000000000000'), 'hex'))
    expect(toHex(sha256(malleated))).not.toBe(toHex(sha256(signed.body)))
    expect(() => verifyTx({ ...signed, body: malleated })).toThrow(expect.objectContaining({ code: 'NON_CANONICAL' }))
  })
})
