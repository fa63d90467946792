// Signer: this node's signatures on duties (EIP-712 digests with the EVM key, checkpoint headers with the
// BLS key), each recorded in the DutyDB first so a restart never signs a second value for one duty.
import { fromHex, toHex } from '../../core/bytes.ts'
import { Domain, signBls } from '../../core/crypto/sign.ts'
import type { NodeKeys } from '../../core/crypto/keys.ts'
import { signDigest } from '../../contracts/index.ts'
import type { DutyDb } from '../infra/db/dutydb.ts'
import { checkpointSigningPayload } from './checkpoint.ts'

export interface Signer {
  /** An EIP-712 digest (0x-hex) for duty `key` at `slot`; the signature as 0x-hex. */
  signDigest(slot: number, key: string, digest: string): Promise<string>
  /** A checkpoint header hash (hex) for epoch duty `key` at `slot`; the BLS signature as 0x-hex. */
  signCheckpoint(slot: number, key: string, headerHash: string): Promise<string>
}

export function createSigner(m: { readonly keys: NodeKeys; readonly duties: DutyDb }): Signer {
  return {
    async signDigest(slot, key, digest) {
      await m.duties.decide({ type: 'WEIGHTS', slot }, key, fromHex(digest))
      return signDigest(m.keys.evmPrivateKey, digest)
    },
    async signCheckpoint(slot, key, hh) {
      await m.duties.decide({ type: 'CHECKPOINT', slot }, key, fromHex(hh))
      return '0x' + toHex(signBls(m.keys.blsSecretKey, Domain.checkpoint, checkpointSigningPayload(hh)))
    },
  }
}
