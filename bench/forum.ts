// Forum benchmarks: (1) applying 100k random transactions (posts with citations, pools, stakes,
// resolutions); (2) propagation through a 1M-post citation graph with referenceChainLimit 3;
// (3) committee assignment over 1,000 validators; (4) a 1,000-tx block applied with its new state root at
// 1M posts / 100k pools and at 10k posts / 1k pools (the root must not grow with the state).
// `npm run bench -- forum [--posts N] [--txs N] [--block-posts N] [--only <case prefix>]`.
import { performance } from 'node:perf_hooks'
import { u64be } from '../core/bytes.ts'
import type { MemberId, PoolId, PostId } from '../core/ids.ts'
import {
  applyTx, assignCommittee, createState, forumTree, resolveDuePools, stateRoot, SYSTEM_SENDER, type ForumState, type ForumTx, type WeightedMember,
} from '../forum/index.ts'
import { median, report, round, timeIt } from './report.ts'

const REP = 1_000_000_000n

/** mulberry32: a seeded PRNG for generating workloads (the state machine itself never draws). */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const member = (i: number) => `m${i}` as MemberId
function genesis(members: number): ForumState {
  const rep: Record<string, bigint> = {}
  for (let i = 0; i < members; i++) rep[member(i)] = 1000n * REP
  return createState({ rep })
}

/** A random workload with its slots: ~25 % posts (≤ 3 citations, some negative), 10 % pools, 55 % stakes, 10 % resolves. */
function workload(n: number, members: number, seed: number): { tx: ForumTx; slot: number }[] {
  const rnd = prng(seed)
  const int = (k: number) => Math.floor(rnd() * k)
  const out: { tx: ForumTx; slot: number }[] = []
  const posts: PostId[] = []
  const pools: { id: PoolId; end: number }[] = []
  let slot = 0
  for (let i = 0; i < n; i++) {
    if (i % 20 === 19) slot++
    const r = rnd()
    let tx: ForumTx
    if (r < 0.25 || posts.length < 10) {
      const id = `P${i}` as PostId
      const citations: Record<string, number> = {}
      const k = posts.length ? int(4) : 0
      for (let c = 0; c < k; c++) citations[posts[posts.length - 1 - int(Math.min(posts.length, 200))]!] = rnd() < 0.2 ? -200_000 : 250_000
      const a = member(int(members))
      tx = { type: 'Post', sender: a, id, authors: { [a]: 1_000_000 }, citations }
      posts.push(id)
    } else if (r < 0.35) {
      const id = `V${i}` as PoolId
      tx = { type: 'InitiatePool', sender: SYSTEM_SENDER, id, post: posts[int(posts.length)]!, fee: BigInt(1 + int(100)) * REP }
      pools.push({ id, end: slot + 16 })
    } else if (r < 0.9 && pools.length) {
      const p = pools[pools.length - 1 - int(Math.min(pools.length, 30))]!
      tx = { type: 'Stake', sender: member(int(members)), pool: p.id, amount: BigInt(1 + int(20)) * REP, inFavor: rnd() < 0.6 }
    } else {
      const due = pools.findIndex((p) => p.end <= slot)
      const p = due >= 0 ? pools.splice(due, 1)[0]! : pools[int(pools.length)] ?? { id: 'none' as PoolId }
      tx = { type: 'ResolvePool', sender: SYSTEM_SENDER, pool: p.id }
    }
    out.push({ tx, slot })
  }
  return out
}

function applyAll(s: ForumState, txs: { tx: ForumTx; slot: number }[]): number {
  let okCount = 0
  for (const { tx, slot } of txs) if (applyTx(s, tx, { slot }).ok) okCount++
  return okCount
}

async function benchTransactions(n: number): Promise<void> {
  const members = 1000
  const txs = workload(n, members, 42)
  const samples: number[] = []
  let okCount = 0
  let last: ForumState | undefined
  for (let r = 0; r < 3; r++) {
    const s = genesis(members)
    const t0 = performance.now()
    okCount = applyAll(s, txs)
    samples.push(performance.now() - t0)
    last = s
  }
  const ms = median(samples)
  const t0 = performance.now()
  stateRoot(last!)
  const rootMs = performance.now() - t0
  const resolved = [...last!.pools.values()].filter((p) => p.outcome).length
  report('forum', 'apply-random-transactions', {
    txs: n, members, accepted: okCount, poolsResolved: resolved, posts: last!.posts.size,
    ms: round(ms, 1), txPerSec: Math.round((n * 1000) / ms), stateRootMs: round(rootMs, 1),
  })
}

