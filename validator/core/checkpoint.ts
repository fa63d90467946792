// Checkpoints: the header every validator BLS-signs at an epoch boundary, its quorum certificate (an
// aggregate signature with the signer list) and the verifier the DHT record validator uses. The trust
// root is the genesis validator set (BLS keys with proofs of possession).
import { z } from 'zod'
import { decode, encode, hashValue } from '../../core/encoding.ts'
import { fromHex, toHex } from '../../core/bytes.ts'
import { Domain, verifyBlsAggregate, verifyBlsPossession } from '../../core/crypto/sign.ts'
import { parseRep } from '../../core/amount.ts'
import type { Genesis } from '../../ledger/genesis.ts'
import type { CheckpointRecord } from '../infra/p2p/index.ts'

export interface CheckpointHeader {
  readonly networkId: string
  readonly epoch: number
  readonly height: number
  readonly blockHash: string
  readonly stateRoot: string
  /** Content id of the forum state snapshot at that height (a DHT blob). */
  readonly stateCid: string
}

const HeaderSchema = z.strictObject({
  networkId: z.string(), epoch: z.number().int().nonnegative(), height: z.number().int().nonnegative(),
  blockHash: z.string(), stateRoot: z.string(), stateCid: z.string(),
})
const CertSchema = z.strictObject({ signers: z.array(z.string()).min(1).max(1024), signature: z.instanceof(Uint8Array) })

export const checkpointHeaderHash = (h: CheckpointHeader): string => toHex(hashValue(h))
/** What each validator BLS-signs: the header's hash (so the parsig exchange carries only the hash). */
export const checkpointSigningPayload = (headerHash: string) => ({ checkpoint: headerHash })

export function encodeCheckpointRecord(h: CheckpointHeader, signers: string[], signature: Uint8Array): CheckpointRecord {
  return { epoch: h.epoch, header: encode(h), certificate: encode({ signers, signature }) }
}

export function decodeCheckpointHeader(bytes: Uint8Array): CheckpointHeader {
  return HeaderSchema.parse(decode(bytes))
}

export interface GenesisBlsSet { keys: Map<string, Uint8Array>; power: Map<string, bigint>; total: bigint }

export function genesisBlsSet(g: Genesis): GenesisBlsSet {
  const keys = new Map<string, Uint8Array>()
  const power = new Map<string, bigint>()
  let total = 0n
  for (const v of g.validators) {
    const pub = fromHex(v.blsPublicKey)
    // A key without a valid proof of possession never counts (rogue-key defence for aggregates).
    if (!verifyBlsPossession(pub, fromHex(v.blsProof))) continue
    keys.set(v.peerId, pub)
    const p = parseRep(v.stake)
    power.set(v.peerId, p)
    total += p
  }
  return { keys, power, total }
}

export function makeCheckpointVerifier(g: Genesis): (rec: CheckpointRecord) => boolean {
  const set = genesisBlsSet(g)
  return (rec) => {
    try {
      const header = decodeCheckpointHeader(rec.header)
      if (header.epoch !== rec.epoch || header.networkId !== g.networkId) return false
      const cert = CertSchema.parse(decode(rec.certificate))
      const signers = [...new Set(cert.signers)]
      if (signers.length !== cert.signers.length) return false
      let power = 0n
      const pubs: Uint8Array[] = []
      for (const s of signers) {
        const k = set.keys.get(s)
        if (!k) return false
        pubs.push(k)
        power += set.power.get(s)!
      }
      if (3n * power <= 2n * set.total) return false
      return verifyBlsAggregate(pubs, Domain.checkpoint, checkpointSigningPayload(checkpointHeaderHash(header)), cert.signature)
    } catch {
      return false
    }
  }
}
