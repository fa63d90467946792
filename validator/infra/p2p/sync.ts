// The three sync protocols on top of reqresp.ts: blocks by height range, blob by cid, state chunk by
// checkpoint epoch. The node registers the data sources; the client side checks what it can (counts,
// sizes, the blob's cid) and leaves content checks (block hashes, state roots) to the node.
import type { Libp2p, PeerId } from '@libp2p/interface'
import { z } from 'zod'
import { bytesMatchCid, parseCid } from '../../../core/encoding.ts'
import { AgoraError } from '../../../core/errors.ts'
import { MAX_BLOB, MAX_BLOCKS_PER_REQUEST, MAX_FRAME_BYTES, Protocol } from './constants.ts'
import { request, serveProtocol, type ProtocolServer, type RequestOptions, type Response } from './reqresp.ts'
import type { RateLimiter } from './rate-limit.ts'

/** Encoded blocks for heights from..to inclusive (fewer if the node has fewer); each ≤ 1 MiB. */
export type BlocksSource = (from: number, to: number, peer: string) => Uint8Array[] | Promise<Uint8Array[]>
/** The bytes named by cid, or undefined. */
export type BlobSource = (cid: string) => Uint8Array | undefined | Promise<Uint8Array | undefined>
/** Chunk `index` of the state certified at `epoch`, and how many chunks that state has. */
export type StateChunkSource = (epoch: number, index: number) =>
  { chunk: Uint8Array; total: number } | undefined | Promise<{ chunk: Uint8Array; total: number } | undefined>

const uint = z.number().int().nonnegative().refine(Number.isSafeInteger)
export const BlocksRequest = z.object({ from: uint, to: uint }).strict()
  .refine((r) => r.to >= r.from && r.to - r.from < MAX_BLOCKS_PER_REQUEST, `range must be from ≤ to, at most ${MAX_BLOCKS_PER_REQUEST} heights`)
export const BlobRequest = z.object({
  cid: z.string().max(200).refine((c) => { try { parseCid(c); return true } catch { return false } }, 'invalid cid'),
}).strict()
export const StateChunkRequest = z.object({ epoch: uint, index: uint }).strict()

export interface SyncSources {
  blocks?: BlocksSource
  blob?: BlobSource
  state?: StateChunkSource
}

function splitFrames(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let o = 0; o < bytes.length; o += MAX_FRAME_BYTES) out.push(bytes.subarray(o, o + MAX_FRAME_BYTES))
  return out.length ? out : [bytes]
}

/** Register the three protocols; they read `sources` on every request, so sources can be set later. */
export async function serveSync(libp2p: Libp2p, sources: SyncSources, limiter: RateLimiter): Promise<void> {
  const blocks: ProtocolServer<z.infer<typeof BlocksRequest>> = {
    schema: BlocksRequest,
    async serve(req, peer) {
      if (!sources.blocks) return null
      const list = await sources.blocks(req.from, req.to, peer.toString())
      if (list.length === 0) return null
      const capped = list.slice(0, req.to - req.from + 1)
      for (const b of capped) if (b.length > MAX_FRAME_BYTES) throw new AgoraError('P2P_TOO_LARGE', 'block exceeds the frame cap')
      return { frames: capped }
    },
  }
  const blob: ProtocolServer<z.infer<typeof BlobRequest>> = {
    schema: BlobRequest,
    async serve(req) {
      const bytes = sources.blob ? await sources.blob(req.cid) : undefined
      if (!bytes || bytes.length > MAX_BLOB) return null
      return { frames: splitFrames(bytes) }
    },
  }
  const state: ProtocolServer<z.infer<typeof StateChunkRequest>> = {
    schema: StateChunkRequest,
    async serve(req) {
      const got = sources.state ? await sources.state(req.epoch, req.index) : undefined
      if (!got) return null
      return { frames: splitFrames(got.chunk), total: got.total }
    },
  }
  await serveProtocol(libp2p, Protocol.blocks, blocks, { limiter })
  await serveProtocol(libp2p, Protocol.blob, blob, { limiter })
  await serveProtocol(libp2p, Protocol.state, state, { limiter })
}

function okOrThrow(r: Response, what: string): boolean {
  if (r.header.status === 'ok') return true
  if (r.header.status === 'not-found') return false
  throw new AgoraError(`P2P_${r.header.status.toUpperCase().replace('-', '_')}`, `${what}: peer answered ${r.header.status}${r.header.message ? ` (${r.header.message})` : ''}`)
}

const concat = (frames: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(frames))

export async function requestBlocks(libp2p: Libp2p, peer: PeerId, from: number, to: number, opts?: RequestOptions): Promise<Uint8Array[]> {
  BlocksRequest.parse({ from, to })
  const r = await request(libp2p, peer, Protocol.blocks, { from, to }, opts)
  if (!okOrThrow(r, `blocks ${from}..${to}`)) return []
  if (r.frames.length > to - from + 1) throw new AgoraError('P2P_BAD_RESPONSE', `blocks ${from}..${to}: ${r.frames.length} blocks returned`)
  return r.frames
}

/** Fetch a blob and check it hashes to `cid`; undefined when the peer does not have it. */
export async function requestBlob(libp2p: Libp2p, peer: PeerId, cid: string, opts?: RequestOptions): Promise<Uint8Array | undefined> {
  parseCid(cid)
  const r = await request(libp2p, peer, Protocol.blob, { cid }, { timeoutMs: 60_000, ...opts })
  if (!okOrThrow(r, `blob ${cid}`)) return undefined
  const bytes = concat(r.frames)
  if (!bytesMatchCid(bytes, cid)) throw new AgoraError('P2P_BAD_BLOB', `blob from ${peer.toString()} does not hash to ${cid}`)
  return bytes
}

export async function requestStateChunk(libp2p: Libp2p, peer: PeerId, epoch: number, index: number, opts?: RequestOptions): Promise<{ chunk: Uint8Array; total: number } | undefined> {
  const r = await request(libp2p, peer, Protocol.state, { epoch, index }, { timeoutMs: 60_000, ...opts })
  if (!okOrThrow(r, `state chunk ${epoch}/${index}`)) return undefined
  if (r.header.total === undefined || index >= r.header.total) throw new AgoraError('P2P_BAD_RESPONSE', `state chunk ${epoch}/${index}: bad total`)
  return { chunk: concat(r.frames), total: r.header.total }
}
