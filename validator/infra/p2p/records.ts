// DHT record namespaces, their validators and selectors. `/agora-ckpt/<epoch>` and `/agora-ckpt/latest`
// hold a certified checkpoint (header + quorum certificate, checked by a function consensus supplies);
// `/agora-blob/<cid>` holds bytes that must hash to their cid. Validators throw to refuse a record.
import { z } from 'zod'
import { encode, decode, bytesMatchCid, parseCid } from '../../../core/encoding.ts'
import { equalBytes, fromUtf8, utf8 } from '../../../core/bytes.ts'
import { AgoraError } from '../../../core/errors.ts'
import { BLOB_NAMESPACE, CKPT_LATEST, CKPT_NAMESPACE, MAX_CHECKPOINT_RECORD, MAX_DHT_BLOB } from './constants.ts'

export interface CheckpointRecord {
  readonly epoch: number
  /** Canonical encoding of the checkpoint header (opaque here; consensus defines it). */
  readonly header: Uint8Array
  /** The quorum certificate over the header (opaque here; checked by `verifyCheckpoint`). */
  readonly certificate: Uint8Array
}

/** True iff the certificate is a valid quorum certificate for this header at this epoch. */
export type VerifyCheckpoint = (rec: CheckpointRecord) => boolean | Promise<boolean>

const CheckpointSchema = z.object({
  epoch: z.number().int().nonnegative().refine(Number.isSafeInteger),
  header: z.instanceof(Uint8Array),
  certificate: z.instanceof(Uint8Array),
}).strict()

export const checkpointKey = (epoch: number | typeof CKPT_LATEST): Uint8Array => utf8(`/${CKPT_NAMESPACE}/${epoch}`)
export const blobKey = (cid: string): Uint8Array => utf8(`/${BLOB_NAMESPACE}/${cid}`)

export const encodeCheckpoint = (r: CheckpointRecord): Uint8Array =>
  encode({ epoch: r.epoch, header: r.header, certificate: r.certificate })

/** Decode a checkpoint record, refusing anything but its one canonical encoding. */
export function decodeCheckpoint(value: Uint8Array): CheckpointRecord {
  if (value.length > MAX_CHECKPOINT_RECORD) throw new AgoraError('BAD_RECORD', `checkpoint record of ${value.length} bytes exceeds ${MAX_CHECKPOINT_RECORD}`)
  const parsed = CheckpointSchema.safeParse(decode(value))
  if (!parsed.success) throw new AgoraError('BAD_RECORD', `checkpoint record: ${parsed.error.issues[0]?.message ?? 'invalid'}`)
  if (!equalBytes(encodeCheckpoint(parsed.data), value)) throw new AgoraError('BAD_RECORD', 'checkpoint record is not canonically encoded')
  return parsed.data
}

function keySuffix(key: Uint8Array, namespace: string): string {
  const s = fromUtf8(key)
  const prefix = `/${namespace}/`
  if (!s.startsWith(prefix)) throw new AgoraError('BAD_RECORD', `key ${s.slice(0, 80)} is not in /${namespace}/`)
  return s.slice(prefix.length)
}

/**
 * Checkpoint validator. `/agora-ckpt/<n>` must hold epoch n; `/agora-ckpt/latest` any epoch, but never
 * one older than the newest valid `latest` this node has seen (so a replayed old checkpoint cannot
 * overwrite a newer one in our store). The certificate is checked last: it is the expensive part.
 */
export function checkpointValidator(verify: VerifyCheckpoint): (key: Uint8Array, value: Uint8Array) => Promise<void> {
  let newestLatest = -1
  return async (key, value) => {
    const suffix = keySuffix(key, CKPT_NAMESPACE)
    const rec = decodeCheckpoint(value)
    if (suffix === CKPT_LATEST) {
      if (rec.epoch < newestLatest) throw new AgoraError('STALE_RECORD', `checkpoint epoch ${rec.epoch} is older than known epoch ${newestLatest}`)
    } else if (suffix !== String(rec.epoch)) {
      throw new AgoraError('BAD_RECORD', `checkpoint for epoch ${rec.epoch} stored under key epoch ${suffix.slice(0, 20)}`)
    }
    if (!(await verify(rec))) throw new AgoraError('BAD_CERTIFICATE', `checkpoint epoch ${rec.epoch}: quorum certificate does not verify`)
    if (suffix === CKPT_LATEST) newestLatest = Math.max(newestLatest, rec.epoch)
  }
}

/** Prefer the highest epoch; among equal epochs the smallest encoding bytewise (deterministic). */
export function selectCheckpoint(_key: Uint8Array, records: Uint8Array[]): number {
  let best = -1
  let bestEpoch = -1
  records.forEach((value, i) => {
    let epoch: number
    try {
      epoch = decodeCheckpoint(value).epoch
    } catch {
      return
    }
    if (epoch > bestEpoch || (epoch === bestEpoch && Buffer.compare(value, records[best]!) < 0)) {
      best = i
      bestEpoch = epoch
    }
  })
  return Math.max(best, 0)
}

/** Blob validator: the record's bytes must hash to the cid in its key (raw codec, sha2-256). */
export function blobValidator(key: Uint8Array, value: Uint8Array): void {
  const cid = keySuffix(key, BLOB_NAMESPACE)
  parseCid(cid)
  if (value.length > MAX_DHT_BLOB) throw new AgoraError('BAD_RECORD', `blob record of ${value.length} bytes exceeds ${MAX_DHT_BLOB}`)
  if (!bytesMatchCid(value, cid)) throw new AgoraError('BAD_RECORD', `blob bytes do not hash to ${cid.slice(0, 80)}`)
}

/** All valid blob records for one key are the same bytes, so any will do. */
export const selectBlob = (): number => 0
