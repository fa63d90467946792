// Property tests over random transaction sequences: conservation of REP and fee credits, no negative
// balance or post value, locked stake never spendable, failed transactions change nothing, and
// determinism (same steps → same state root; snapshot/restore and clone agree). The sequences include
// members paying pool fees (and running short: INSUFFICIENT), transaction fees and the free quota,
// governance posts and pools, challenge proposals and dispute pools; a coverage check says they were reached.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { toHex } from '../../core/bytes.ts'
import type { MemberId, PoolId, PostId } from '../../core/ids.ts'
import {
  advanceTo, applyTx, balanceOf, chargeFee, resolveDuePools, circulatingSupply, cloneState, createState, freeOf, openDisputePool, restore, snapshot, stateRoot, sumOfBalances,
  INCINERATOR, SYSTEM_SENDER, type ForumState, type ForumTx, type FeeClass,
} from '../../forum/index.ts'
import { parseRep } from '../../core/amount.ts'
import { isAgoraError } from '../../core/errors.ts'
import { signManifest, type SignedManifest } from '../../registry/manifest.ts'

const MEMBERS = ['ann', 'ben', 'cat', 'dan', 'eve'] as MemberId[]
const REP = 1_000_000_000n

// Abstract operations: indexes are resolved against what exists when the op runs.
type Op =
  | { k: 'post'; authors: [number, number][]; cites: [number, number][]; burn: number }
  | { k: 'pool'; post: number; fee: bigint; dur: number; binding: number; redistribute: boolean; quorum: number }
  | { k: 'stake'; pool: number; who: number; amount: bigint; inFavor: boolean }
  | { k: 'advance'; slots: number }
  | { k: 'resolve'; pool: number }
  | { k: 'avail'; who: number; amount: bigint; epochs: number }
  | { k: 'unavail'; who: number }
  | { k: 'business'; fee: bigint }
  | { k: 'due' }
  | { k: 'memberPool'; post: number; who: number; fee: bigint }
  | { k: 'gov'; who: number; change: number; value: number }
  | { k: 'propose'; who: number; manifest: number }
  | { k: 'dispute'; post: number; accused: number; weight: bigint }
  | { k: 'fee'; who: number; cls: FeeClass }

/** Parameter changes a governance post may ask for: inside the envelope, outside it, or out of bounds. */
const GOV_CHANGES: [string, number[]][] = [
  ['referenceChainLimit', [1, 2, 5]], ['winRatioPpm', [1, 500_000, 700_000]], ['mintingRatioPpm', [100_000_000, 2_000_000]],
  ['committeeSize', [2, 6]], ['postFee', [0, 5_000_000]],
]
const OWNER_SEEDS = [7, 9].map((b) => new Uint8Array(32).fill(b))
/** Signed challenge manifests (signed once: signing is the slow part). */
const MANIFESTS: SignedManifest[] = ['sorting', 'hashing', 'sorting'].map((name, i) => signManifest(OWNER_SEEDS[i % 2]!, {
  name, version: `1.${i}.0`, description: 'property', moduleHash: toHex(new Uint8Array(32).fill(i + 1)), entryPoints: ['evaluate'],
  policy: { fuelLimit: 1_000_000, memoryPages: 16, hostFunctions: ['input_read', 'output_write'], floats: 'deny' }, emissionSharePpm: 300_000,
} as Parameters<typeof signManifest>[1]))

