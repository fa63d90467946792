// Length-prefixed framing over libp2p v3 message streams: unsigned-varint length, then that many bytes.
// Reads are capped per frame and in total, and abort with the stream when the signal fires.
import * as lp from 'it-length-prefixed'
import type { Stream } from '@libp2p/interface'
import { AgoraError } from '../../../core/errors.ts'

/** Send frames, waiting for the stream to drain when its buffer is full. */
export async function writeFrames(stream: Stream, frames: Iterable<Uint8Array>, signal: AbortSignal): Promise<void> {
  for (const frame of frames) {
    if (!stream.send(lp.encode.single(frame))) await stream.onDrain({ signal })
  }
}

export interface ReadLimits { readonly maxFrame: number; readonly maxTotal: number; readonly signal: AbortSignal }

/** Frames until the remote closes its writing side; throws when a cap is exceeded or the signal fires. */
export async function* readFrames(stream: Stream, limits: ReadLimits): AsyncGenerator<Uint8Array> {
  let total = 0
  const onAbort = (): void => stream.abort(new AgoraError('P2P_TIMEOUT', 'stream timed out'))
  if (limits.signal.aborted) onAbort()
  limits.signal.addEventListener('abort', onAbort, { once: true })
  try {
    for await (const frame of lp.decode(stream, { maxDataLength: limits.maxFrame })) {
      total += frame.byteLength
      if (total > limits.maxTotal) throw new AgoraError('P2P_TOO_LARGE', `response exceeds ${limits.maxTotal} bytes`)
      yield frame.subarray()
    }
  } catch (e) {
    if (limits.signal.aborted) throw new AgoraError('P2P_TIMEOUT', 'stream timed out')
    throw e
  } finally {
    limits.signal.removeEventListener('abort', onAbort)
  }
}

/** The first frame of a stream (a request); the rest of the stream is left unread. */
export async function readOneFrame(stream: Stream, maxFrame: number, signal: AbortSignal): Promise<Uint8Array> {
  for await (const frame of readFrames(stream, { maxFrame, maxTotal: maxFrame, signal })) return frame
  throw new AgoraError('P2P_EMPTY', 'stream closed before a frame arrived')
}
