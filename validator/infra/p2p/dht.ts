// Checkpoints and blobs in the Kademlia DHT. Records are validated locally before a put (peers that
// refuse a record only reset the stream, so a put never fails loudly) and puts report how many peers
// stored them. Blobs up to MAX_DHT_BLOB are DHT values; every blob is also announced with a provider
// record; a get asks providers first (/agora/sync/blob, checked against the cid), then the DHT value.
import type { KadDHT, QueryEvent } from '@libp2p/kad-dht'
import type { PeerId } from '@libp2p/interface'
import { CID } from 'multiformats/cid'
import { bytesMatchCid, cidOfBytes, parseCid } from '../../../core/encoding.ts'
import { equalBytes } from '../../../core/bytes.ts'
import { AgoraError, errorMessage, isAgoraError } from '../../../core/errors.ts'
import { CKPT_LATEST, MAX_BLOB, MAX_DHT_BLOB } from './constants.ts'
import {
  blobKey, blobValidator, checkpointKey, checkpointValidator, decodeCheckpoint, encodeCheckpoint,
  type CheckpointRecord, type VerifyCheckpoint,
} from './records.ts'
import type { BlobStore } from './blob-store.ts'

export interface PutResult {
  /** Distinct remote peers that acknowledged storing the record (value) or provider record. */
  readonly peersAccepted: number
}

export interface BlobPutResult extends PutResult {
  readonly cid: string
  /** 'dht' when the bytes are a DHT value; 'provider' when only a provider record points at us. */
  readonly stored: 'dht' | 'provider'
}

export interface AgoraDht {
  putCheckpoint(rec: CheckpointRecord, opts?: { signal?: AbortSignal }): Promise<PutResult>
  getCheckpoint(epoch: number, opts?: { signal?: AbortSignal }): Promise<CheckpointRecord | undefined>
  getLatestCheckpoint(opts?: { signal?: AbortSignal }): Promise<CheckpointRecord | undefined>
  putBlob(bytes: Uint8Array, opts?: { signal?: AbortSignal }): Promise<BlobPutResult>
  getBlob(cid: string, opts?: { signal?: AbortSignal }): Promise<Uint8Array | undefined>
}

export interface DhtModules {
  readonly dht: KadDHT
  readonly blobs: BlobStore
  readonly selfId: PeerId
  /** Fetch a blob from one provider (the /agora/sync/blob protocol); must verify the cid. */
  readonly fetchBlob: (peer: PeerId, cid: string, signal?: AbortSignal) => Promise<Uint8Array>
}

/** The validators and selectors to hand to kad-dht, sharing one checkpoint validator instance. */
export function agoraRecordRules(verify: VerifyCheckpoint) {
  const validateCheckpoint = checkpointValidator(verify)
  return {
    validateCheckpoint,
    validators: { 'agora-ckpt': validateCheckpoint, 'agora-blob': async (k: Uint8Array, v: Uint8Array) => blobValidator(k, v) },
  }
}

const DEFAULT_QUERY_TIMEOUT_MS = 15_000
const signalOf = (s?: AbortSignal) => (s ? AbortSignal.any([s, AbortSignal.timeout(DEFAULT_QUERY_TIMEOUT_MS)]) : AbortSignal.timeout(DEFAULT_QUERY_TIMEOUT_MS))

