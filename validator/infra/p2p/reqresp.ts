// Request/response over libp2p streams. The requester sends one CBOR request frame and closes its side;
// the responder answers with a CBOR header frame {status, count, ...} and `count` raw data frames, then
// closes. Requests are schema-checked, size-capped, timed out and rate-limited per peer and protocol.
import type { Libp2p, PeerId, Stream, Connection } from '@libp2p/interface'
import type { z } from 'zod'
import { z as zod } from 'zod'
import { encode, decode } from '../../../core/encoding.ts'
import { AgoraError, errorMessage } from '../../../core/errors.ts'
import type { RateLimiter } from './rate-limit.ts'
import { readFrames, readOneFrame, writeFrames } from './framing.ts'
import { DEFAULT_REQUEST_TIMEOUT_MS, MAX_FRAME_BYTES, MAX_REQUEST_BYTES, MAX_RESPONSE_BYTES, REQUEST_READ_TIMEOUT_MS } from './constants.ts'

export type ResponseStatus = 'ok' | 'not-found' | 'bad-request' | 'rate-limited' | 'error'

export interface ResponseHeader {
  readonly status: ResponseStatus
  /** Number of data frames that follow the header. */
  readonly count: number
  /** Protocol-specific: e.g. number of chunks in a checkpoint's state. */
  readonly total?: number
  readonly message?: string
}

const HeaderSchema = zod.object({
  status: zod.enum(['ok', 'not-found', 'bad-request', 'rate-limited', 'error']),
  count: zod.number().int().nonnegative(),
  total: zod.number().int().nonnegative().optional(),
  message: zod.string().max(256).optional(),
}).strict()

/** What a protocol's server function returns; null means not found. */
export interface ServedResponse { readonly frames: readonly Uint8Array[]; readonly total?: number }

export interface ProtocolServer<Req> {
  readonly schema: z.ZodType<Req>
  serve(req: Req, peer: PeerId): Promise<ServedResponse | null>
}

export interface ServeOptions {
  readonly limiter: RateLimiter
  /** Time allowed to write the whole response. */
  readonly writeTimeoutMs?: number
}

/** Register `protocol` on the host. Never throws into libp2p: every failure resets or answers the stream. */
export async function serveProtocol<Req>(libp2p: Libp2p, protocol: string, server: ProtocolServer<Req>, opts: ServeOptions): Promise<void> {
  const handler = async (stream: Stream, connection: Connection): Promise<void> => {
    const peer = connection.remotePeer
    const answer = async (header: ResponseHeader, frames: readonly Uint8Array[] = []): Promise<void> => {
      const signal = AbortSignal.timeout(opts.writeTimeoutMs ?? 60_000)
      await writeFrames(stream, [encode(header), ...frames], signal)
      await stream.close({ signal })
    }
    try {
      if (!opts.limiter.take(`${protocol}|${peer.toString()}`)) {
        await answer({ status: 'rate-limited', count: 0 })
        return
      }
      const raw = await readOneFrame(stream, MAX_REQUEST_BYTES, AbortSignal.timeout(REQUEST_READ_TIMEOUT_MS))
      let req: Req
      try {
        const parsed = server.schema.safeParse(decode(raw))
        if (!parsed.success) throw new Error(parsed.error.issues[0]?.message ?? 'invalid request')
        req = parsed.data
      } catch (e) {
        await answer({ status: 'bad-request', count: 0, message: errorMessage(e).slice(0, 200) })
        return
      }
      let served: ServedResponse | null
      try {
        served = await server.serve(req, peer)
      } catch (e) {
        await answer({ status: 'error', count: 0, message: errorMessage(e).slice(0, 200) })
        return
      }
      if (!served) {
        await answer({ status: 'not-found', count: 0 })
        return
      }
      await answer({ status: 'ok', count: served.frames.length, total: served.total }, served.frames)
    } catch (e) {
      stream.abort(e instanceof Error ? e : new Error(String(e)))
    }
  }
  await libp2p.handle(protocol, handler, { maxInboundStreams: 64, maxOutboundStreams: 64 })
}

export interface RequestOptions {
  readonly timeoutMs?: number
  readonly maxTotal?: number
  readonly maxFrame?: number
  readonly signal?: AbortSignal
}

export interface Response { readonly header: ResponseHeader; readonly frames: Uint8Array[] }

/** Send one request and collect the whole response. Throws AgoraError P2P_* on any transport failure. */
export async function request(libp2p: Libp2p, peer: PeerId, protocol: string, req: unknown, opts: RequestOptions = {}): Promise<Response> {
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS)
  const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout
  const body = encode(req)
  if (body.length > MAX_REQUEST_BYTES) throw new AgoraError('P2P_TOO_LARGE', `request of ${body.length} bytes exceeds ${MAX_REQUEST_BYTES}`)
  let stream: Stream
  try {
    stream = await libp2p.dialProtocol(peer, protocol, { signal })
  } catch (e) {
    throw new AgoraError('P2P_DIAL', `open ${protocol} to ${peer.toString()}: ${errorMessage(e)}`)
  }
  try {
    const frames = readFrames(stream, { maxFrame: opts.maxFrame ?? MAX_FRAME_BYTES, maxTotal: opts.maxTotal ?? MAX_RESPONSE_BYTES, signal })
    const pending = frames.next() // attach the reader before the response can arrive
    pending.catch(() => { /* awaited below; if the write fails first, this must not go unhandled */ })
    await writeFrames(stream, [body], signal)
    await stream.close({ signal })
    const first = await pending
    if (first.done) throw new AgoraError('P2P_EMPTY', `${protocol}: stream closed without a response`)
    const parsed = HeaderSchema.safeParse(decode(first.value))
    if (!parsed.success) throw new AgoraError('P2P_BAD_RESPONSE', `${protocol}: bad response header`)
    const header = parsed.data as ResponseHeader
    const data: Uint8Array[] = []
    for await (const f of frames) data.push(f)
    if (data.length !== header.count) throw new AgoraError('P2P_BAD_RESPONSE', `${protocol}: expected ${header.count} frames, got ${data.length}`)
    return { header, frames: data }
  } catch (e) {
    stream.abort(e instanceof Error ? e : new Error(String(e)))
    if (e instanceof AgoraError) throw e
    throw new AgoraError(signal.aborted ? 'P2P_TIMEOUT' : 'P2P_STREAM', `${protocol} from ${peer.toString()}: ${errorMessage(e)}`)
  }
}
