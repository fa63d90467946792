// bench node: a 4-validator local network of real `agora node` processes on this machine (no chain).
// Prints: one-way gossip latency between two libp2p hosts (the floor's unit: QBFT needs 3 message delays),
// block finality (slot start → decided) p50/p99 from the nodes' own metrics, submissions finalized per
// second end to end (API → gossip → block → evaluation on every committee member → reports in a block →
// final score), CPU and RSS per node at idle and under load (from /proc), and block finality while the
// spam load of issue 15 runs (fat posts through every API and over raw gossip from an outside peer).
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { report, median, percentile, round } from './report.ts'
import { buildLocalNetwork } from '../validator/app/genesis-builder.ts'
import { BUILD_DIR } from '../challenges/build.ts'
import { AGORA_BIN, NODE_V8_FLAGS } from '../tools/devnet/launch.ts'
import { freePorts } from '../tools/devnet/ports.ts'
import { readNodeJson } from '../tools/devnet/probe.ts'
import { deriveNodeKeys } from '../core/crypto/keys.ts'
import { cidOfBytes } from '../core/encoding.ts'
import { signTransaction, graphqlRequest } from '../validator/api/client.ts'
import { Topic } from '../validator/infra/p2p/index.ts'
import { decode } from '../core/encoding.ts'
import { startNetwork, stopAll, sleep, waitFor } from '../test/p2p/helpers.ts'
import { apiBurst, fatPost, gossipBurst } from '../test/helpers/spam-load.ts'
import { chain, ids } from '../test/ledger/chain.ts'
import { fromHex } from '../core/bytes.ts'
import { encode } from '../core/encoding.ts'
import { BlockSchema, checkBlock, type Block } from '../ledger/block.ts'
import { applyBlock, ledgerStateRoot } from '../ledger/ledger.ts'
import { verifyTx, type SignedTx } from '../ledger/txs.ts'
import { createMempool } from '../validator/core/mempool-policy.ts'
import { txHead } from '../validator/core/tx-verifier.ts'
import { MAX_PROPOSAL_BYTES } from '../validator/core/limits.ts'

const B = 'node'
const VALIDATORS = 4
const SLOT_MS = 1000
/** Slots measured without spam right before the burst (the same machine load, for the ratio). */
const BASELINE_SLOTS = 15

/** AGORA_BENCH_NODE_FLAGS: extra node flags for the nodes only (profiling: `--cpu-prof --cpu-prof-dir=D`). */
const profileFlags = (): string[] => (process.env.AGORA_BENCH_NODE_FLAGS ?? '').split(' ').filter((f) => f !== '')

interface Running { proc: ChildProcess; apiPort: number; pid: number }

function cpuTicks(pid: number): number {
  let stat: string
  try { stat = readFileSync(`/proc/${pid}/stat`, 'utf8') } catch { throw new Error(`node process ${pid} died during the benchmark`) }
  const f = stat.split(') ')[1]!.split(' ')
  return Number(f[11]) + Number(f[12]) // utime + stime (fields 14 and 15), in clock ticks (100 Hz)
}
const rssMb = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024

async function sampleProcesses(nodes: Running[], seconds: number) {
  const t0 = nodes.map((n) => cpuTicks(n.pid))
  await sleep(seconds * 1000)
  return nodes.map((n, i) => ({ cpuPct: round(((cpuTicks(n.pid) - t0[i]!) / 100 / seconds) * 100, 1), rssMb: round(rssMb(n.pid), 1) }))
}

async function metric(apiPort: number, name: string): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${apiPort}/metrics`)).text()
  const out = new Map<string, number>()
  for (const line of text.split('\n')) if (line.startsWith(name)) { const [k, v] = line.split(' '); out.set(k!, Number(v)) }
  return out
}
const finals = async (apiPort: number) => [...(await metric(apiPort, 'agora_final_scores_total')).values()].reduce((a, b) => a + b, 0)
const nodeHeight = async (apiPort: number) => {
  const r = await graphqlRequest<{ node: { height: number } }>(`http://127.0.0.1:${apiPort}/graphql`, '{ node { height } }')
  return r.data?.node.height ?? 0
}

