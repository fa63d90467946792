// Blocks of the decided log: a header (height, slot, parent hash, the state root after the parent) and
// ordered signed transactions. The block hash is what consensus votes on.
import { z } from 'zod'
import { encode, hashValue } from '../core/encoding.ts'
import { AgoraError } from '../core/errors.ts'
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

export const BlockErrorCode = {
  WRONG_HEIGHT: 'BLOCK_WRONG_HEIGHT',
  WRONG_PARENT: 'BLOCK_WRONG_PARENT',
  WRONG_STATE_ROOT: 'BLOCK_WRONG_STATE_ROOT',
  SLOT_NOT_AFTER_PARENT: 'BLOCK_SLOT_NOT_AFTER_PARENT',
  SLOT_IN_FUTURE: 'BLOCK_SLOT_IN_FUTURE',
  TOO_LARGE: 'BLOCK_TOO_LARGE',
} as const
export type BlockErrorCode = (typeof BlockErrorCode)[keyof typeof BlockErrorCode]
export class BlockError extends AgoraError {
  constructor(override readonly code: BlockErrorCode, message: string) { super(code, message); this.name = 'BlockError' }
}

/** What a block is checked against: the tip it must extend and the slot the receiver is in. */
export interface BlockTip { readonly height: number; readonly lastBlockHash: string; readonly stateRoot: string; readonly lastSlot: number }

/**
 * The header rules of a block proposed at `height` on `tip` (its transactions are checked by the caller:
 * each must verify). `nowSlot` is the receiver's slot; one slot of clock skew is allowed.
 */
export function checkBlock(tip: BlockTip, height: number, block: Block, nowSlot: number): void {
  if (block.height !== height || block.height !== tip.height + 1) throw new BlockError(BlockErrorCode.WRONG_HEIGHT, `height ${block.height}, expected ${tip.height + 1}`)
  if (block.prevHash !== tip.lastBlockHash) throw new BlockError(BlockErrorCode.WRONG_PARENT, 'parent hash is not our tip')
  if (block.prevStateRoot !== tip.stateRoot) throw new BlockError(BlockErrorCode.WRONG_STATE_ROOT, 'previous state root differs from ours')
  if (block.slot <= tip.lastSlot) throw new BlockError(BlockErrorCode.SLOT_NOT_AFTER_PARENT, `slot ${block.slot} not after ${tip.lastSlot}`)
  if (block.slot > nowSlot + 1) throw new BlockError(BlockErrorCode.SLOT_IN_FUTURE, `slot ${block.slot} ahead of ${nowSlot}`)
  const size = encode(block).length
  if (size > MAX_BLOCK_BYTES) throw new BlockError(BlockErrorCode.TOO_LARGE, `${size} bytes > ${MAX_BLOCK_BYTES}`)
}
