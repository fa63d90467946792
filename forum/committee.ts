// Duty committees: stake-weighted sampling without replacement, seeded (e.g. by the previous block hash).
// Pure and integer-only: every node draws the same committee from the same stakes and seed.
import { toHex, u64be } from '../core/bytes.ts'
import { AgoraError } from '../core/errors.ts'
import { taggedHash } from '../core/hash.ts'
import type { MemberId } from '../core/ids.ts'

export interface WeightedMember { member: MemberId; stake: bigint }

/**
 * Draw `size` distinct members (or all with positive stake, if fewer), each draw with probability
 * stake / remaining stake. Draw i uses sha256-tagged(seed ‖ i) reduced mod the remaining total (256-bit
 * value, so the modulo bias is below 2^-190 for any realistic supply). Input order does not matter.
 */
export function assignCommittee(stakes: readonly WeightedMember[], seed: Uint8Array, size: number): MemberId[] {
  if (!Number.isSafeInteger(size) || size < 0) throw new AgoraError('BAD_COMMITTEE', `invalid committee size ${size}`)
  const seen = new Set<string>()
  const pool = stakes.filter((w) => w.stake > 0n).sort((a, b) => (a.member < b.member ? -1 : a.member > b.member ? 1 : 0))
  for (const w of pool) {
    if (seen.has(w.member)) throw new AgoraError('BAD_COMMITTEE', `duplicate member ${w.member}`)
    seen.add(w.member)
  }
  const n = pool.length
  const k = Math.min(size, n)
  // Fenwick tree over stakes: O(log n) to find the member at a cumulative offset and to remove it.
  const tree = new Array<bigint>(n + 1).fill(0n)
  let total = 0n
  for (let i = 0; i < n; i++) { addAt(tree, i, pool[i]!.stake); total += pool[i]!.stake }
  const out: MemberId[] = []
  for (let draw = 0; draw < k; draw++) {
    const r = BigInt('0x' + toHex(drawHash(seed, draw))) % total
    const i = findByOffset(tree, r)
    out.push(pool[i]!.member)
    addAt(tree, i, -pool[i]!.stake)
    total -= pool[i]!.stake
  }
  return out
}

function addAt(tree: bigint[], i: number, v: bigint): void {
  for (let j = i + 1; j < tree.length; j += j & -j) tree[j] = tree[j]! + v
}

/** Smallest index whose cumulative stake exceeds `r` (0 ≤ r < total). */
function findByOffset(tree: bigint[], r: bigint): number {
  let pos = 0
  let step = 1
  while (step * 2 < tree.length) step *= 2
  for (; step > 0; step >>= 1) {
    const next = pos + step
    if (next < tree.length && tree[next]! <= r) { pos = next; r -= tree[next]! }
  }
  return pos // 0-based index = 1-based position + 1 − 1
}

/** taggedHash('agora/committee', seed ‖ u64be(draw)), with the seed copied once per draw into a reused buffer. */
function drawHash(seed: Uint8Array, draw: number): Uint8Array {
  const buf = new Uint8Array(seed.length + 8)
  buf.set(seed)
  buf.set(u64be(draw), seed.length)
  return taggedHash('agora/committee', buf)
}
