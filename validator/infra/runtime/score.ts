// Reading a challenge's result: the first 8 output bytes are the score, a little-endian u64 in PPM
// (0..1,000,000); the rest is challenge-specific detail (see challenges/README.md).
import { AgoraError } from '../../../core/errors.ts'

export const SCORE_BYTES = 8
export const MAX_SCORE_PPM = 1_000_000n

/** The score of a successful evaluation's output; throws BAD_OUTPUT if the challenge broke the ABI. */
export function challengeScore(output: Uint8Array): bigint {
  if (output.length < SCORE_BYTES) throw new AgoraError('BAD_OUTPUT', `challenge output is ${output.length} bytes, the score needs ${SCORE_BYTES}`)
  const score = new DataView(output.buffer, output.byteOffset, SCORE_BYTES).getBigUint64(0, true)
  if (score > MAX_SCORE_PPM) throw new AgoraError('BAD_OUTPUT', `challenge score ${score} exceeds ${MAX_SCORE_PPM} PPM`)
  return score
}

/** Everything after the score. */
export const challengeDetail = (output: Uint8Array): Uint8Array => output.subarray(SCORE_BYTES)