async function benchPropagation(nPosts: number): Promise<void> {
  const rnd = prng(7)
  const s = genesis(1000)
  const t0 = performance.now()
  // Each post cites up to 3 earlier posts (two positive, sometimes one negative): a wide random DAG.
  for (let i = 0; i < nPosts; i++) {
    const citations: Record<string, number> = {}
    if (i > 0) for (let c = 0; c < 3; c++) citations[`P${Math.floor(rnd() * i)}`] = c === 2 ? -100_000 : 300_000
    const a = member(i % 1000)
    const r = applyTx(s, { type: 'Post', sender: a, id: `P${i}` as PostId, authors: { [a]: 1_000_000 }, citations }, { slot: 0 })
    if (!r.ok) throw new Error(r.message)
  }
  const buildMs = performance.now() - t0
  const pools = 2000
  for (let i = 0; i < pools; i++) {
    applyTx(s, { type: 'InitiatePool', sender: SYSTEM_SENDER, id: `V${i}` as PoolId, post: `P${nPosts - 1 - Math.floor(rnd() * nPosts)}` as PostId, fee: 10n * REP }, { slot: 0 })
  }
  const samples: number[] = []
  let touched = 0
  for (let i = 0; i < pools; i++) {
    const t = performance.now()
    const r = applyTx(s, { type: 'ResolvePool', sender: SYSTEM_SENDER, pool: `V${i}` as PoolId }, { slot: 16 })
    samples.push(performance.now() - t)
    if (!r.ok) throw new Error(r.message)
  }
  for (const p of s.posts.values()) if (p.value > 0n) touched++
  report('forum', 'propagation-1M-post-graph', {
    posts: nPosts, referenceChainLimit: s.params.referenceChainLimit, citationsPerPost: 3, buildMs: round(buildMs, 0),
    postInsertPerSec: Math.round((nPosts * 1000) / buildMs), resolutions: pools,
    resolveMedianMs: round(median(samples), 4), resolveP99Ms: round([...samples].sort((a, b) => a - b)[Math.floor(samples.length * 0.99)]!, 4),
    postsWithValue: touched,
  })
}

async function benchCommittee(): Promise<void> {
  const rnd = prng(3)
  const stakes: WeightedMember[] = Array.from({ length: 1000 }, (_, i) => ({ member: member(i), stake: BigInt(1 + Math.floor(rnd() * 10_000)) * REP }))
  for (const size of [4, 64, 256]) {
    let i = 0
    const t = await timeIt(() => assignCommittee(stakes, u64be(i++, 32), size), { iterations: 200, repeats: 5 })
    report('forum', `committee-1000-validators-size-${size}`, { validators: 1000, size, msPerAssignment: t.msPerOp, assignmentsPerSec: t.opsPerSec })
  }
}

/** A forum with `posts` posts (set directly, not through transactions) and `pools` open pools, its root built. */
function bigForum(posts: number, pools: number): { s: ForumState; buildMs: number; firstRootMs: number } {
  const t0 = performance.now()
  const s = genesis(1000)
  for (let i = 0; i < posts; i++) {
    const a = member(i % 1000)
    s.posts.set(`P${i}` as PostId, { id: `P${i}` as PostId, sender: a, authors: [{ member: a, weightPpm: 1_000_000 }], citations: [], value: 0n, createdSlot: 0 })
  }
  for (let i = 0; i < pools; i++) {
    const r = applyTx(s, { type: 'InitiatePool', sender: SYSTEM_SENDER, id: `V${i}` as PoolId, post: `P${(i * 7919) % posts}` as PostId, fee: REP, durationSlots: 1_000_000 }, { slot: 0 })
    if (!r.ok) throw new Error(r.message)
  }
  const t1 = performance.now()
  stateRoot(s)
  return { s, buildMs: t1 - t0, firstRootMs: performance.now() - t1 }
}

