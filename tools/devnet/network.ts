// `agora devnet`: a whole local network from nothing — keys and a genesis, the embedded chain with the
// WeightRegistry deployed, one OS process per validator under the supervisor, demo miners, a live status
// view, and with --epochs N a JSON summary whose exit code says whether every node agrees.
import { existsSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseRep } from '../../core/amount.ts'
import { deriveNodeKeys } from '../../core/crypto/keys.ts'
import { AgoraError, errorMessage, isAgoraError } from '../../core/errors.ts'
import { startEmbeddedChain, deployWeightRegistry, createChainClient, type EmbeddedChain } from '../../contracts/index.ts'
import { buildChallenges, BUILD_DIR } from '../../challenges/build.ts'
import { buildLocalNetwork, type LocalNetwork } from '../../validator/app/genesis-builder.ts'
import { initDataDir, loadKeysFromDataDir } from '../cli/commands/keys.ts'
import { freshNonce, graphqlData, signTransaction } from '../../validator/api/client.ts'
import { createSupervisor, type Supervisor } from './supervisor.ts'
import { agoraNodeCommand } from './launch.ts'
import { installShutdownHandlers } from './shutdown.ts'
import { createStatusView, collectNodeRows, createStallTracker, eventsToView, type Table } from './status-view.ts'
import type { NodeRecord } from './registry.ts'
import { probeReady } from './probe.ts'
import { startMiner } from './miner.ts'
import { validatorKeysInput } from '../../ledger/validator-keys.ts'

export interface DevnetOptions {
  readonly validators: number
  readonly miners: number
  readonly epochs?: number
  readonly slotMs: number
  readonly epochSlots: number
  readonly dir: string
  readonly challenges: readonly string[]
  /** Extra funded identities `agora nodes add` turns into validators. */
  readonly spares?: number
  readonly out?: NodeJS.WritableStream & { isTTY?: boolean }
  /** Test only: the node with this (1-based) index reports perturbed scores. */
  readonly testDishonest?: number
  /** Test only: the node with this (1-based) index signs conflicting consensus votes (and is slashed). */
  readonly testEquivocate?: number
}

export interface EpochSummary { epoch: number; uids: number[]; weights: number[]; chainTx: string | null; checkpointCid: string | null; onChain: boolean }
export interface DevnetSummary {
  agree: boolean
  height: number
  /** Submissions node-1 holds: how many are final, and how many are still open past their deadline (should be 0). */
  submissions: { total: number; final: number; overdue: number }
  nodes: { id: string; peerId: string; height: number; stateRoot: string; blockHash: string; rep: string }[]
  epochs: EpochSummary[]
  /** Epochs from the first block's to the first counted (scored) one: 1 when the pipeline fills at once. */
  warmupEpochs: number
}

/** An exit takes effect at the next boundary; `nodes remove` gives up after this many epochs. */
const EXIT_WAIT_EPOCHS = 3
/**
 * How long `nodes add` waits for a new node to be ready to sign (caught up, guard clear) before it stakes
 * anyway: at least this many epochs and READY_WAIT_MS. On a loaded machine a node's start-up sync may not
 * end while the chain decides a block a second (each round over its peers brings a block or two: issue #17);
 * staked then, it enters the set silent and the chain pauses at that boundary until it signs.
 */
const READY_WAIT_EPOCHS = 3
const READY_WAIT_MS = 60_000
/** How long a stake or exit is resent while the node asked drops the connection (seen under load: ECONNRESET). */
const SEND_WAIT_MS = 30_000

const NODE_QUERY = `query($h: Int!) { node { peerId height stateRoot } block(height: $h) { hash prevStateRoot } }`

async function gql<T>(rec: NodeRecord, query: string, vars: Record<string, unknown> = {}): Promise<T> {
  return graphqlData<T>(`http://127.0.0.1:${rec.apiPort}/graphql`, query, vars)
}