async function gossipFloor(): Promise<number> {
  const hosts = await startNetwork(2, 'bench-node-floor')
  const arrivals = new Map<number, number>()
  hosts[1]!.gossip.subscribe(Topic.consensus, { validate: () => 'accept', onMessage: (env) => { arrivals.set((decode(env.payload) as { id: number }).id, performance.now()) } })
  hosts[0]!.gossip.subscribe(Topic.consensus, { validate: () => 'accept', onMessage: () => {} })
  await sleep(2000) // mesh
  const sent = new Map<number, number>()
  for (let i = 0; i < 100; i++) { sent.set(i, performance.now()); await hosts[0]!.gossip.publish(Topic.consensus, { id: i }); await sleep(10) }
  await waitFor('probes', () => arrivals.size >= 95, 20_000).catch(() => {})
  const lat = [...sent].filter(([id]) => arrivals.has(id)).map(([id, t]) => arrivals.get(id)! - t)
  await stopAll(hosts)
  const p50 = percentile(lat, 50)
  report(B, 'gossip-one-way-2-hosts', { probes: lat.length, p50Ms: round(p50, 2), p99Ms: round(percentile(lat, 99), 2) })
  return p50
}

/**
 * `npm run bench -- node [loadSeconds] [--spam-only | --costs-only | --idle-only]`: --spam-only runs the
 * in-process costs and the spam case only (profiling), --costs-only the in-process costs only, --idle-only
 * stops after the idle cases (idle-per-node, block-finality-idle).
 */
/** Block finality p50/p99 from a node's own summary metric, against the 3-hop gossip floor of this run. */
async function reportFinality(apiPort: number, name: string, gossipP50: number): Promise<void> {
  const q = await metric(apiPort, 'agora_block_finality_quantiles_seconds')
  const p = (k: string) => round((q.get(`agora_block_finality_quantiles_seconds{quantile="${k}"}`) ?? NaN) * 1000, 1)
  report(B, name, {
    blocks: q.get('agora_block_finality_quantiles_seconds_count') ?? 0, p50Ms: p('0.5'), p99Ms: p('0.99'), gossipOneWayP50Ms: round(gossipP50, 2),
    floorMs: round(3 * gossipP50, 2), p50OverFloor: round(p('0.5') / (3 * gossipP50), 1),
  })
}

