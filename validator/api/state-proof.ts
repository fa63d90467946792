// The client side of state proofs: checks a StateProofDto (view.ts; one leaf of the authenticated state,
// ledger/state-tree.ts, with its Merkle proof, bytes as hex) against a state root the client trusts — a
// certified header's prevStateRoot or a checkpoint's root — and the limit on keys the API proves.
import { fromHex } from '../../core/bytes.ts'
import { verifyProof, type StateProof } from '../../ledger/state-tree.ts'
import type { StateProofDto } from './view.ts'

/** Longest key the API proves: `forum/<section>/<id>` with ids of at most 128 characters. */
export const MAX_PROOF_KEY_CHARS = 256
/** Levels a proof may have: 64 nibbles of a 32-byte path. */
const MAX_LEVELS = 64
const ARITY = 16

const HEX32 = /^[0-9a-f]{64}$/
const HEX = /^(?:[0-9a-f]{2})*$/

/** Parse a DTO back into a proof; undefined when any field is out of shape (so it proves nothing). */
function parseDto(d: StateProofDto): StateProof | undefined {
  if ((d.tree !== 'forum' && d.tree !== 'ledger') || !HEX32.test(d.otherRoot) || (d.value !== null && !HEX.test(d.value))) return undefined
  if (!Array.isArray(d.levels) || d.levels.length > MAX_LEVELS) return undefined
  if (!d.levels.every((l) => Array.isArray(l) && l.length === ARITY && l.every((h) => HEX32.test(h)))) return undefined
  if (d.otherLeaf && (!HEX32.test(d.otherLeaf.path) || !HEX32.test(d.otherLeaf.hash))) return undefined
  return {
    tree: d.tree, value: d.value === null ? null : fromHex(d.value), otherRoot: fromHex(d.otherRoot),
    proof: { levels: d.levels.map((l) => l.map(fromHex)), ...(d.otherLeaf ? { other: { path: fromHex(d.otherLeaf.path), hash: fromHex(d.otherLeaf.hash) } } : {}) },
  }
}

/**
 * Whether the DTO proves its key holding its value (or being absent) under `trustedRoot` (hex). The caller
 * gets `trustedRoot` from somewhere it trusts, never from the DTO's own stateRoot field.
 */
export function verifyStateProofDto(d: StateProofDto, trustedRoot: string): boolean {
  const p = parseDto(d)
  return !!p && verifyProof(trustedRoot, d.key, p.value, p)
}