export function createAgoraDht(opts: { validateCheckpoint: (k: Uint8Array, v: Uint8Array) => Promise<void> }, modules: DhtModules): AgoraDht {
  const { dht, blobs, selfId } = modules
  const self = selfId.toString()

  async function put(key: Uint8Array, value: Uint8Array, signal?: AbortSignal): Promise<number> {
    const accepted = new Set<string>()
    for await (const ev of dht.put(key, value, { signal: signalOf(signal) })) {
      if (ev.name === 'PEER_RESPONSE' && ev.messageName === 'PUT_VALUE' && ev.record && equalBytes(ev.record.value, value)) accepted.add(ev.from.toString())
      if (ev.name === 'QUERY_ERROR') accepted.delete(ev.from.toString())
    }
    accepted.delete(self)
    return accepted.size
  }

  /** The best valid record for `key` among all peers that answer (kad validates, our selector picks). */
  async function get(key: Uint8Array, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    let best: Uint8Array | undefined
    try {
      for await (const ev of dht.get(key, { signal: signalOf(signal) }) as AsyncIterable<QueryEvent>) {
        if (ev.name === 'VALUE') best = ev.value
      }
    } catch (e) {
      if (!best) return undefined // NotFound and query errors: nobody had a valid record
    }
    return best
  }

  async function provide(cid: string, signal?: AbortSignal): Promise<number> {
    const peers = new Set<string>()
    for await (const ev of dht.provide(CID.parse(cid), { signal: signalOf(signal) })) {
      if (ev.name === 'PEER_RESPONSE' && ev.messageName === 'ADD_PROVIDER') peers.add(ev.from.toString())
    }
    peers.delete(self)
    return peers.size
  }

  async function fromProviders(cid: string, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    const tried = new Set<string>([self])
    for await (const ev of dht.findProviders(CID.parse(cid), { signal: signalOf(signal) })) {
      if (ev.name !== 'PROVIDER') continue
      for (const p of ev.providers) {
        if (tried.has(p.id.toString())) continue
        tried.add(p.id.toString())
        try {
          return await modules.fetchBlob(p.id, cid, signal)
        } catch { /* try the next provider */ }
      }
    }
    return undefined
  }

  async function readCheckpoint(key: Uint8Array, signal?: AbortSignal): Promise<CheckpointRecord | undefined> {
    const value = await get(key, signal)
    return value ? decodeCheckpoint(value) : undefined
  }

  return {
    async putCheckpoint(rec, o = {}) {
      const value = encodeCheckpoint(rec)
      const key = checkpointKey(rec.epoch)
      await opts.validateCheckpoint(key, value) // refuse locally what peers would refuse silently
      let latest = true
      try {
        await opts.validateCheckpoint(checkpointKey(CKPT_LATEST), value)
      } catch (e) {
        if (!isAgoraError(e, 'STALE_RECORD')) throw e
        latest = false // an older epoch keeps its own key only
      }
      const [peersAccepted] = await Promise.all([put(key, value, o.signal), latest ? put(checkpointKey(CKPT_LATEST), value, o.signal) : 0])
      return { peersAccepted }
    },
    getCheckpoint: (epoch, o = {}) => readCheckpoint(checkpointKey(epoch), o.signal),
    getLatestCheckpoint: (o = {}) => readCheckpoint(checkpointKey(CKPT_LATEST), o.signal),

    async putBlob(bytes, o = {}) {
      if (bytes.length > MAX_BLOB) throw new AgoraError('BLOB_TOO_LARGE', `blob of ${bytes.length} bytes exceeds ${MAX_BLOB}`)
      const cid = cidOfBytes(bytes)
      await blobs.put(cid, bytes)
      if (bytes.length <= MAX_DHT_BLOB) {
        const peersAccepted = await put(blobKey(cid), bytes, o.signal)
        await provide(cid, o.signal).catch(() => 0)
        return { cid, peersAccepted, stored: 'dht' }
      }
      return { cid, peersAccepted: await provide(cid, o.signal), stored: 'provider' }
    },

    async getBlob(cid, o = {}) {
      parseCid(cid)
      const local = await blobs.get(cid)
      if (local && bytesMatchCid(local, cid)) return local
      let bytes: Uint8Array | undefined
      try {
        // Providers first: one verified transfer from one peer, where a DHT get would pull the value
        // from every peer holding it. The DHT value is the fallback when no provider answers.
        bytes = await fromProviders(cid, o.signal)
        if (!bytes) {
          bytes = await get(blobKey(cid), o.signal)
          if (bytes && !bytesMatchCid(bytes, cid)) bytes = undefined
        }
      } catch (e) {
        throw new AgoraError('BLOB_FETCH', `get blob ${cid}: ${errorMessage(e)}`)
      }
      if (bytes) await blobs.put(cid, bytes)
      return bytes
    },
  }
}