export async function run(args: string[]): Promise<void> {
  const spamOnly = args.includes('--spam-only')
  const loadSeconds = Number(args.find((a) => /^\d+$/.test(a)) ?? 30)
  spamCosts()
  if (args.includes('--costs-only')) return
  const gossipP50 = spamOnly ? NaN : await gossipFloor()
  const dir = mkdtempSync(join(tmpdir(), 'agora-bench-node-'))
  const net = await buildLocalNetwork({
    dir, validators: VALIDATORS, miners: 1, slotMs: SLOT_MS, epochSlots: 32, genesisTime: Date.now() + 8000,
    challenges: [{ id: 'pow', modulePath: join(BUILD_DIR, 'pow.wasm'), emissionSharePpm: 1_000_000 }],
  })
  const ports = await freePorts(2 * VALIDATORS, new Set())
  const nodes: Running[] = []
  let ok = false
  try {
    // All at once (node 0's address is known ahead): staggered starts leave the first node's doubling
    // round timer far ahead of the others' on a loaded machine.
    const boot0 = `/ip4/127.0.0.1/tcp/${ports[0]}/p2p/${net.validators[0]!.peerId}`
    for (let i = 0; i < VALIDATORS; i++) {
      const boot = i === 0 ? [] : ['--bootstrap', boot0]
      // With the V8 flags devnet and docs/OPERATOR.md run nodes with: the figures are of a node as deployed.
      const proc = spawn(process.execPath, [...NODE_V8_FLAGS, ...profileFlags(), AGORA_BIN, 'node', '--data-dir', net.validators[i]!.dataDir, '--genesis', net.genesisPath,
        '--listen', `/ip4/127.0.0.1/tcp/${ports[2 * i]}`, '--api-port', String(ports[2 * i + 1]), ...boot],
        { stdio: ['ignore', openSync(join(net.validators[i]!.dataDir, 'node.log'), 'a'), openSync(join(net.validators[i]!.dataDir, 'node.log'), 'a')] })
      nodes.push({ proc, apiPort: ports[2 * i + 1]!, pid: proc.pid! })
    }
    await waitFor('blocks flowing', async () => (await Promise.all(nodes.map((n) => nodeHeight(n.apiPort).catch(() => 0)))).every((h) => h >= 3), 480_000)
    if (spamOnly) {
      await finalityUnderSpam(nodes, net.validators.map((v) => v.dataDir), net.genesis.genesisTime)
      ok = true
      return
    }

    const idle = await sampleProcesses(nodes, 10)
    report(B, 'idle-per-node', { nodes: VALIDATORS, cpuPctMedian: round(median(idle.map((x) => x.cpuPct)), 1), cpuPct: idle.map((x) => x.cpuPct), rssMbMedian: round(median(idle.map((x) => x.rssMb)), 1), rssMb: idle.map((x) => x.rssMb) })
    // The node's finality quantiles so far cover only the idle phase (the load starts after this read).
    await reportFinality(nodes[0]!.apiPort, 'block-finality-idle', gossipP50)
    if (args.includes('--idle-only')) { ok = true; return }

    // Load: one miner key, unique pow nonces, submitted with 8 in flight, round-robin over the nodes.
    const miner = await deriveNodeKeys(net.miners[0]!.mnemonic)
    const finals0 = await finals(nodes[0]!.apiPort)
    let accepted = 0, refused = 0, seq = 0, stop = false
    const nonce0 = Date.now() * 1000
    const submitter = async (w: number) => {
      while (!stop) {
        const i = seq++
        const payload = new Uint8Array(8)
        new DataView(payload.buffer).setBigUint64(0, BigInt(i), true)
        const body = { type: 'Submission', sender: miner.peerId, nonce: nonce0 + i, challenge: 'pow', payloadCid: cidOfBytes(payload), payloadBytes: 8 }
        const r = await graphqlRequest<{ submit: { txId: string } }>(`http://127.0.0.1:${nodes[(i + w) % VALIDATORS]!.apiPort}/graphql`,
          'mutation($tx: SignedTxInput!, $p: String) { submit(tx: $tx, payload: $p) { txId } }',
          { tx: signTransaction(miner.ed25519Seed, body), p: Buffer.from(payload).toString('base64') }).catch(() => undefined)
        if (r?.data?.submit.txId) accepted++; else refused++
      }
    }
    const t0 = performance.now()
    const workers = Array.from({ length: 8 }, (_, w) => submitter(w))
    const load = await sampleProcesses(nodes, loadSeconds)
    stop = true
    await Promise.all(workers)
    const submitSeconds = (performance.now() - t0) / 1000
    // Drain: wait until every accepted submission is final (or nothing moves for 10 s).
    let last = -1, lastChange = performance.now()
    for (;;) {
      const f = (await finals(nodes[0]!.apiPort)) - finals0
      if (f !== last) { last = f; lastChange = performance.now() }
      if (f >= accepted || performance.now() - lastChange > 10_000) break
      await sleep(500)
    }
    const totalSeconds = (performance.now() - t0) / 1000
    report(B, 'submissions-end-to-end', {
      accepted, refused, finalized: last, submitSeconds: round(submitSeconds, 1), drainSeconds: round(totalSeconds - submitSeconds, 1),
      acceptedPerSec: round(accepted / submitSeconds, 1), finalizedPerSec: round(last / totalSeconds, 1),
    })
    report(B, 'load-per-node', { nodes: VALIDATORS, cpuPctMedian: round(median(load.map((x) => x.cpuPct)), 1), cpuPct: load.map((x) => x.cpuPct), rssMbMedian: round(median(load.map((x) => x.rssMb)), 1), rssMb: load.map((x) => x.rssMb) })

    // Over the whole run so far (idle, then the submission load).
    await reportFinality(nodes[0]!.apiPort, 'block-finality', gossipP50)
    await finalityUnderSpam(nodes, net.validators.map((v) => v.dataDir), net.genesis.genesisTime)
    ok = true
  } finally {
    for (const n of nodes) n.proc.kill('SIGTERM')
    await sleep(3000)
    for (const n of nodes) if (n.proc.exitCode === null) n.proc.kill('SIGKILL')
    // AGORA_BENCH_KEEP=1 keeps the node logs (with AGORA_LOG_LEVEL=debug: each height's timeline).
    if (ok && !process.env.AGORA_BENCH_KEEP) rmSync(dir, { recursive: true, force: true })
    else if (ok) process.stderr.write(`bench node: node logs kept in ${dir}/nodes/*/node.log\n`)
    else process.stderr.write(`bench node failed; node logs kept in ${dir}/nodes/*/node.log\n`)
  }
}

