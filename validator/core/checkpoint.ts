// Checkpoints: the header every validator of epoch e BLS-signs at the boundary, its quorum certificate (an
// aggregate signature with the signer list) and the hand-over it carries: the header names the hash of the
// set certifying epoch e + 1 and the record carries that set, so trust flows from the genesis set through
// each certified checkpoint (validator/core/handover.ts walks the chain).
import { z } from 'zod'
import { decode, encode, hashValue } from '../../core/encoding.ts'
import { fromHex, toHex } from '../../core/bytes.ts'
import { Domain, verifyBlsAggregate } from '../../core/crypto/sign.ts'
import type { CheckpointRecord } from '../infra/p2p/index.ts'
import {
  certificationSetFromWire, certificationSetHash, certificationSetToWire, isQuorum, type CertificationSet,
} from '../../ledger/validator-keys.ts'

export interface CheckpointHeader {
  readonly networkId: string
  readonly epoch: number
  readonly height: number
  readonly blockHash: string
  readonly stateRoot: string
  /** Content id of the forum state snapshot at that height (a DHT blob). */
  readonly stateCid: string
  /** certificationSetHash of the set that certifies epoch + 1 (the hand-over). */
  readonly nextSetHash: string
}

const HeaderSchema = z.strictObject({
  networkId: z.string(), epoch: z.number().int().nonnegative(), height: z.number().int().nonnegative(),
  blockHash: z.string(), stateRoot: z.string(), stateCid: z.string(), nextSetHash: z.string().regex(/^[0-9a-f]{64}$/),
})
/** Signers are bounded by the contract's cap (ValidatorQuorum.MAX_VALIDATORS × 4 leaves room for growth). */
const MAX_CERT_SIGNERS = 1024
const CertSchema = z.strictObject({
  signers: z.array(z.string().max(128)).min(1).max(MAX_CERT_SIGNERS), signature: z.instanceof(Uint8Array), nextSet: z.unknown(),
})

export const checkpointHeaderHash = (h: CheckpointHeader): string => toHex(hashValue(h))
/** What each validator BLS-signs: the header's hash (so the parsig exchange carries only the hash). */
export const checkpointSigningPayload = (headerHash: string) => ({ checkpoint: headerHash })

export function encodeCheckpointRecord(h: CheckpointHeader, signers: string[], signature: Uint8Array, nextSet: CertificationSet): CheckpointRecord {
  return { epoch: h.epoch, header: encode(h), certificate: encode({ signers, signature, nextSet: certificationSetToWire(nextSet) }) }
}

export function decodeCheckpointHeader(bytes: Uint8Array): CheckpointHeader {
  return HeaderSchema.parse(decode(bytes))
}

/** Why a checkpoint record is refused (the DHT record validator and checkpoint sync). */
export const CheckpointErrorCode = {
  MALFORMED: 'CHECKPOINT_MALFORMED',
  WRONG_NETWORK: 'CHECKPOINT_WRONG_NETWORK',
  /** The set of the record's epoch is not one the hand-over chain leads to (yet): IGNORE, we may be behind. */
  UNKNOWN_SET: 'CHECKPOINT_UNKNOWN_SET',
  NOT_IN_SET: 'CHECKPOINT_NOT_IN_SET',
  NO_QUORUM: 'CHECKPOINT_NO_QUORUM',
  BAD_SIGNATURE: 'CHECKPOINT_BAD_SIGNATURE',
  NEXT_SET_MISMATCH: 'CHECKPOINT_NEXT_SET_MISMATCH',
} as const
export type CheckpointErrorCode = (typeof CheckpointErrorCode)[keyof typeof CheckpointErrorCode]

export class CheckpointError extends Error {
  constructor(readonly code: CheckpointErrorCode, message: string) { super(message) }
}

export interface DecodedCheckpoint { header: CheckpointHeader; signers: string[]; signature: Uint8Array; nextSet: CertificationSet }

/** Decode a record and check its shape and hand-over hash (no signature check). Throws CheckpointError. */
export function decodeCheckpointRecord(rec: CheckpointRecord, networkId: string): DecodedCheckpoint {
  let header: CheckpointHeader, cert: z.infer<typeof CertSchema>, nextSet: CertificationSet
  try {
    header = decodeCheckpointHeader(rec.header)
    cert = CertSchema.parse(decode(rec.certificate))
    nextSet = certificationSetFromWire(cert.nextSet)
  } catch (e) {
    throw new CheckpointError(CheckpointErrorCode.MALFORMED, `checkpoint record: ${(e as Error).message.slice(0, 200)}`)
  }
  if (header.epoch !== rec.epoch) throw new CheckpointError(CheckpointErrorCode.MALFORMED, `header epoch ${header.epoch} in a record for ${rec.epoch}`)
  if (header.networkId !== networkId) throw new CheckpointError(CheckpointErrorCode.WRONG_NETWORK, `checkpoint of network ${header.networkId}`)
  if (certificationSetHash(nextSet) !== header.nextSetHash) throw new CheckpointError(CheckpointErrorCode.NEXT_SET_MISMATCH, `epoch ${header.epoch}: the carried next set does not hash to the header's`)
  if (new Set(cert.signers).size !== cert.signers.length) throw new CheckpointError(CheckpointErrorCode.MALFORMED, 'a signer is listed twice')
  return { header, signers: cert.signers, signature: cert.signature, nextSet }
}

/** Check the certificate against `set` (the set certifying the record's epoch): > 2/3 of its power signed. */
export function verifyCheckpointCertificate(d: DecodedCheckpoint, set: CertificationSet): void {
  const byId = new Map(set.members.map((m) => [m.member, m]))
  let power = 0n
  const pubs: Uint8Array[] = []
  for (const s of d.signers) {
    const m = byId.get(s)
    if (!m) throw new CheckpointError(CheckpointErrorCode.NOT_IN_SET, `epoch ${d.header.epoch}: ${s} is not in the certifying set`)
    pubs.push(fromHex(m.blsPublicKey))
    power += m.power
  }
  if (!isQuorum(power, set.total)) throw new CheckpointError(CheckpointErrorCode.NO_QUORUM, `epoch ${d.header.epoch}: signers hold ${power} of ${set.total}`)
  if (!verifyBlsAggregate(pubs, Domain.checkpoint, checkpointSigningPayload(checkpointHeaderHash(d.header)), d.signature)) {
    throw new CheckpointError(CheckpointErrorCode.BAD_SIGNATURE, `epoch ${d.header.epoch}: the aggregate signature does not verify`)
  }
}
