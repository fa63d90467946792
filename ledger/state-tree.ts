// The ledger's state root and proofs. Two authenticated trees (core/merkle.ts), each updated
// incrementally (core/state-tree.ts): the forum's (forum/root.ts) and the ledger's own, with a leaf per
// submission, epoch result, miner uid, sender nonce and registered validator key, plus a `meta` leaf
// (log position, epoch seed, challenge table, pending ids).
//   root = taggedHash('agora/ledger-state/3', forumStateRoot ‖ ledgerTreeRoot)
// A proof of one leaf against a header's root: `proveKey`, checked by `verifyProof`.
import { concatBytes, toHex } from '../core/bytes.ts'
import { taggedHash } from '../core/hash.ts'
import { type MerkleProof, pathOf, rootFromProof } from '../core/merkle.ts'
import { type Section, type TreeSpec, leafBytes, syncTree } from '../core/state-tree.ts'
import { peek } from '../core/tracked-map.ts'
import * as forum from '../forum/index.ts'
import { FORUM_TREE } from '../forum/root.ts'
import { submissionRow, type EpochResult, type SubmissionRecord } from './evaluations.ts'
import type { LedgerState } from './ledger.ts'
import type { ValidatorKeys } from './validator-keys.ts'

export const LEDGER_ROOT_TAG = 'agora/ledger-state/3'
const VERSION = 3

type AnyMap<V> = Map<string | number, V>
const section = <V>(prefix: string, mutableValues: boolean, read: (s: LedgerState) => AnyMap<V>, replace: (s: LedgerState, m: AnyMap<V>) => void, row: (v: V) => unknown): Section<LedgerState, V> =>
  ({ prefix, mutableValues, read, replace, row })

export const LEDGER_TREE: TreeSpec<LedgerState> = {
  sections: [
    section<SubmissionRecord>('submission', true, (s) => s.evals.submissions as AnyMap<SubmissionRecord>, (s, m) => { s.evals.submissions = m as Map<string, SubmissionRecord> }, submissionRow),
    section<EpochResult>('result', true, (s) => s.evals.results as AnyMap<EpochResult>, (s, m) => { s.evals.results = m as Map<number, EpochResult> }, (r) => r),
    section<number>('nonce', false, (s) => s.nonces as AnyMap<number>, (s, m) => { s.nonces = m as Map<string, number> }, (n) => n),
    section<ValidatorKeys>('validatorKeys', false, (s) => s.validatorKeys as AnyMap<ValidatorKeys>, (s, m) => { s.validatorKeys = m as Map<string, ValidatorKeys> },
      (k) => [k.blsPublicKey, k.evmAddress]),
  ] as unknown as Section<LedgerState, unknown>[],
  // Miners only ever get a uid appended (evaluations.ts addSubmission).
  arrays: [{ prefix: 'miner', read: (s) => s.evals.miners }],
  meta: (s) => ({
    v: VERSION, height: s.height, last: s.lastBlockHash, slot: s.lastSlot, seed: s.epochSeed, prevSeed: s.prevEpochSeed,
    challenges: s.challengeTable, genesisChallenges: s.genesisChallenges, pending: s.evals.pending,
  }),
}

const combine = (forumRoot: Uint8Array, ledgerTreeRoot: Uint8Array): string => toHex(taggedHash(LEDGER_ROOT_TAG, concatBytes(forumRoot, ledgerTreeRoot)))

/** The state root in the next block header (hex); costs what changed since the last root, not the state's size. */
export function ledgerStateRoot(s: LedgerState): string {
  return combine(forum.stateRoot(s.forum), syncTree(LEDGER_TREE, s).root())
}

const FORUM_PREFIXES = new Set([...FORUM_TREE.sections.map((x) => x.prefix), 'meta'].map((p) => `forum/${p}`))

/**
 * A leaf of the state: `forum/<section>/<id>` (e.g. `forum/account/m1`, `forum/post/P7`, `forum/meta`) or
 * `<section>/<id>` of the ledger tree (`nonce/m1`, `submission/<id>`, `miner/0`, `meta`).
 */
export interface StateProof {
  /** Which tree holds the key. */
  readonly tree: 'forum' | 'ledger'
  /** Canonical bytes of the leaf's value (DAG-CBOR of its row), null when absent. */
  readonly value: Uint8Array | null
  readonly proof: MerkleProof
  /** forumStateRoot for a ledger key, the ledger tree's root for a forum key. */
  readonly otherRoot: Uint8Array
}

const treeOf = (key: string): { tree: 'forum' | 'ledger'; leaf: string } => {
  const slash = key.indexOf('/', 'forum/'.length)
  const head = slash < 0 ? key : key.slice(0, slash)
  return key.startsWith('forum/') && FORUM_PREFIXES.has(head) ? { tree: 'forum', leaf: key.slice('forum/'.length) } : { tree: 'ledger', leaf: key }
}

/** The value of `key` in `s` with a proof against `ledgerStateRoot(s)`. */
export function proveKey(s: LedgerState, key: string): StateProof {
  const { tree, leaf } = treeOf(key)
  const forumTree = forum.forumTree(s.forum)
  const ledgerTree = syncTree(LEDGER_TREE, s)
  const t = tree === 'forum' ? forumTree : ledgerTree
  const proof = t.prove(pathOf(leaf))
  const value = leafValue(s, tree, leaf)
  const otherRoot = tree === 'forum' ? ledgerTree.root() : forum.stateRoot(s.forum)
  return { tree, value, proof, otherRoot }
}

/** The canonical bytes a leaf holds (re-encoded from the state: the tree stores only hashes). */
function leafValue(s: LedgerState, tree: 'forum' | 'ledger', leaf: string): Uint8Array | null {
  if (leaf === 'meta') return leafBytes(tree === 'forum' ? FORUM_TREE.meta(s.forum) : LEDGER_TREE.meta(s))
  const slash = leaf.indexOf('/')
  if (slash < 0) return null
  const prefix = leaf.slice(0, slash)
  const id = leaf.slice(slash + 1)
  if (tree === 'ledger') {
    const arr = LEDGER_TREE.arrays.find((a) => a.prefix === prefix)
    if (arr) { const xs = arr.read(s); return /^\d+$/.test(id) && Number(id) < xs.length ? leafBytes(xs[Number(id)]) : null }
  }
  const secs = (tree === 'forum' ? FORUM_TREE.sections : LEDGER_TREE.sections) as unknown as readonly Section<object, unknown>[]
  const sec = secs.find((x) => x.prefix === prefix)
  if (!sec) return null
  const m = sec.read(tree === 'forum' ? s.forum : s)
  const v = peek(m, id) ?? (/^\d+$/.test(id) ? peek(m, Number(id)) : undefined)
  return v === undefined ? null : leafBytes(sec.row(v))
}

/** Whether `p` proves `key` holding `value` (canonical bytes; null = absent) under the header root `root` (hex). */
export function verifyProof(root: string, key: string, value: Uint8Array | null, p: StateProof): boolean {
  const { tree, leaf } = treeOf(key)
  if (tree !== p.tree || p.otherRoot.length !== 32) return false
  const sub = rootFromProof(pathOf(leaf), value, p.proof)
  if (sub === null) return false
  const got = tree === 'forum' ? combine(taggedHash(forum.FORUM_ROOT_TAG, sub), p.otherRoot) : combine(p.otherRoot, sub)
  return got === root.replace(/^0x/, '').toLowerCase()
}