/**
 * Finality while 2 MiB of fat posts go through the APIs and 2 MiB over raw gossip: each new height is
 * timed when node 0 first reports it (polled every 100 ms) against its slot's start; plus the share of
 * slots, from the burst's start to 10 slots after its end, that got a block.
 */
async function finalityUnderSpam(nodes: Running[], dataDirs: string[], genesisTime: number): Promise<void> {
  const url = (n: Running) => `http://127.0.0.1:${n.apiPort}/graphql`
  const seen = new Map<number, number>() // height → wall time first reported
  let polling = true
  const poller = (async () => {
    while (polling) {
      const h = await nodeHeight(nodes[0]!.apiPort).catch(() => 0)
      if (h > 0 && !seen.has(h)) seen.set(h, Date.now())
      await sleep(100)
    }
  })()
  const slotNow = () => Math.floor((Date.now() - genesisTime) / SLOT_MS)
  const blocksIn = async (fromHeight: number, fromSlot: number, toSlot: number) => {
    const page = await graphqlRequest<{ blocks: { items: { height: number; slot: number }[] } }>(url(nodes[0]!),
      'query($h: Int!) { blocks(fromHeight: $h, first: 500) { items { height slot } } }', { h: fromHeight })
    return (page.data?.blocks.items ?? []).filter((b) => b.slot > fromSlot && b.slot <= toSlot)
  }
  // The same machine without the burst, just before it: the ratio under spam is read against this one.
  const b0 = slotNow(), h0 = await nodeHeight(nodes[0]!.apiPort)
  while (slotNow() < b0 + BASELINE_SLOTS) await sleep(200)
  const before = await blocksIn(h0, b0, b0 + BASELINE_SLOTS)
  const finalityOf = (bs: readonly { height: number; slot: number }[]) => bs.filter((b) => seen.has(b.height)).map((b) => seen.get(b.height)! - (genesisTime + b.slot * SLOT_MS))
  const f0 = finalityOf(before)
  report(B, 'block-finality-before-spam', {
    slots: BASELINE_SLOTS, blocks: before.length, slotsWithBlockPct: round((100 * before.length) / BASELINE_SLOTS, 1),
    p50Ms: round(percentile(f0, 50), 1), p99Ms: round(percentile(f0, 99), 1),
  })
  const s0 = slotNow(), h1 = await nodeHeight(nodes[0]!.apiPort)
  const MiB = 1024 * 1024
  const [api, raw] = await Promise.all([
    apiBurst(nodes.map((n) => `http://127.0.0.1:${n.apiPort}`), 2 * MiB, { tag: `bench${Date.now()}` }),
    gossipBurst(readNodeJson(dataDirs[0]!)!.multiaddrs, 2 * MiB, { tag: `bench${Date.now()}` }),
  ])
  const s1 = slotNow() + 10
  while (slotNow() < s1) await sleep(200)
  polling = false
  await poller
  const blocks = await blocksIn(h1, s0, s1)
  const finality = finalityOf(blocks)
  report(B, 'block-finality-under-spam', {
    apiPosts: api.sent, apiAccepted: api.accepted, apiBytes: api.bytes, gossipPosts: raw.sent, gossipBytes: raw.bytes,
    slots: s1 - s0, blocks: blocks.length, slotsWithBlockPct: round((100 * blocks.length) / (s1 - s0), 1),
    p50Ms: round(percentile(finality, 50), 1), p99Ms: round(percentile(finality, 99), 1),
  })
}

