// Hand-over chain: which set certifies each epoch. The genesis set certifies epoch 0; a certified
// checkpoint of epoch e names (and carries) the set of epoch e + 1. A node learns sets from its own ledger
// as it applies blocks; a fresh node walks the checkpoints from genesis (or from one the operator trusts)
// up to the one it adopts. A certificate from a set the chain does not lead to is refused.
import { toHex } from '../../core/bytes.ts'
import type { CheckpointRecord } from '../infra/p2p/index.ts'
import type { CertificationSet } from '../../ledger/validator-keys.ts'
import {
  CheckpointError, CheckpointErrorCode, checkpointHeaderHash, decodeCheckpointRecord, verifyCheckpointCertificate, type DecodedCheckpoint,
} from './checkpoint.ts'

/** Sets kept per epoch: records of older epochs are refused (IGNORE) — no one needs them to sync. */
export const MAX_KNOWN_SETS = 512

/** An operator-given starting point: the header hash of a checkpoint it trusts (`<epoch>:<hex hash>`). */
export interface TrustedCheckpoint { readonly epoch: number; readonly headerHash: string }

export function parseTrustedCheckpoint(s: string): TrustedCheckpoint {
  const m = /^(\d{1,9}):([0-9a-f]{64})$/.exec(s.trim())
  if (!m) throw new CheckpointError(CheckpointErrorCode.MALFORMED, `trusted checkpoint must be <epoch>:<64 hex header hash>, got ${JSON.stringify(s)}`)
  return { epoch: Number(m[1]), headerHash: m[2]! }
}

export interface HandoverChain {
  /** The set certifying `epoch`, if the chain leads there. */
  setFor(epoch: number): CertificationSet | undefined
  /** The set of `epoch` as the node's own ledger computed it (the log is the root of trust). */
  learn(epoch: number, set: CertificationSet): void
  /** Verify a record against the set of its epoch; on success the next epoch's set is known. Throws CheckpointError. */
  verify(rec: CheckpointRecord): DecodedCheckpoint
  /** Accept the operator's trusted record (checked by header hash, not by certificate); learns its next set. */
  trust(rec: CheckpointRecord, t: TrustedCheckpoint): DecodedCheckpoint
  /** Highest epoch whose set is known. */
  readonly head: number
}

/** Certificates remembered as verified (the DHT sees each epoch's record again and again). */
export const VERIFIED_CERTIFICATES_KEPT = 512

export function createHandoverChain(o: {
  networkId: string; genesisSet: CertificationSet
  /** The certificate check (injected by tests to count calls). */
  verifyCertificate?: (d: DecodedCheckpoint, set: CertificationSet) => void
}): HandoverChain {
  const sets = new Map<number, CertificationSet>([[0, o.genesisSet]])
  let head = 0
  const verifyCertificate = o.verifyCertificate ?? verifyCheckpointCertificate
  // Certificates already verified, with the set they were verified against: kad-dht validates the same
  // record on every put, get and republish, and each BLS aggregate check cost milliseconds (an idle node
  // spent 1.5 s of 30 on them, profiled). A record checked against another set is checked again.
  const verified = new Map<string, CertificationSet>()
  const certKey = (d: DecodedCheckpoint) => `${d.header.epoch}:${checkpointHeaderHash(d.header)}:${d.signers.join(',')}:${toHex(d.signature)}`
  function verifyOnce(d: DecodedCheckpoint, set: CertificationSet): void {
    const key = certKey(d)
    if (verified.get(key) === set) return
    verifyCertificate(d, set)
    verified.set(key, set)
    if (verified.size > VERIFIED_CERTIFICATES_KEPT) verified.delete(verified.keys().next().value!)
  }
  function learn(epoch: number, set: CertificationSet): void {
    sets.set(epoch, set)
    if (epoch > head) head = epoch
    // Bounded: forget the oldest epochs beyond the window.
    while (sets.size > MAX_KNOWN_SETS) sets.delete(Math.min(...sets.keys()))
  }
  return {
    setFor: (epoch) => sets.get(epoch),
    learn,
    verify(rec) {
      const d = decodeCheckpointRecord(rec, o.networkId)
      const set = sets.get(d.header.epoch)
      if (!set) throw new CheckpointError(CheckpointErrorCode.UNKNOWN_SET, `no known hand-over leads to the set of epoch ${d.header.epoch} (known up to ${head})`)
      verifyOnce(d, set)
      if (!sets.has(d.header.epoch + 1)) learn(d.header.epoch + 1, d.nextSet)
      return d
    },
    trust(rec, t) {
      const d = decodeCheckpointRecord(rec, o.networkId)
      if (d.header.epoch !== t.epoch || checkpointHeaderHash(d.header) !== t.headerHash) {
        throw new CheckpointError(CheckpointErrorCode.BAD_SIGNATURE, `checkpoint of epoch ${d.header.epoch} is not the trusted one`)
      }
      learn(d.header.epoch + 1, d.nextSet)
      return d
    },
    get head() { return head },
  }
}

/** The DHT record validator's check: true when the record verifies against the chain (which then learns). */
export function handoverVerifier(chain: HandoverChain, trusted?: TrustedCheckpoint): (rec: CheckpointRecord) => boolean {
  return (rec) => {
    try {
      if (trusted && rec.epoch === trusted.epoch && !chain.setFor(rec.epoch)) chain.trust(rec, trusted)
      else chain.verify(rec)
      return true
    } catch {
      return false // a set the hand-over chain does not lead to, or a bad certificate: refused
    }
  }
}

/**
 * Walk the chain from the highest known set up to the newest checkpoint `get` finds, verifying each
 * record; returns the last verified one (undefined if none). `get` fetches the record of an epoch.
 */
export async function walkHandovers(chain: HandoverChain, get: (epoch: number) => Promise<CheckpointRecord | undefined>, maxSteps = MAX_KNOWN_SETS): Promise<{ rec: CheckpointRecord; decoded: DecodedCheckpoint } | undefined> {
  let last: { rec: CheckpointRecord; decoded: DecodedCheckpoint } | undefined
  for (let e = Math.max(0, chain.head), steps = 0; steps < maxSteps; e++, steps++) {
    const rec = await get(e)
    if (!rec) break
    last = { rec, decoded: chain.verify(rec) }
  }
  return last
}