/** Errors that mean no answer came back (a loaded node, or the supervisor's own event loop, dropped it): worth another try. */
const TRANSIENT_CODES = new Set(['NODE_UNREACHABLE', 'BAD_RESPONSE'])

/**
 * Send `tx` (a `mutation` taking a SignedTxInput) through a running node other than `except` (or `fallback`
 * when none runs), trying the next one a second later while answers are lost, until `deadline`. A resend
 * the first node had taken is pending there already (MEMPOOL_KNOWN): sent. A refusal is thrown.
 */
async function sendTx(sup: Supervisor, mutation: string, tx: unknown, o: { except: string; fallback?: NodeRecord; deadline: number }): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const running = sup.nodes().filter((r) => r.status === 'running' && r.id !== o.except)
    const to = running.length > 0 ? running[attempt % running.length] : o.fallback
    if (!to) throw new Error(`no running node to send the ${mutation} transaction to`)
    try {
      await gql(to, `mutation($tx: SignedTxInput!) { ${mutation}(tx: $tx) { txId } }`, { tx })
      return
    } catch (e) {
      if (isAgoraError(e, 'MEMPOOL_KNOWN')) return
      if (!(e instanceof AgoraError && TRANSIENT_CODES.has(e.code)) || Date.now() > o.deadline) throw e
    }
    await new Promise((done) => setTimeout(done, 1000))
  }
}