/** One block: 40 % posts citing two earlier posts, 50 % stakes on open pools, 10 % new pools; then its root. */
function blockTxs(block: number, n: number, posts: number, pools: number, rnd: () => number): ForumTx[] {
  const int = (k: number) => Math.floor(rnd() * k)
  return Array.from({ length: n }, (_, i): ForumTx => {
    const r = rnd()
    const a = member(int(1000))
    if (r < 0.4) return { type: 'Post', sender: a, id: `B${block}-${i}` as PostId, authors: { [a]: 1_000_000 }, citations: { [`P${int(posts)}`]: 250_000, [`P${int(posts)}`]: 250_000 } }
    if (r < 0.9) return { type: 'Stake', sender: a, pool: `V${int(pools)}` as PoolId, amount: REP, inFavor: rnd() < 0.6 }
    return { type: 'InitiatePool', sender: SYSTEM_SENDER, id: `W${block}-${i}` as PoolId, post: `P${int(posts)}` as PostId, fee: REP, durationSlots: 1_000_000 }
  })
}

/** CPU time of this process (all its threads, GC helpers included): less skewed than wall time by other load. */
const cpuMs = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }

function blockApplyAndRoot(posts: number, pools: number, blocks: number) {
  const { s, buildMs, firstRootMs } = bigForum(posts, pools)
  const rnd = prng(11)
  const total: number[] = [], apply: number[] = [], cpu: number[] = [], cpuRoot: number[] = []
  let accepted = 0
  // What the root did over the blocks (the tree counts its own work; see MerkleTree.work).
  const work = forumTree(s).work
  const w0 = { ...work }
  for (let b = 0; b < blocks; b++) {
    const txs = blockTxs(b, 1000, posts, pools, rnd)
    const c0 = cpuMs()
    const t0 = performance.now()
    resolveDuePools(s)
    for (const tx of txs) if (applyTx(s, tx, { slot: 1 + b }).ok) accepted++
    const t1 = performance.now()
    const c1 = cpuMs()
    stateRoot(s)
    total.push(performance.now() - t0)
    const c2 = cpuMs()
    cpu.push(c2 - c0)
    cpuRoot.push(c2 - c1)
    apply.push(t1 - t0)
  }
  return {
    buildMs, firstRootMs, msApplyAndRoot: median(total), msApply: median(apply), cpuMsApplyAndRoot: median(cpu), cpuMsRoot: median(cpuRoot), accepted,
    leafWrites: (work.leafWrites - w0.leafWrites) / blocks, branchHashes: (work.branchHashes - w0.branchHashes) / blocks,
  }
}

async function benchBlockApply(posts: number): Promise<void> {
  const blocks = 9
  // Unmeasured: the same blocks once at 10k first, so the 10k figures are not the code's first (unoptimised) runs.
  blockApplyAndRoot(10_000, 1_000, blocks)
  const small = blockApplyAndRoot(10_000, 1_000, blocks)
  const big = blockApplyAndRoot(posts, posts / 10, blocks)
  report('forum', 'block-apply-1m-posts', {
    posts, pools: posts / 10, txsPerBlock: 1000, blocks, buildMs: round(big.buildMs, 0), firstRootMs: round(big.firstRootMs, 0),
    msApplyAndRoot: round(big.msApplyAndRoot, 1), msApply: round(big.msApply, 1),
    msApplyAndRoot10k: round(small.msApplyAndRoot, 1), msApply10k: round(small.msApply, 1),
    ratio: round(big.msApplyAndRoot / small.msApplyAndRoot, 2), acceptedPerBlock: Math.round(big.accepted / blocks),
    cpuMsApplyAndRoot: round(big.cpuMsApplyAndRoot, 1), cpuMsApplyAndRoot10k: round(small.cpuMsApplyAndRoot, 1),
    cpuRatio: round(big.cpuMsApplyAndRoot / small.cpuMsApplyAndRoot, 2),
    cpuMsRoot: round(big.cpuMsRoot, 1), cpuMsRoot10k: round(small.cpuMsRoot, 1),
    leafWritesPerBlock: Math.round(big.leafWrites), branchHashesPerBlock: Math.round(big.branchHashes),
    leafWritesPerBlock10k: Math.round(small.leafWrites), branchHashesPerBlock10k: Math.round(small.branchHashes),
  })
}

export async function run(args: string[]): Promise<void> {
  const arg = (name: string, dflt: number) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : dflt }
  const only = args.indexOf('--only') >= 0 ? args[args.indexOf('--only') + 1]! : ''
  const want = (c: string) => c.startsWith(only)
  if (want('apply-random-transactions')) await benchTransactions(arg('--txs', 100_000))
  if (want('committee-')) await benchCommittee()
  if (want('propagation-')) await benchPropagation(arg('--posts', 1_000_000))
  if (want('block-apply-')) await benchBlockApply(arg('--block-posts', 1_000_000))
}