const amount = fc.bigInt({ min: 0n, max: 15n * REP })
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant('post' as const), authors: fc.array(fc.tuple(fc.nat(4), fc.integer({ min: 1, max: 100 })), { minLength: 1, maxLength: 3 }),
    cites: fc.array(fc.tuple(fc.nat(50), fc.oneof(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.constantFrom(-1_000_000, -500_000, 500_000))), { maxLength: 3 }), burn: fc.integer({ min: 0, max: 300_000 }) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('pool' as const), post: fc.nat(50), fee: amount, dur: fc.integer({ min: 1, max: 20 }),
    binding: fc.integer({ min: 0, max: 1_000_000 }), redistribute: fc.boolean(), quorum: fc.constantFrom(0, 0, 100_000, 500_000) }) },
  { weight: 5, arbitrary: fc.record({ k: fc.constant('stake' as const), pool: fc.nat(50), who: fc.nat(4), amount, inFavor: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('advance' as const), slots: fc.integer({ min: 1, max: 25 }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('resolve' as const), pool: fc.nat(50) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('avail' as const), who: fc.nat(4), amount, epochs: fc.integer({ min: 1, max: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('unavail' as const), who: fc.nat(4) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('business' as const), fee: amount }) },
  { weight: 3, arbitrary: fc.constant({ k: 'due' as const }) },
  // Member pool fees up to 30 credits against 0–40 held: some are paid, some run short.
  { weight: 2, arbitrary: fc.record({ k: fc.constant('memberPool' as const), post: fc.nat(50), who: fc.nat(4), fee: fc.bigInt({ min: 0n, max: 30n * REP }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('gov' as const), who: fc.nat(4), change: fc.nat(GOV_CHANGES.length - 1), value: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('propose' as const), who: fc.nat(4), manifest: fc.nat(MANIFESTS.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('dispute' as const), post: fc.nat(50), accused: fc.nat(4), weight: amount }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('fee' as const), who: fc.nat(4), cls: fc.constantFrom<FeeClass>('post', 'tx', 'submission') }) },
)

/** What the sequences reached, over all runs (checked at the end: each must have happened at least once). */
const reached = new Set<string>()

const genesis = () => createState({
  rep: Object.fromEntries(MEMBERS.map((m, i) => [m, BigInt(i + 1) * 10n * REP])),
  credits: Object.fromEntries(MEMBERS.map((m, i) => [m, BigInt(i) * 10n * REP])),
  params: { submissionFee: 1000 },
})
const pick = <T>(xs: T[], i: number): T | undefined => (xs.length ? xs[i % xs.length] : undefined)

/** Turn an abstract op into a transaction (or a clock move) against the current state. */
function toTx(s: ForumState, op: Op, n: number): ForumTx | number {
  const posts = [...s.posts.keys()].sort()
  const all = [...s.pools.values()].sort((a, b) => (a.id < b.id ? -1 : 1))
  const pools = all.map((p) => p.id)
  // Mostly target pools where the op can succeed, sometimes any pool (so refusals are exercised too).
  const open = all.filter((p) => !p.outcome && s.slot < p.endSlot).map((p) => p.id)
  const due = all.filter((p) => !p.outcome && p.endSlot <= s.slot).map((p) => p.id)
  if (posts.length < 3 && op.k !== 'post') op = { k: 'post', authors: [[n % 5, 1]], cites: [], burn: 0 }
  switch (op.k) {
    case 'due': return -1
    case 'post': {
      const authors: Record<string, number> = {}
      const total = op.authors.reduce((a, [, w]) => a + w, 0)
      let left = 1_000_000
      op.authors.forEach(([m, w], i) => {
        const v = i === op.authors.length - 1 ? left : Math.floor((w * 1_000_000) / total)
        if (v > 0) { authors[MEMBERS[m]!] = (authors[MEMBERS[m]!] ?? 0) + v; left -= v }
      })
      const citations: Record<string, number> = {}
      // Cite mostly recent posts (they are the ones likely to have value and open pools).
      const recent = posts.length > 6 ? [...s.posts.values()].sort((a, b) => b.createdSlot - a.createdSlot || (a.id < b.id ? -1 : 1)).slice(0, 6).map((x) => x.id) : posts
      for (const [p, w] of op.cites) { const id = pick(p % 2 ? recent : posts, p); if (id && w !== 0) citations[id] = w }
      if (op.burn > 0) citations[INCINERATOR] = op.burn
      // Scale into the revaluation limit most of the time, so propagation is exercised (not just refusals).
      const abs = Object.values(citations).reduce((a, w) => a + Math.abs(w), 0)
      if (abs > 1_000_000 && n % 4 !== 0) for (const k of Object.keys(citations)) citations[k] = Math.trunc((citations[k]! * 1_000_000) / abs) || 1
      return { type: 'Post', sender: SYSTEM_SENDER, id: `P${n}` as PostId, authors, citations }
    }
    case 'pool':
      return { type: 'InitiatePool', sender: SYSTEM_SENDER, id: `V${n}` as PoolId, post: (pick(posts, op.post) ?? 'none') as PostId, fee: op.fee,
        durationSlots: op.dur, overrides: { bindingPpm: op.binding, redistributeLosingStakes: op.redistribute, quorumPpm: op.quorum } }
    case 'stake':
      return { type: 'Stake', sender: MEMBERS[op.who]!, pool: (pick(op.pool % 5 ? open : pools, op.pool) ?? 'none') as PoolId, amount: op.amount, inFavor: op.inFavor }
    case 'advance': return s.slot + op.slots
    case 'resolve': return { type: 'ResolvePool', sender: SYSTEM_SENDER, pool: (pick(op.pool % 5 ? due : pools, op.pool) ?? 'none') as PoolId }
    case 'avail': return { type: 'StakeAvailability', sender: MEMBERS[op.who]!, amount: op.amount, epochs: op.epochs + 1 }
    case 'unavail': return { type: 'UnstakeAvailability', sender: MEMBERS[op.who]! }
    case 'business': return { type: 'BusinessRequest', sender: SYSTEM_SENDER, fee: op.fee, request: 'job' }
    case 'memberPool': {
      // Governance posts need at least the governed fee: aim there half the time.
      const post = pick(posts, op.post) ?? 'none'
      const fee = s.posts.get(post as PostId)?.payload && op.fee % 2n === 0n ? op.fee + BigInt(s.params.govMinPoolFee) : op.fee
      return { type: 'InitiatePool', sender: MEMBERS[op.who]!, id: `V${n}` as PoolId, post: post as PostId, fee }
    }
    case 'gov': {
      const [key, values] = GOV_CHANGES[op.change]!
      return { type: 'Post', sender: MEMBERS[op.who]!, id: `G${n}` as PostId, authors: { [MEMBERS[op.who]!]: 1_000_000 }, citations: {}, payload: { kind: 'params', changes: { [key]: values[op.value % values.length]! } } }
    }
    case 'propose': return { type: 'ProposeChallenge', sender: MEMBERS[op.who]!, post: `C${n}` as PostId, signed: MANIFESTS[op.manifest]! }
    case 'dispute': case 'fee': throw new Error('not a transaction')
  }
}

/** Ops that act on the state directly (what the ledger does around transactions); returns ok or the error code. */
function directOp(s: ForumState, op: Extract<Op, { k: 'dispute' | 'fee' }>, n: number): string {
  try {
    if (op.k === 'fee') { chargeFee(s, MEMBERS[op.who]!, op.cls); return 'ok' }
    const post = [...s.posts.keys()].sort()[op.post % Math.max(1, s.posts.size)]
    if (!post) return 'none'
    openDisputePool(s, { id: `D${n}` as PoolId, post, accused: MEMBERS[op.accused]!, honestWeight: op.weight })
    return 'ok'
  } catch (e) {
    if (!isAgoraError(e)) throw e
    return e.code
  }
}

/** Record what a transaction's outcome shows about the paths it took (for the coverage check). */
function noteReached(s: ForumState, tx: ForumTx, ok: boolean, code: string | undefined, creditsBefore: bigint): void {
  if (tx.type === 'InitiatePool' && tx.sender !== SYSTEM_SENDER) {
    if (ok && tx.fee > 0n && s.accounts.get(tx.sender)!.credits === creditsBefore - tx.fee) reached.add('member debit')
    if (code === 'INSUFFICIENT') reached.add('INSUFFICIENT')
    if (ok && s.posts.get(tx.post)?.payload) reached.add('governance pool')
  }
  if (tx.type === 'Post' && tx.payload) reached.add(ok ? 'governance post' : `governance ${code}`)
  if (tx.type === 'ProposeChallenge' && ok) reached.add('ProposeChallenge')
  if (tx.type === 'ResolvePool' && ok) {
    const pool = s.pools.get(tx.pool)!
    if (pool.outcome?.passed && s.posts.get(pool.post)?.payload) reached.add('governance passed')
    if (pool.accused) reached.add('dispute resolved')
  }
}

function checkInvariants(s: ForumState, where: string): void {
  const t = s.totals
  let escrow = 0n
  const lockedByPools = new Map<string, bigint>()
  for (const p of s.pools.values()) {
    if (p.outcome) continue
    escrow += p.minted
    for (const [m, st] of p.stakes) lockedByPools.set(m, (lockedByPools.get(m) ?? 0n) + st.inFavor + st.against)
  }
  expect(t.escrow, `${where}: escrow`).toBe(escrow)
  expect(sumOfBalances(s) + t.escrow, `${where}: supply = genesis + minted − burned`).toBe(t.genesis + t.minted - t.burned)
  expect(circulatingSupply(s), where).toBe(sumOfBalances(s))
  let credits = s.feePot
  for (const [m, a] of s.accounts) {
    expect(a.rep >= 0n && a.locked >= 0n && a.credits >= 0n, `${where}: ${m} non-negative`).toBe(true)
    expect(a.locked <= a.rep, `${where}: ${m} locked ≤ balance`).toBe(true)
    const expected = (lockedByPools.get(m) ?? 0n) + (s.availability.get(m)?.amount ?? 0n)
    expect(a.locked, `${where}: ${m} locked = open stakes + availability`).toBe(expected)
    credits += a.credits
  }
  expect(credits, `${where}: credits conserved`).toBe(t.genesisCredits + t.deposited)
  for (const p of s.posts.values()) expect(p.value >= 0n, `${where}: post ${p.id} value ≥ 0`).toBe(true)
}

/** Run ops on `s`; returns the sequence of results (ok/code) for comparison between runs. */
function runOps(s: ForumState, ops: Op[], check: boolean, offset = 0): string[] {
  const log: string[] = []
  ops.forEach((op, i) => {
    const n = i + offset // ids derive from the op's position in the whole sequence
    if (op.k === 'dispute' || op.k === 'fee') { log.push(directOp(s, op, n)); if (check) checkInvariants(s, `op ${n} ${op.k}`); return }
    const tx = toTx(s, op, n)
    if (tx === -1) { log.push(`due:${resolveDuePools(s).length}`); if (check) checkInvariants(s, `op ${n} due`); return }
    if (typeof tx === 'number') { advanceTo(s, tx); log.push('advance'); if (check) checkInvariants(s, `op ${n} advance`); return }
    let before: Uint8Array | undefined
    if (check) { advanceTo(s, s.slot); before = snapshot(s) }
    // A stake above free REP must always be refused: locked REP is never spendable.
    const overFree = tx.type === 'Stake' && tx.amount > freeOf(s, tx.sender)
    const creditsBefore = s.accounts.get(tx.sender)?.credits ?? 0n
    const r = applyTx(s, tx, { slot: s.slot })
    log.push(r.ok ? 'ok' : r.code)
    noteReached(s, tx, r.ok, r.ok ? undefined : r.code, creditsBefore)
    if (overFree) expect(r.ok, `op ${n}: stake above free REP accepted`).toBe(false)
    if (check) {
      if (!r.ok) expect(toHex(snapshot(s)), `op ${n} ${tx.type} failed (${r.code}) but changed the state`).toBe(toHex(before!))
      checkInvariants(s, `op ${n} ${tx.type}`)
    }
  })
  return log
}

describe('forum properties', () => {
  it('conserves supply, keeps balances and posts non-negative, locks stakes, and fails atomically', () => {
    fc.assert(fc.property(fc.array(opArb, { minLength: 20, maxLength: 120, size: 'max' }), (ops) => {
      const s = genesis()
      const log = runOps(s, ops, true)
      // Drain: move past every pool and resolve them all; invariants still hold and nothing stays locked in pools.
      advanceTo(s, s.slot + 100)
      for (const p of [...s.pools.values()].filter((x) => !x.outcome)) applyTx(s, { type: 'ResolvePool', sender: SYSTEM_SENDER, pool: p.id }, { slot: s.slot })
      checkInvariants(s, 'after drain')
      expect(s.totals.escrow).toBe(0n)
      return log.length === ops.length
    }), { numRuns: 70 })
    // The sequences must have gone down the paths this test is for (else it proves nothing about them).
    for (const path of ['member debit', 'INSUFFICIENT', 'governance post', 'governance OUTSIDE_ENVELOPE', 'governance pool', 'ProposeChallenge', 'dispute resolved']) {
      expect(reached, `no sequence reached: ${path}`).toContain(path)
    }
  })

  it('is deterministic: same steps on fresh instances give the same root; snapshot/restore and clone agree', () => {
    fc.assert(fc.property(fc.array(opArb, { minLength: 10, maxLength: 80, size: 'max' }), fc.nat(60), (ops, cut) => {
      const a = genesis(), b = genesis()
      const la = runOps(a, ops, false), lb = runOps(b, ops, false)
      expect(la).toEqual(lb)
      expect(toHex(stateRoot(a))).toBe(toHex(stateRoot(b)))
      // Restored state encodes to the same bytes and behaves the same afterwards.
      const bytes = snapshot(a)
      const r = restore(bytes)
      expect(toHex(snapshot(r))).toBe(toHex(bytes))
      // Clone part-way: the clone and the original continue identically; the original is unaffected by the clone.
      const c1 = genesis()
      const k = cut % (ops.length + 1)
      runOps(c1, ops.slice(0, k), false)
      const c2 = cloneState(c1)
      runOps(c1, ops.slice(k), false, k)
      expect(toHex(stateRoot(c1))).toBe(toHex(stateRoot(a)))
      runOps(c2, ops.slice(k), false, k)
      expect(toHex(stateRoot(c2))).toBe(toHex(stateRoot(a)))
      runOps(r, [{ k: 'advance', slots: 50 }], false)
      runOps(a, [{ k: 'advance', slots: 50 }], false)
      expect(toHex(stateRoot(r))).toBe(toHex(stateRoot(a)))
    }), { numRuns: 40 })
  })

  it('a leach never takes locked REP: it takes min(leach, post value, free REP) and refunds the rest', () => {
    fc.assert(fc.property(
      fc.bigInt({ min: 0n, max: 50n * REP }), fc.bigInt({ min: 1n, max: 50n * REP }), fc.bigInt({ min: 0n, max: 100n }),
      fc.integer({ min: 1, max: 1_000_000 }), fc.bigInt({ min: 1n, max: 80n * REP }),
      (g, fee1, lockPct, w, fee2) => {
        const s = createState({ rep: { alice: g } })
        const sys = SYSTEM_SENDER, alice = 'alice' as MemberId
        const at = (slot: number, tx: ForumTx) => { const r = applyTx(s, tx, { slot }); expect(r.ok, r.ok ? '' : r.message).toBe(true) }
        at(0, { type: 'Post', sender: sys, id: 'P1' as PostId, authors: { alice: 1_000_000 }, citations: {} })
        at(0, { type: 'InitiatePool', sender: sys, id: 'V1' as PoolId, post: 'P1' as PostId, fee: fee1 })
        at(16, { type: 'ResolvePool', sender: sys, pool: 'V1' as PoolId })
        const value1 = s.posts.get('P1' as PostId)!.value
        expect(value1).toBe(fee1) // an uncontested pool passes and the post gets the whole mint
        const lock = ((g + value1) * lockPct) / 100n
        at(16, { type: 'Post', sender: sys, id: 'PX' as PostId, authors: { zed: 1_000_000 }, citations: {} })
        at(16, { type: 'InitiatePool', sender: sys, id: 'V2' as PoolId, post: 'PX' as PostId, fee: 0n, durationSlots: 100 })
        if (lock > 0n) at(16, { type: 'Stake', sender: alice, pool: 'V2' as PoolId, amount: lock, inFavor: true })
        const before = balanceOf(s, alice)
        at(16, { type: 'Post', sender: sys, id: 'P2' as PostId, authors: { bob: 1_000_000 }, citations: { P1: -w } })
        at(16, { type: 'InitiatePool', sender: sys, id: 'V3' as PoolId, post: 'P2' as PostId, fee: fee2 })
        at(32, { type: 'ResolvePool', sender: sys, pool: 'V3' as PoolId })
        const award = s.pools.get('V3' as PoolId)!.outcome!.postAward
        const want = (award * BigInt(w)) / 1_000_000n
        const free = before - lock
        const cap = [want, value1, free].reduce((a, b) => (a < b ? a : b))
        const taken = before - balanceOf(s, alice)
        expect(taken).toBe(cap)
        expect(balanceOf(s, alice) >= lock).toBe(true)
        expect(balanceOf(s, 'bob' as MemberId)).toBe(award + taken)
        expect(s.posts.get('P1' as PostId)!.value).toBe(value1 - taken)
      }), { numRuns: 200 })
  })

  it('the state root changes when any balance changes', () => {
    const s = genesis()
    const root = toHex(stateRoot(s))
    const c = cloneState(s)
    c.accounts.get(MEMBERS[0]!)!.rep += 1n
    expect(toHex(stateRoot(c))).not.toBe(root)
    expect(toHex(stateRoot(s))).toBe(root)
    expect(parseRep('1')).toBe(REP)
  })
})