export async function runDevnet(o: DevnetOptions): Promise<number> {
  const dir = resolve(o.dir)
  const out = o.out ?? process.stdout
  if (existsSync(join(dir, 'nodes.json'))) rmSync(dir, { recursive: true, force: true }) // a fresh network each run
  // Before the status view exists, progress lines go straight out (once: the view does not replay them).
  const say = (line: string) => { view ? view.progress(line) : out.write(line + '\n') }
  let view: ReturnType<typeof createStatusView> | undefined

  if (o.challenges.some((c) => !existsSync(join(BUILD_DIR, `${c}.wasm`)))) {
    say('building challenges…')
    await buildChallenges()
  }
  say('starting the embedded chain…')
  const chain: EmbeddedChain = await startEmbeddedChain({ port: 0 })
  say(`generating keys and genesis for ${o.validators} validators…`)
  const net: LocalNetwork = await buildLocalNetwork({
    dir, validators: o.validators, miners: o.miners, slotMs: o.slotMs, epochSlots: o.epochSlots, spareValidators: o.spares ?? 2,
    dataDirOf: (i) => join(dir, 'nodes', `node-${i + 1}`), // the supervisor numbers nodes from 1
    // Slots that pass while the processes start are simply skipped (the first block has a later slot).
    genesisTime: Date.now() + 5_000, params: {
      poolDurationSlots: Math.max(2, Math.floor(o.epochSlots / 2)), availabilityMinLockEpochs: 1,
      // Two epochs (at least the envelope's 8 slots): a node's vote needs two blocks after the pool's (one to
      // see the pool in, one to include its stake), and while a loaded devnet starts blocks come 4–7 slots
      // apart (a governance e2e at 1 s slots: pool open slots 48–56, blocks at 52 and 59, every stake refused
      // POOL_CLOSED). Still short enough that a change passes within a short run.
      govMinDurationSlots: Math.max(8, 2 * o.epochSlots),
    },
    challenges: o.challenges.map((id) => ({ id, modulePath: join(BUILD_DIR, `${id}.wasm`), emissionSharePpm: Math.floor(1_000_000 / o.challenges.length) })),
  })
  const validatorsPower = net.genesis.validators.map((v) => ({ address: v.evmAddress, power: parseRep(v.stake) }))
  const registry = await deployWeightRegistry(chain.wallet(0), { validators: validatorsPower })
  for (const v of net.validators) await chain.fund(v.evmAddress)
  say(`WeightRegistry at ${registry} (chain ${chain.rpcUrl})`)

  const sup: Supervisor = createSupervisor({
    dir,
    nodeCommand: agoraNodeCommand({
      genesis: net.genesisPath, rpcUrl: chain.rpcUrl!, weightRegistry: registry,
      extraArgs: (spec) => [...(spec.index === o.testDishonest ? ['--test-dishonest'] : []), ...(spec.index === o.testEquivocate ? ['--test-equivocate'] : [])],
    }),
    hooks: { beforeAdd: (n) => beforeAdd(n), afterAdd: (n) => afterAdd(n), beforeRemove: (n) => beforeRemove(n) },
    // A node stuck for many slots while the others advance is restarted (it replays and syncs).
    stalledMs: Math.max(30_000, 30 * o.slotMs),
    onEvent: (e) => (view ? eventsToView(view)(e) : undefined),
  })
  const spares = [...net.spares]
  async function beforeAdd(n: { index: number; dataDir: string }): Promise<void> {
    if (n.index <= o.validators) return // genesis validators (1-based): keystore written with the genesis
    const spare = spares.shift()
    if (!spare) throw new Error('no funded identity left for a new validator (start the devnet with more spares)')
    await initDataDir(n.dataDir, { mnemonic: spare.mnemonic, force: true })
    // Once in the set it may be the designated submitter of weights and set updates: it pays gas.
    await chain.fund((await deriveNodeKeys(spare.mnemonic)).evmAddress)
  }
  /**
   * A new validator stakes only once its node is ready to sign (caught up, doppelgänger guard clear): the
   * set in force then never counts power that cannot vote. Staked before its process started, a newcomer
   * entered the set at the next boundary while it was still syncing and guarded; 4 genesis validators and
   * 2 silent newcomers are 4/6 of the power, no quorum, and the chain stopped until they signed (issue #17).
   */
  async function afterAdd(n: NodeRecord): Promise<void> {
    if (n.index <= o.validators) return
    const waitMs = Math.max(READY_WAIT_MS, READY_WAIT_EPOCHS * o.epochSlots * o.slotMs)
    const deadline = Date.now() + waitMs
    for (let r = await probeReady(n.apiPort, 2_000); !r.ready; r = await probeReady(n.apiPort, 2_000)) {
      if (Date.now() > deadline) {
        say(`${n.id} not ready to sign after ${waitMs / 1000} s (${r.reason}): staking anyway; the chain may pause at the boundary until it signs`)
        break
      }
      await new Promise((done) => setTimeout(done, Math.min(1000, o.slotMs)))
    }
    const { keys } = await loadKeysFromDataDir(n.dataDir)
    // The stake registers the keys it certifies with: BLS (with proof of possession) and EVM address.
    const tx = signTransaction(keys.ed25519Seed, { type: 'StakeAvailability', sender: keys.peerId, nonce: freshNonce(), amount: parseRep('100').toString(), epochs: 1000, keys: validatorKeysInput(keys, keys.peerId) })
    await sendTx(sup, 'stakeAvailability', tx, { except: n.id, fallback: n, deadline: Date.now() + SEND_WAIT_MS })
  }
  /**
   * Removing a validator: it exits (signed with its own key) and keeps running until the boundary at which
   * it leaves the set, so the set in force never counts a stopped node's power.
   */
  async function beforeRemove(n: NodeRecord): Promise<void> {
    const { keys } = await loadKeysFromDataDir(n.dataDir)
    const other = () => sup.nodes().find((r) => r.status === 'running' && r.id !== n.id)
    if (!other()) return
    // A microsecond nonce, like the CLI's: above any the node itself has used (milliseconds).
    const tx = signTransaction(keys.ed25519Seed, { type: 'UnstakeAvailability', sender: keys.peerId, nonce: freshNonce() })
    await sendTx(sup, 'unstakeAvailability', tx, { except: n.id, deadline: Date.now() + SEND_WAIT_MS })
    const deadline = Date.now() + EXIT_WAIT_EPOCHS * o.epochSlots * o.slotMs + 30_000
    for (;;) {
      const at = other()
      const set = at && await gql<{ validators: { items: { peerId: string }[] } }>(at, '{ validators(first: 1000) { items { peerId } } }').catch(() => undefined)
      if (set && !set.validators.items.some((v) => v.peerId === keys.peerId)) return
      if (Date.now() > deadline) throw new Error(`${n.id} is still in the validator set ${EXIT_WAIT_EPOCHS} epochs after its exit (was the exit refused? see its log)`)
      await new Promise((r) => setTimeout(r, Math.min(1000, o.slotMs)))
    }
  }

  const reader = createChainClient({ rpcUrl: chain.rpcUrl!, address: registry })
  const epochTable = async (): Promise<Table[]> => {
    const first = sup.nodes().find((r) => r.status === 'running')
    if (!first) return []
    const d = await gql<{ epochs: { items: { epoch: number; uids: number[]; weights: number[]; chainTx: string | null; yuma: string | null }[] } }>(first, '{ epochs(first: 6) { items { epoch uids weights chainTx yuma } } }').catch(() => null)
    if (!d) return []
    const shares = (o: Record<string, number> | undefined) => Object.values(o ?? {}).map((x) => x.toFixed(2)).join(' ')
    return [{
      title: 'epochs', columns: ['epoch', 'miners', 'weights (u16)', 'chain tx', 'yuma incentive', 'yuma dividends'],
      rows: d.epochs.items.map((e) => {
        const y = e.yuma ? JSON.parse(e.yuma) as { incentive: Record<string, number>; dividends: Record<string, number> } : undefined
        return [e.epoch, e.uids.length, e.weights.join(' '), e.chainTx ? e.chainTx.slice(0, 12) + '…' : '-', shares(y?.incentive), shares(y?.dividends)]
      }),
    }]
  }
  const repOf = async (rec: NodeRecord, info: { peerId: string }) => {
    const d = await gql<{ balance: { balance: string } | null }>(rec, 'query($m: String!) { balance(member: $m) { balance } }', { m: info.peerId })
    return d.balance?.balance ?? null
  }
  // Stalled: no new block for several slots (and never under 10 s, so a slow start-up does not count).
  const stall = createStallTracker(Math.max(10_000, 5 * o.slotMs))
  view = createStatusView({ title: 'agora devnet', nodes: () => collectNodeRows(sup.nodes(), { rep: repOf, stall }), sections: epochTable, out: out as never, tty: o.epochs === undefined ? undefined : false })

  const miners: { stop(): Promise<void> }[] = []
  const cleanup = async () => {
    await Promise.all(miners.map((m) => m.stop()))
    await view?.stop()
    reader.close()
    await chain.stop().catch(() => undefined)
  }
  const removeHandlers = installShutdownHandlers(sup, { cleanup })
  try {
    await sup.start()
    view.progress(`starting ${o.validators} validators…`)
    // Genesis time: once the processes are up, so slot 0 is not spent waiting for them.
    await sup.addNodes(o.validators, (n, done, total) => view!.progress(`node ${done}/${total} up (${n.id}, api :${n.apiPort})`))
    view.progress(`miners: ${o.miners}, challenges: ${o.challenges.join(', ')}`)
    const apiUrls = () => sup.nodes().filter((r) => r.status === 'running').map((r) => `http://127.0.0.1:${r.apiPort}/graphql`)
    const tally = { accepted: 0, refused: 0 }
    let reported = 0
    const onResult = (r: { ok: boolean; challenge: string; kind: string; error?: string }) => {
      if (r.ok) tally.accepted++; else tally.refused++
      // Wrong payloads are accepted too (they score 0); a refusal is worth showing, a few times.
      if (!r.ok && reported++ < 3) view!.progress(`miner submission refused (${r.challenge}/${r.kind}): ${r.error}`)
    }
    for (const m of net.miners) miners.push(startMiner({ mnemonic: m.mnemonic, index: m.index, apiUrls, challenges: o.challenges, intervalMs: o.slotMs * 2, onResult }))
    view.start()
    if (o.epochs === undefined) {
      await new Promise<void>(() => {}) // runs until Ctrl-C (the shutdown handlers stop everything)
    }
    // Count epochs from the first scored, certified one after the first block (warm-up: see waitForEpochs).
    const first = sup.nodes().find((r) => r.status === 'running')!
    for (let i = 0; i < 600; i++) {
      if ((await gql<{ node: { height: number } }>(first, '{ node { height } }').catch(() => ({ node: { height: 0 } }))).node.height > 0) break
      await new Promise((r) => setTimeout(r, 200))
    }
    const at = await gql<{ node: { epoch: number }; block: { epoch: number } | null }>(first, '{ node { epoch } block(height: 1) { epoch } }')
    const firstBlockEpoch = at.block?.epoch ?? at.node.epoch // block 1 is served while it is recent
    view.progress(`waiting for ${o.epochs} epochs from the first scored one after epoch ${firstBlockEpoch}`)
    const summary = await waitForEpochs(sup, reader, firstBlockEpoch, o.epochs!, o.slotMs * o.epochSlots)
    await Promise.all(miners.map((m) => m.stop()))
    await view.stop()
    writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, null, 2))
    out.write(JSON.stringify(summary) + '\n')
    return summary.agree ? 0 : 1
  } catch (e) {
    out.write(`devnet failed: ${errorMessage(e)}\n`)
    return 1
  } finally {
    removeHandlers()
    await sup.stop()
    await cleanup()
  }
}