const signedOf = (p: ReturnType<typeof fatPost>): SignedTx =>
  ({ body: new Uint8Array(Buffer.from(p.tx.body, 'base64')), publicKey: fromHex(p.tx.publicKey.slice(2)), signature: fromHex(p.tx.signature.slice(2)) })

/**
 * In-process costs behind the spam cases (ratios in one run; load skews the absolute ms): what a refused
 * fat post costs the gossip check before (a full verification) and now (its head and the mempool's
 * precheck), and what a proposal of fat posts costs a validator by size (decode, checkBlock, verifying
 * txs it never saw, apply with the state root) — the measurement behind MAX_PROPOSAL_BYTES.
 */
function spamCosts(): void {
  const posts = Array.from({ length: 200 }, (_, i) => signedOf(fatPost(`cost-${i}`, 1)))
  const c = chain({ balances: ['100', '100', '100', '100', '10'], params: { freeTxsPerEpoch: 0, freeTxsPerSender: 0 } })
  const mempool = createMempool({ self: ids[0]!, ledger: c.s, isValidator: () => false })
  const each = (f: (t: SignedTx) => unknown) => { const t0 = performance.now(); for (const t of posts) f(t); return (performance.now() - t0) / posts.length }
  each(verifyTx) // warm-up
  const verifyMs = each(verifyTx)
  const precheckMs = each((t) => mempool.precheck(txHead(t)))
  report(B, 'refused-post-check', { posts: posts.length, bytes: posts[0]!.body.length, verifyMs: round(verifyMs, 3), headAndPrecheckMs: round(precheckMs, 3), ratio: round(verifyMs / precheckMs, 1) })
  const grow = chain({ balances: ['100', '100', '100', '100', '10'], params: { freeTxsPerEpoch: 100_000, freeTxsPerSender: 100 } })
  let slot = 1
  for (const kib of [32, 64, 128, 256, 512]) {
    const txs: SignedTx[] = []
    for (let bytes = 1024, j = 0; bytes + 4400 < kib * 1024; j++) { const t = signedOf(fatPost(`block-${kib}-${j}`, 1)); txs.push(t); bytes += encode(t).length }
    const s = grow.s
    const block: Block = { height: s.height + 1, slot, prevHash: s.lastBlockHash, prevStateRoot: ledgerStateRoot(s), proposer: ids[0]!, txs }
    const t0 = performance.now()
    const bytes = encode(block)
    const parsed = BlockSchema.parse(decode(bytes)) as Block
    const t1 = performance.now()
    checkBlock({ height: s.height, lastBlockHash: s.lastBlockHash, stateRoot: block.prevStateRoot, lastSlot: s.lastSlot }, block.height, parsed, slot)
    const t2 = performance.now()
    const verified = parsed.txs.map(verifyTx)
    const t3 = performance.now()
    applyBlock(s, parsed, verified)
    const t4 = performance.now()
    slot++
    report(B, `proposal-cost-${kib}KiB`, {
      txs: txs.length, bytes: bytes.length, overLimit: bytes.length > MAX_PROPOSAL_BYTES, encodeDecodeMs: round(t1 - t0, 1), checkBlockMs: round(t2 - t1, 1),
      verifyUnseenMs: round(t3 - t2, 1), applyAndRootMs: round(t4 - t3, 1), totalMs: round(t4 - t0, 1),
    })
  }
}
