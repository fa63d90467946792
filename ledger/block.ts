// Blocks of the decided log: a header (height, slot, parent hash, the state root after the parent) and
// ordered signed transactions. The block hash is what consensus votes on.
import { z } from 'zod'
import { hashValue } from '../core/encoding.ts'
import { toHex } from '../core/bytes.ts'
import type { SignedTx } from './txs.ts'

export const MAX_BLOCK_BYTES = 4 * 1024 * 1024

export interface Block {
  readonly height: number
  readonly slot: number
  /** Hash of the previous block (hex); the genesis hash for height 1. */
  readonly prevHash: string
  /** State root after applying the previous block (hex): divergence is detected one block later at worst. */
  readonly prevStateRoot: string
  readonly proposer: string
  readonly txs: readonly SignedTx[]
}

const bytes = z.instanceof(Uint8Array)
export const BlockSchema = z.strictObject({
  height: z.number().int().positive(),
  slot: z.number().int().nonnegative(),
  prevHash: z.string().regex(/^[0-9a-f]{64}$/),
  prevStateRoot: z.string().regex(/^[0-9a-f]{64}$/),
  proposer: z.string().min(1).max(128),
  txs: z.array(z.strictObject({ body: bytes, publicKey: bytes, signature: bytes })).max(10_000),
})

export const blockHash = (b: Block): string => toHex(hashValue(b))
export const blockHashBytes = (b: Block): Uint8Array => hashValue(b)