/**
 * Wait for `n` epochs from the first scored one after the first block's epoch, closed everywhere, their
 * weights on chain; then compare. Warm-up: an epoch's weights are the scores finalized during it, at least a
 * commit window (4 slots on a devnet) after their submissions are included, so they come mostly from the
 * previous epoch's work. At start that work is refused STALE_EPOCH: a miner asking before the first block
 * is told epoch 0 while the first block lands in a later epoch (start-up and the doppelgänger guard's silent
 * slots), and while the first blocks are sparse, work for one epoch lands in the next. Runs in CI saw the
 * epoch after the first block's with no final score for that reason; from the first scored epoch on the
 * pipeline is full and every epoch must be scored (the summary's `warmupEpochs` says how long it took).
 */
async function waitForEpochs(sup: Supervisor, reader: ReturnType<typeof createChainClient>, firstBlockEpoch: number, n: number, epochMs: number): Promise<DevnetSummary> {
  const deadline = Date.now() + 120_000 + (n + 3) * epochMs * 3
  let last: DevnetSummary | undefined
  let from: number | undefined
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000))
    from ??= await firstScoredEpoch(sup, firstBlockEpoch).catch(() => undefined)
    if (from === undefined) continue
    const s = await summarize(sup, reader, from, n).catch(() => undefined)
    if (!s) continue
    last = s
    const closed = s.epochs.length >= n
    const chainDone = s.epochs.every((e) => e.uids.length === 0 || e.onChain)
    const checkpoints = s.epochs.every((e) => e.checkpointCid !== null)
    // Every node the devnet runs (not only those answering right now) must be in the comparison.
    const everyNode = s.nodes.length === sup.nodes().filter((r) => r.status !== 'removed').length
    if (closed && chainDone && checkpoints && s.agree && everyNode) return { ...s, warmupEpochs: from - firstBlockEpoch }
  }
  if (last) return { ...last, agree: false, warmupEpochs: (from ?? firstBlockEpoch) - firstBlockEpoch }
  throw new Error(from === undefined ? `no epoch after ${firstBlockEpoch} was scored` : 'no node answered')
}

