// Canonical encoding: deterministic DAG-CBOR (map keys sorted by length then bytes, minimal integers,
// no floats in replicated data), plus content ids. Equal values always give equal bytes.
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 as mfSha256 } from 'multiformats/hashes/sha2'
import { create as createDigest } from 'multiformats/hashes/digest'
import { sha256 } from '@noble/hashes/sha2.js'
import { AgoraError } from './errors.ts'

export type Encodable =
  | null | boolean | number | bigint | string | Uint8Array
  | readonly Encodable[] | { readonly [k: string]: Encodable | undefined }

/** Encode a value canonically. `undefined` object fields are dropped; floats are refused. */
export function encode(value: unknown): Uint8Array {
  assertNoFloats(value, '$')
  return dagCbor.encode(stripUndefined(value))
}

export function decode<T = unknown>(bytes: Uint8Array): T {
  try {
    return dagCbor.decode<T>(bytes)
  } catch (e) {
    throw new AgoraError('DECODE', `decode cbor: ${(e as Error).message}`)
  }
}

/** SHA-256 of the canonical encoding: the identity of a replicated value. */
export function hashValue(value: unknown): Uint8Array {
  return sha256(encode(value))
}

/** Content id (CIDv1, raw codec, sha2-256) of opaque bytes: payloads, modules, state chunks. */
export function cidOfBytes(bytes: Uint8Array): string {
  return CID.createV1(raw.code, createDigest(mfSha256.code, sha256(bytes))).toString()
}

/** Content id (CIDv1, dag-cbor codec) of a structured value. */
export function cidOfValue(value: unknown): string {
  return CID.createV1(dagCbor.code, createDigest(mfSha256.code, hashValue(value))).toString()
}

/** True iff `cid` names exactly these bytes (raw codec). Self-certifying check for DHT blobs. */
export function bytesMatchCid(bytes: Uint8Array, cid: string): boolean {
  try {
    return CID.parse(cid).equals(CID.parse(cidOfBytes(bytes)))
  } catch {
    return false
  }
}

export function parseCid(cid: string): CID {
  try {
    return CID.parse(cid)
  } catch (e) {
    throw new AgoraError('BAD_CID', `invalid content id ${JSON.stringify(cid.slice(0, 80))}: ${(e as Error).message}`)
  }
}

function stripUndefined(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripUndefined)
  if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array) && !CID.asCID(v)) {
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = stripUndefined(x)
    return out
  }
  return v
}

function assertNoFloats(v: unknown, path: string): void {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new AgoraError('ENCODE', `encode: non-integer or unsafe number at ${path}`)
  } else if (Array.isArray(v)) {
    v.forEach((x, i) => assertNoFloats(x, `${path}[${i}]`))
  } else if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) {
    for (const [k, x] of Object.entries(v)) assertNoFloats(x, `${path}.${k}`)
  }
}
