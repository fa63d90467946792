// An epoch's weight vector as the chain sees it: strictly ascending u16 uids with one u16 weight each,
// validated where it enters (zod) and packed as big-endian u16 bytes for the WeightRegistry calldata.
import { z } from 'zod'
import { AgoraError } from '../core/errors.ts'

export const U16_MAX = 0xffff

export interface WeightMatrix {
  readonly epoch: bigint
  readonly uids: readonly number[]
  readonly weights: readonly number[]
}

const u16 = z.number().int().min(0).max(U16_MAX)
const epochSchema = z.union([z.bigint(), z.number().int()]).transform((e) => BigInt(e)).pipe(z.bigint().min(0n).max(2n ** 64n - 1n))

const matrixSchema = z
  .object({ epoch: epochSchema, uids: z.array(u16).min(1), weights: z.array(u16) })
  .superRefine((m, ctx) => {
    if (m.uids.length !== m.weights.length)
      ctx.addIssue({ code: 'custom', message: `${m.uids.length} uids but ${m.weights.length} weights` })
    for (let i = 1; i < m.uids.length; i++) {
      if (m.uids[i]! <= m.uids[i - 1]!) {
        ctx.addIssue({ code: 'custom', message: `uids must be strictly ascending (index ${i}: ${m.uids[i - 1]} then ${m.uids[i]})` })
        break
      }
    }
  })

/** Validate an external matrix (numbers or bigint epoch); throws AgoraError BAD_MATRIX with the reason. */
export function parseWeightMatrix(input: unknown): WeightMatrix {
  const r = matrixSchema.safeParse(input)
  if (!r.success) throw new AgoraError('BAD_MATRIX', `invalid weight matrix: ${r.error.issues.map((i) => i.message).join('; ')}`)
  return r.data
}

export function packU16(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 2)
  const view = new DataView(out.buffer)
  values.forEach((v, i) => view.setUint16(i * 2, v, false))
  return out
}

export function unpackU16(bytes: Uint8Array): number[] {
  if (bytes.length % 2 !== 0) throw new AgoraError('BAD_MATRIX', `packed u16 data has odd length ${bytes.length}`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return Array.from({ length: bytes.length / 2 }, (_, i) => view.getUint16(i * 2, false))
}

export function sameMatrix(a: Pick<WeightMatrix, 'uids' | 'weights'>, b: Pick<WeightMatrix, 'uids' | 'weights'>): boolean {
  return a.uids.length === b.uids.length && a.uids.every((u, i) => u === b.uids[i] && a.weights[i] === b.weights[i])
}