/**
 * The first closed epoch after `after` with scored miners and a certified checkpoint, as the first running
 * node has it. The checkpoint counts too: an epoch closed while the first nodes still start may never be
 * certified (a CI run waited on epoch 1's for 33 epochs); the summary's `warmupEpochs` still bounds it.
 */
async function firstScoredEpoch(sup: Supervisor, after: number): Promise<number | undefined> {
  const rec = sup.nodes().find((r) => r.status === 'running')
  if (!rec) return undefined
  const d = await gql<{ epochs: { items: { epoch: number; uids: number[] }[] }; checkpoints: { items: { epoch: number; cid: string | null }[] } }>(
    rec, '{ epochs(first: 100) { items { epoch uids } } checkpoints(first: 100) { items { epoch cid } } }')
  const certified = new Set(d.checkpoints.items.filter((c) => c.cid !== null).map((c) => c.epoch))
  return d.epochs.items.filter((e) => e.epoch > after && e.uids.length > 0 && certified.has(e.epoch)).map((e) => e.epoch).sort((a, b) => a - b)[0]
}

async function summarize(sup: Supervisor, reader: ReturnType<typeof createChainClient>, from: number, n: number): Promise<DevnetSummary> {
  const recs = sup.nodes().filter((r) => r.status === 'running')
  const infos = await Promise.all(recs.map((r) => gql<{ node: { height: number } }>(r, '{ node { height } }')))
  const h = Math.min(...infos.map((i) => i.node.height))
  const nodes = await Promise.all(recs.map(async (r) => {
    const d = await gql<{ node: { peerId: string; height: number; stateRoot: string }; block: { hash: string; prevStateRoot: string } | null }>(r, NODE_QUERY, { h })
    const bal = await gql<{ balance: { balance: string } | null }>(r, 'query($m: String!) { balance(member: $m) { balance } }', { m: d.node.peerId })
    return { id: r.id, peerId: d.node.peerId, height: d.node.height, stateRoot: d.block?.prevStateRoot ?? '', blockHash: d.block?.hash ?? '', rep: bal.balance?.balance ?? '0' }
  }))
  const first = recs[0]!
  const ep = await gql<{ epochs: { items: { epoch: number; uids: number[]; weights: number[]; chainTx: string | null }[] }; checkpoints: { items: { epoch: number; cid: string | null }[] } }>(
    first, '{ epochs(first: 100) { items { epoch uids weights chainTx } } checkpoints(first: 100) { items { epoch cid } } }')
  const epochs: EpochSummary[] = []
  for (let e = from; e < from + n; e++) {
    const item = ep.epochs.items.find((x) => x.epoch === e)
    if (!item) continue
    // On chain, and exactly what the nodes computed.
    const stored = item.uids.length > 0 ? await reader.weightsOf(BigInt(e)).catch(() => null) : null
    const onChain = !!stored && JSON.stringify(stored.uids) === JSON.stringify(item.uids) && JSON.stringify(stored.weights) === JSON.stringify(item.weights)
    epochs.push({ epoch: e, uids: item.uids, weights: item.weights, chainTx: item.chainTx, onChain, checkpointCid: ep.checkpoints.items.find((c) => c.epoch === e)?.cid ?? null })
  }
  const subs = await gql<{ submissions: { items: { final: boolean; height: number }[] } }>(first, '{ submissions(first: 100) { items { final height } } }')
  // Deadline is 6 slots; blocks are at most one per slot, so 12 blocks is safely past it.
  const submissions = { total: subs.submissions.items.length, final: subs.submissions.items.filter((s) => s.final).length, overdue: subs.submissions.items.filter((s) => !s.final && s.height < h - 12).length }
  const agree = nodes.length > 0 && nodes.every((x) => x.blockHash !== '' && x.blockHash === nodes[0]!.blockHash && x.stateRoot === nodes[0]!.stateRoot)
  return { agree, height: h, submissions, nodes, epochs, warmupEpochs: 0 }
}
