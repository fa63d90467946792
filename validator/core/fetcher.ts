// Fetcher: submission payloads and checkpoint snapshots this node holds or can get. A payload comes from
// gossip, else from a peer that has it (sync protocol), else the DHT; bounded, oldest evicted first.
import type { Clock } from '../../core/clock.ts'
import type { Network } from './interfaces.ts'
import { timeoutSignal } from './timeout.ts'

/** Payloads kept for peers and our own evaluations (a few epochs of submissions). */
export const MAX_PAYLOADS = 4096
/** Checkpoint snapshots kept to serve fresh nodes (the last few epochs). */
export const MAX_SNAPSHOTS = 4
/** One peer's answer to a blob request. */
export const BLOB_REQUEST_MS = 5_000
/** One DHT lookup of a payload. */
export const DHT_BLOB_MS = 10_000

/** How hard to look: per-peer and DHT timeouts, how many peers to ask, and whether to keep the bytes. */
export interface FetchOptions { readonly peerMs?: number; readonly dhtMs?: number; readonly maxPeers?: number; readonly keep?: boolean }

export interface Fetcher {
  /** Ours, else a peer's over the blob protocol (verified against the cid), else the DHT's. */
  fetch(cid: string, opts?: FetchOptions): Promise<Uint8Array | undefined>
  remember(cid: string, bytes: Uint8Array): void
  rememberSnapshot(cid: string, bytes: Uint8Array): void
  snapshot(cid: string): Uint8Array | undefined
  /** What we serve to a peer's blob request. */
  serve(cid: string): Uint8Array | undefined
}

export function createFetcher(m: { readonly net: Network; readonly clock: Clock; more?(cid: string): Uint8Array | undefined }): Fetcher {
  const payloads = new Map<string, Uint8Array>()
  const snapshots = new Map<string, Uint8Array>()
  const remember = (cid: string, bytes: Uint8Array) => {
    if (payloads.size >= MAX_PAYLOADS) payloads.delete(payloads.keys().next().value!)
    payloads.set(cid, bytes)
  }
  return {
    async fetch(cid, o = {}) {
      const local = payloads.get(cid) ?? snapshots.get(cid)
      if (local) return local
      for (const peer of m.net.peers().slice(0, o.maxPeers)) {
        const got = await m.net.requestBlob(peer, cid, { timeoutMs: o.peerMs ?? BLOB_REQUEST_MS }).catch(() => undefined)
        if (got) { if (o.keep !== false) remember(cid, got); return got }
      }
      return m.net.dht.getBlob(cid, { signal: timeoutSignal(m.clock, o.dhtMs ?? DHT_BLOB_MS) }).catch(() => undefined)
    },
    remember,
    rememberSnapshot(cid, bytes) {
      snapshots.set(cid, bytes)
      if (snapshots.size > MAX_SNAPSHOTS) snapshots.delete(snapshots.keys().next().value!)
    },
    snapshot: (cid) => snapshots.get(cid),
    serve: (cid) => snapshots.get(cid) ?? payloads.get(cid) ?? m.more?.(cid),
  }
}
