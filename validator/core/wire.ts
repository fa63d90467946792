// wire(): the node's whole data flow in one place (Charon's Wire()). Reading it top to bottom:
//   Scheduler (slot ticks) ─► BlockConsensus (propose from the Mempool, validate, decide)
//   decided block ─► BlockStore (synced) ─► Ledger.applyBlock ─► events:
//     submission for our committee seat ─► Evaluator ─► report batch ─► Signer ─► gossip + Mempool
//     epoch closed ─► WEIGHTS / CHECKPOINT duties ─► DutyDB ─► Signer ─► ParSigDB ◄─► ParSigEx (gossip)
//       ─► SigAgg ─► Broadcaster (chain, once, rotating submitter with fallback) / Checkpointer (DHT)
//   gossip in (submissions, forum, evaluations) ─► validation ─► Mempool
//   start-up: Sync (certified checkpoint, then blocks) before any vote; behind later ─► block sync
import type { Clock } from '../../core/clock.ts'
import { cidOfBytes, decode, encode } from '../../core/encoding.ts'
import { sha256 } from '../../core/hash.ts'
import { concatBytes, fromHex, toHex } from '../../core/bytes.ts'
import { errorMessage } from '../../core/errors.ts'
import { Domain, signBls, verifyBls, aggregateBlsSignatures } from '../../core/crypto/sign.ts'
import type { NodeKeys } from '../../core/crypto/keys.ts'
import { ONE_REP } from '../../core/amount.ts'
import * as forum from '../../forum/index.ts'
import type { MemberId, PoolId } from '../../core/ids.ts'
import { signDigest, recoverSigner, weightsDigest, type ChainClient } from '../../contracts/index.ts'
import { createValidatorSet, type ValidatorSet, type CommitCertificate, type SignerStore } from '../consensus/index.ts'
import { Topic, type AgoraHost, type GossipEnvelope } from '../infra/p2p/index.ts'
import type { ExecutionService } from '../infra/runtime/service.ts'
import type { RuntimePolicy } from '../infra/runtime/policy.ts'
import type { Genesis } from '../../ledger/genesis.ts'
import { applyBlock, activeChallengeTable, ledgerStateRoot, type LedgerEvent, type LedgerState } from '../../ledger/ledger.ts'
import { blockHash, type Block, MAX_BLOCK_BYTES } from '../../ledger/block.ts'
import { memberIdOf, reportCommitment, signTx, verifyTx, type SignedTx, type VerifiedTx } from '../../ledger/txs.ts'
import type { BlockStore } from '../infra/db/block-store.ts'
import type { EpochResult } from '../../ledger/evaluations.ts'
import type { Metrics } from '../infra/metrics/metrics.ts'
import type { Logger } from '../infra/log.ts'
import type { NodeActions, NodeEvent, NodeEvents, NodeView } from '../api/view.ts'
import type { ApiHealth } from '../api/server.ts'
import { Schedule, startSlotTicker, type SlotInfo } from './scheduler.ts'
import { Mempool } from './mempool.ts'
import { PROPOSAL_TX_BYTES } from './limits.ts'
import { createBlockConsensus } from './block-consensus.ts'
import { createEvaluator, type Evaluated } from './evaluator.ts'
import { createParSigDb, ParSigMessageSchema, type Aggregate, type ParSigKind } from './parsig.ts'
import type { DutyDb } from '../infra/db/dutydb.ts'
import { checkpointHeaderHash, checkpointSigningPayload, encodeCheckpointRecord, type CheckpointHeader } from './checkpoint.ts'
import type { HandoverChain, TrustedCheckpoint } from './handover.ts'
import { createDoppelgangerGuard } from './doppelganger.ts'
import { createModuleStore, runtimePolicyOf, MODULE_FETCH_MS } from './modules.ts'
import { currentCertificationSet } from '../../ledger/ledger.ts'
import { certificationSetHash, evmValidatorSet, sameEvmSet, type CertificationSet } from '../../ledger/validator-keys.ts'
import { validatorSetDigest } from '../../contracts/eip712.ts'
import { snapshotLedger } from '../../ledger/snapshot.ts'
import { createActions } from './actions.ts'
import { createSyncer } from './sync.ts'
import { createBroadcaster } from './broadcaster.ts'
import { createNodeView, dtoBlock, dtoEpoch, dtoPool, dtoSubmission } from '../api/node-view.ts'
import { peerIdFromString } from '@libp2p/peer-id'

export interface WireOptions {
  readonly keys: NodeKeys
  readonly genesis: Genesis
  readonly ledger: LedgerState
  readonly clock: Clock
  readonly dishonest: boolean
  /** Slot timing, already following the governed slot/epoch lengths of the replayed log (see followSchedule). */
  readonly schedule: Schedule
  /** Where certified weights go: the EIP-712 domain validators sign for (absent: no chain). */
  readonly chainTarget?: { readonly chainId: bigint; readonly contract: string }
  /** The node started with an empty signer store (recreated from its mnemonic): the doppelgänger guard watches first. */
  readonly freshSignerStore?: boolean
  /** A checkpoint the operator trusts: checkpoint sync walks hand-overs from it instead of from genesis. */
  readonly trustedCheckpoint?: TrustedCheckpoint
}

export interface WireModules {
  readonly log: Logger
  readonly host: AgoraHost
  readonly blocks: BlockStore
  readonly runtime: ExecutionService
  readonly chain?: ChainClient
  readonly metrics: Metrics
  readonly duties: DutyDb
  readonly signerStore: SignerStore<Block>
  /** Which set certifies each epoch (genesis, then each hand-over); also the DHT checkpoint validator's. */
  readonly handover: HandoverChain
  challengeModule(id: string): Promise<{ module: Uint8Array; policy: RuntimePolicy } | undefined>
}

export interface Wired {
  readonly view: NodeView
  readonly actions: NodeActions
  readonly events: NodeEvents
  readonly health: ApiHealth
  readonly schedule: Schedule
  start(): void
  stop(): void
}

/** REP an honest validator stakes against a report it re-checked and found deviating. */
const DISPUTE_VOTE = 5n * ONE_REP
const MAX_PAYLOADS = 4096
/** Commits + reports per Evaluations transaction: 160 × ~250 B stays well under MAX_TX_BYTES (64 KiB). */
export const EVALUATIONS_PER_TX = 160

export function wire(o: WireOptions, m: WireModules): Wired {
  const { keys, genesis, ledger, clock } = o
  const self = keys.peerId
  const log = m.log
  const { schedule } = o
  // Lanes: our own txs, the validators' duty txs, then everyone else; a tx whose nonce is used is dropped.
  const mempool = new Mempool({}, {
    laneOf: (t) => (t.sender === self ? 'own' : (t.tx.type === 'Evaluations' || t.tx.type === 'Evidence') && validatorSet().byId(t.sender) ? 'duty' : 'user'),
    feeOf: (t) => (payableFee(t) ?? 0n),
    cannotApply: (t) => (t.nonce <= (ledger.nonces.get(t.sender) ?? -1) ? { code: 'STALE_NONCE', verdict: 'ignore' }
      : payableFee(t) === undefined && !feeWaivable(t.sender) ? { code: 'FEE_UNPAID', verdict: 'ignore' } : undefined),
  })
  /** The fee `t` pays from its sender's credits, 0 when free, undefined when the credits do not cover it. */
  function payableFee(t: VerifiedTx): bigint | undefined {
    const ty = t.tx.type
    const cls = ty === 'Submission' ? 'submission' : ty === 'Evaluations' || ty === 'Evidence' ? 'duty' : ty === 'Post' || ty === 'InitiatePool' || ty === 'ProposeChallenge' ? 'post' : 'tx'
    const fee = forum.feeOf(ledger.forum, cls)
    return fee === 0n || (ledger.forum.accounts.get(t.sender as MemberId)?.credits ?? 0n) >= fee ? fee : undefined
  }
  /** A sender without credits still has a fee-waived tx this epoch (forum/fees.ts); else its tx can never apply. */
  const feeWaivable = (sender: string) => (ledger.forum.freeTxs.bySender.get(sender as MemberId) ?? 0) < ledger.forum.params.freeTxsPerSender &&
    ledger.forum.freeTxs.total < ledger.forum.params.freeTxsPerEpoch
  const payloads = new Map<string, Uint8Array>()
  const verifiedCache = new Map<string, VerifiedTx>()
  const listeners = new Set<(e: NodeEvent) => void>()
  const emit = (e: NodeEvent) => { for (const l of listeners) { try { l(e) } catch { /* a subscriber's bug is not ours */ } } }
  const snapshots = new Map<string, Uint8Array>() // ledger snapshots by cid (checkpoint state blobs)
  let root = ledgerStateRoot(ledger)
  let lastNonce = 0
  const nextNonce = () => (lastNonce = Math.max(clock.now(), lastNonce + 1))
  // Certification is by the ledger's set of each epoch (never a fixed genesis list): the replayed ledger
  // names the current one; each closed epoch hands over to the next (learned from the ledger events).
  m.handover.learn(ledger.forum.epoch, currentCertificationSet(ledger))
  const certifier = (epoch: number, signer: string) => m.handover.setFor(epoch)?.members.find((x) => x.member === signer)

  // ---- doppelgänger guard: a fresh signer store signs nothing until the network showed no twin ----
  // A network younger than the guard has had nothing signed to watch for (every node starts fresh).
  const startSlot = schedule.slotAt(clock.now())
  const guardSlots = ledger.forum.params.doppelgangerGuardSlots
  const guard = createDoppelgangerGuard({ self, freshSignerStore: !!o.freshSignerStore && startSlot > guardSlots, startSlot, guardSlots })
  const observeSigner = (signer: string, slot: number) => {
    const before = guard.state
    guard.observe(signer, slot)
    if (before !== guard.state) log.error({ slot }, 'doppelgänger: a message signed by our keys came from another node; this node will not sign')
  }

  // ---- validator set of the current epoch (consensus), cached per epoch ----
  let setCache: { epoch: number; set: ValidatorSet } | undefined
  function validatorSet(): ValidatorSet {
    if (setCache?.epoch === ledger.forum.epoch) return setCache.set
    const set = createValidatorSet(ledger.forum.validators.map((v) => ({ id: v.member, publicKey: publicKeyOfMember(v.member), power: v.power })))
    setCache = { epoch: ledger.forum.epoch, set }
    return set
  }

  // ---- Evaluator ----
  const evaluator = createEvaluator({
    runtime: m.runtime, log, dishonest: o.dishonest,
    challenge: (id) => challengeModule(id),
    payload: (cid) => fetchPayload(cid),
  })

  // ---- registry challenges: module bytes by hash (gossip, peers, DHT), run under the manifest's policy ----
  const modules = createModuleStore({
    peers: () => m.host.peers(),
    requestBlob: (peer, cid) => m.host.requestBlob(peer, cid, { timeoutMs: MODULE_FETCH_MS }),
    dhtGet: (cid) => m.host.dht.getBlob(cid, { signal: AbortSignal.timeout(MODULE_FETCH_MS) }),
    dhtPut: (bytes) => m.host.dht.putBlob(bytes).then(() => undefined),
  })
  async function challengeModule(id: string): Promise<{ module: Uint8Array; policy: RuntimePolicy } | undefined> {
    // The epoch's table (fixed at its boundary) names the bytes; a genesis challenge's come from genesis.
    const row = activeChallengeTable(ledger).find((c) => c.id === id)
    if (!row?.policy) return m.challengeModule(id)
    const bytes = await modules.fetch(row.moduleHash)
    return bytes ? { module: bytes, policy: runtimePolicyOf(row.policy) } : undefined
  }

  /** A submission's payload: from gossip, else from a peer that has it (sync protocol), else the DHT. */
  async function fetchPayload(cid: string): Promise<Uint8Array | undefined> {
    const local = payloads.get(cid)
    if (local) return local
    for (const peer of m.host.peers()) {
      const got = await m.host.requestBlob(peer, cid, { timeoutMs: 5_000 }).catch(() => undefined)
      if (got) { rememberPayload(cid, got); return got }
    }
    return m.host.dht.getBlob(cid, { signal: AbortSignal.timeout(10_000) }).catch(() => undefined)
  }

  // ---- ParSigDB / SigAgg ----
  const parsig = createParSigDb({
    currentEpoch: () => ledger.forum.epoch,
    powerOf: (_kind, s, epoch) => certifier(epoch, s)?.power ?? 0n,
    totalPower: (_kind, epoch) => m.handover.setFor(epoch)?.total ?? 0n,
    verify(kind, signer, valueHash, signature, epoch) {
      const c = certifier(epoch, signer)
      if (!c) return false
      if (kind === 'weights' || kind === 'valset') return recoverSigner('0x' + valueHash, signature)?.toLowerCase() === c.evmAddress
      return verifyBls(fromHex(c.blsPublicKey), Domain.checkpoint, checkpointSigningPayload(valueHash), fromHex(signature))
    },
  })

  // ---- block consensus ----
  const consensus = createBlockConsensus({
    clock, log, store: m.signerStore, selfId: self, ed25519Seed: keys.ed25519Seed,
    publish: async (bytes) => { await m.host.gossip.publish(Topic.consensus, bytes) }, // failures are logged by consensus
    nextHeight: () => ledger.height + 1,
    // Never vote on a stale view: only once the start-up sync found nothing newer at our peers.
    canVote: () => syncer.caughtUp && guard.canSign(),
    validatorSet,
    slotMs: () => ledger.forum.params.slotMs,
    buildProposal: (height) => ({
      height, slot: Math.max(schedule.slotAt(clock.now()), ledger.lastSlot + 1), prevHash: ledger.lastBlockHash,
      prevStateRoot: root, proposer: self,
      txs: mempool.select({ maxBytes: PROPOSAL_TX_BYTES }).filter((t) => t.nonce > (ledger.nonces.get(t.sender) ?? -1)).map((t) => t.signed),
    }),
    validateBlock: async (height, block) => validateBlock(height, block),
    onDecided: (block, cert) => onDecided(block, cert),
    onBehind: (peer) => { void syncer.syncFrom(peer) },
    onEvidence: (e) => log.warn({ signer: e.signer }, 'consensus equivocation evidence'),
  })

  function validateBlock(height: number, block: Block): boolean {
    if (block.height !== height || block.height !== ledger.height + 1) return false
    if (block.prevHash !== ledger.lastBlockHash || block.prevStateRoot !== root) return false
    if (block.slot <= ledger.lastSlot || block.slot > schedule.slotAt(clock.now()) + 1) return false
    if (encode(block).length > MAX_BLOCK_BYTES) return false
    try {
      for (const t of block.txs) verified(t)
      return true
    } catch {
      return false
    }
  }

  function verified(t: SignedTx): VerifiedTx {
    // Keyed by body, key and signature together: a valid signature replayed with another body misses.
    const id = toHex(sha256(concatBytes(t.body, t.publicKey, t.signature)))
    let v = verifiedCache.get(id)
    if (!v) {
      v = verifyTx(t)
      if (verifiedCache.size > 50_000) verifiedCache.clear()
      verifiedCache.set(id, v)
    }
    return v
  }

  // ---- decided block → ledger → duties ----
  let applying: Promise<void> = Promise.resolve()
  function onDecided(block: Block, certificate: CommitCertificate): Promise<void> {
    const run = async () => {
      if (block.height !== ledger.height + 1) return
      // A commit by our key that we did not make (we sign nothing while watching) is a twin's.
      if (certificate.commits.some((c) => c.signer === self)) observeSigner(self, block.slot)
      await m.blocks.putBlock({ block, certificate })
      const started = schedule.info(block.slot).slotStartMs
      const result = applyBlock(ledger, block, block.txs.map(verified))
      root = result.stateRoot
      m.metrics.height.set(block.height)
      m.metrics.epoch.set(ledger.forum.epoch)
      m.metrics.blockTxs.observe(block.txs.length)
      const finality = Math.max(0, clock.now() - started) / 1000
      m.metrics.blockFinality.observe(finality)
      m.metrics.blockFinalityQuantiles.observe(finality)
      for (const r of result.outcomes) m.metrics.txOutcomes.inc({ result: r.ok ? 'ok' : r.code ?? 'failed' })
      mempool.prune(result.outcomes.map((r) => r.id)) // and whatever can no longer apply (cannotApply)
      for (const e of result.events) onLedgerEvent(e, block)
      emit({ type: 'block', block: dtoBlock(block, result.stateRoot, certificate) })
      refreshView()
    }
    const p = applying.then(run, run)
    applying = p.catch((e) => log.error({ err: errorMessage(e) }, 'applying a decided block failed'))
    return p
  }

  function onLedgerEvent(e: LedgerEvent, block: Block): void {
    switch (e.type) {
      case 'submission':
        if (e.submission.committee.some((c) => c.validator === self)) evaluator.assign(e.submission)
        return
      case 'finalScore':
        m.metrics.finalScores.inc({ rule: e.submission.final?.rule ?? 'unknown' })
        emit({ type: 'finalScore', submission: dtoSubmission(e.submission) })
        return
      case 'epochClosed':
        m.handover.learn(e.result.epoch, e.set)
        m.handover.learn(e.result.epoch + 1, e.nextSet)
        void onEpochClosed(e.result, block, e.set, e.nextSet).catch((err) => log.warn({ epoch: e.result.epoch, err: errorMessage(err) }, 'epoch duties failed'))
        return
      case 'dispute':
        log.info({ validator: e.validator, submission: e.submission.slice(0, 12) }, 'dispute pool opened')
        return
      case 'forum': {
        const f = e.event
        if (f.type === 'PoolResolved') { const p = ledger.forum.pools.get(f.pool); if (p) emit({ type: 'poolOutcome', pool: dtoPool(p) }) }
        followSchedule(schedule, ledger, f)
        return
      }
    }
  }

  // ---- WEIGHTS and CHECKPOINT duties ----
  async function onEpochClosed(result: EpochResult, block: Block, set: CertificationSet, nextSet: CertificationSet): Promise<void> {
    const e = result.epoch
    // Captured before the first await: the ledger moves on with the next block.
    const snapshot = snapshotLedger(ledger)
    const stateRoot = root
    await m.blocks.updateEpoch(e, { weightsHash: result.weightsHash })
    refreshView()
    // Only the set that certifies epoch e signs its duties, and only once the doppelgänger guard is clear.
    if (!set.members.some((x) => x.member === self) || !guard.canSign()) return
    if (m.chain && o.chainTarget && result.uids.length > 0) {
      const digest = weightsDigest({ ...o.chainTarget, epoch: BigInt(e), uids: result.uids, weights: result.weights })
      await m.duties.decide({ type: 'WEIGHTS', slot: block.slot }, `epoch-${e}`, fromHex(digest))
      await signAndShare('weights', e, digest.slice(2), signDigest(keys.evmPrivateKey, digest))
    }
    // The set changes: the outgoing set certifies the chain's update to the next one (the hand-over on chain).
    if (m.chain && o.chainTarget && !sameEvmSet(set, nextSet) && nextSet.members.length > 0) {
      const validators = evmValidatorSet(nextSet)
      const digest = validatorSetDigest({ ...o.chainTarget, epoch: BigInt(e + 1), validators })
      pendingSetUpdates.set(e, validators)
      await m.duties.decide({ type: 'WEIGHTS', slot: block.slot }, `valset-${e + 1}`, fromHex(digest))
      await signAndShare('valset', e, digest.slice(2), signDigest(keys.evmPrivateKey, digest))
    }
    const stateCid = cidOfBytes(snapshot)
    snapshots.set(stateCid, snapshot)
    if (snapshots.size > 4) snapshots.delete(snapshots.keys().next().value!)
    const header: CheckpointHeader = {
      networkId: genesis.networkId, epoch: e, height: block.height, blockHash: blockHash(block), stateRoot, stateCid, nextSetHash: certificationSetHash(nextSet),
    }
    const hh = checkpointHeaderHash(header)
    pendingHeaders.set(e, { header, nextSet })
    await m.duties.decide({ type: 'CHECKPOINT', slot: block.slot }, `epoch-${e}`, fromHex(hh))
    await signAndShare('checkpoint', e, hh, '0x' + toHex(signBls(keys.blsSecretKey, Domain.checkpoint, checkpointSigningPayload(hh))))
  }
  const pendingHeaders = new Map<number, { header: CheckpointHeader; nextSet: CertificationSet }>()
  const pendingSetUpdates = new Map<number, ReturnType<typeof evmValidatorSet>>()

  async function signAndShare(kind: ParSigKind, epoch: number, valueHash: string, signature: string): Promise<void> {
    const msg = { kind, epoch, valueHash, signature }
    await m.host.gossip.publish(Topic.parsig, msg).catch(() => undefined)
    const a = parsig.add(self, msg) ?? parsig.expect(kind, epoch, valueHash)
    if (a) await onAggregate(a)
  }

  async function onAggregate(a: Aggregate): Promise<void> {
    m.metrics.certifiedEpochs.inc({ kind: a.kind })
    if (a.kind === 'weights') {
      await m.blocks.updateEpoch(a.epoch, { weightSignatures: Object.fromEntries(a.signatures) })
      refreshView()
      broadcaster.certified(a.epoch)
      return
    }
    if (a.kind === 'valset') {
      const validators = pendingSetUpdates.get(a.epoch)
      pendingSetUpdates.delete(a.epoch)
      if (validators) broadcaster.setUpdateCertified(a.epoch + 1, validators, a.signatures.map(([, sig]) => sig))
      return
    }
    const pending = pendingHeaders.get(a.epoch)
    if (!pending) return
    pendingHeaders.delete(a.epoch)
    const { header, nextSet } = pending
    const signers = a.signatures.map(([s]) => s)
    const agg = aggregateBlsSignatures(a.signatures.map(([, sig]) => fromHex(sig)))
    const rec = encodeCheckpointRecord(header, signers, agg, nextSet)
    await m.blocks.updateEpoch(a.epoch, { checkpoint: { height: header.height, stateRoot: header.stateRoot, blockHash: header.blockHash, signers, cid: header.stateCid } })
    refreshView()
    const put = await m.host.dht.putCheckpoint(rec).catch((e) => { log.warn({ err: errorMessage(e) }, 'checkpoint put failed'); return undefined })
    if (broadcaster.isDesignated(a.epoch)) {
      const snap = snapshots.get(header.stateCid)
      if (snap) await m.host.dht.putBlob(snap).catch(() => undefined)
    }
    const rec2 = await m.blocks.getEpoch(a.epoch)
    if (rec2) emit({ type: 'certifiedEpoch', epoch: dtoEpoch(ledger, rec2) })
    log.info({ epoch: a.epoch, signers: signers.length, peersAccepted: put?.peersAccepted }, 'checkpoint certified')
  }

  // ---- Broadcaster: the certified matrix goes on chain once, in epoch order ----
  const broadcaster = createBroadcaster({
    chain: m.chain, blocks: m.blocks, ledger, schedule, clock, metrics: m.metrics, log, self,
    rotation: (epoch) => (m.handover.setFor(epoch)?.members ?? []).map((x) => x.member),
    chainTxKnown: (epoch) => {
      refreshView()
      void m.blocks.getEpoch(epoch).then((rec) => { if (rec) emit({ type: 'certifiedEpoch', epoch: dtoEpoch(ledger, rec) }) })
    },
  })

  // ---- POOL_VOTE: re-check disputed reports and vote against the deviating ones ----
  const voted = new Set<string>()
  async function poolVotes(slot: number): Promise<void> {
    if (!validatorSet().byId(self)) return
    for (const [id, p] of ledger.forum.pools) {
      if (p.outcome || slot >= p.endSlot || voted.has(id) || !id.startsWith('pool-dispute-')) continue
      voted.add(id)
      const post = ledger.forum.posts.get(p.post)
      const accused = post?.authors[0]?.member
      if (!accused || accused === self) continue
      const subPrefix = p.post.slice('dispute-'.length, 'dispute-'.length + 16)
      const sub = [...ledger.evals.submissions.values()].find((s) => s.id.startsWith(subPrefix))
      if (!sub?.final?.deviating.includes(accused)) continue
      if (forum.freeOf(ledger.forum, self as MemberId) < DISPUTE_VOTE) continue
      try {
        await m.duties.decide({ type: 'POOL_VOTE', slot: p.startSlot }, id, new Uint8Array([0]))
      } catch { continue }
      await submitOwn({ type: 'Stake', pool: id as PoolId, amount: DISPUTE_VOTE.toString(), inFavor: false })
    }
  }

  // ---- own transactions (reports, votes, operator actions) ----
  async function submitOwn(body: Record<string, unknown>): Promise<VerifiedTx | undefined> {
    if (!guard.canSign()) return undefined
    const signed = signTx(keys.ed25519Seed, keys.ed25519PublicKey, { ...body, sender: self, nonce: nextNonce() })
    let v: VerifiedTx
    try {
      v = verifyTx(signed)
    } catch (e) {
      log.error({ type: body.type, err: errorMessage(e) }, 'own transaction refused') // a bug: never crash on it
      return undefined
    }
    mempool.add(v)
    const topic = v.tx.type === 'Evaluations' ? Topic.evaluations : Topic.forum
    await m.host.gossip.publish(topic, { tx: signed }).catch(() => undefined)
    return v
  }

  // Commit at once; reveal once a block at or after the reveal slot can include it (the next block's slot
  // is above the last one, so that is when the last block reached revealSlot - 1).
  const unrevealed: Evaluated[] = []
  function flushReports(): void {
    const fresh = evaluator.drain()
    for (const e of fresh) m.metrics.evaluations.inc({ result: e.report.ok ? 'ok' : 'no-result' })
    unrevealed.push(...fresh)
    const ready = unrevealed.filter((e) => ledger.lastSlot >= e.revealSlot - 1)
    for (const e of ready) unrevealed.splice(unrevealed.indexOf(e), 1)
    const commits = fresh.map((e) => ({ submission: e.report.submission, commitment: reportCommitment(self, e.report) }))
    const reports = ready.map((e) => e.report)
    // Batches stay under the transaction size cap: a commit is ~110 bytes, a report ~250.
    for (let c = 0, r = 0; c < commits.length || r < reports.length;) {
      const cs = commits.slice(c, c + EVALUATIONS_PER_TX)
      const rs = reports.slice(r, r + EVALUATIONS_PER_TX - cs.length)
      c += cs.length
      r += rs.length
      void submitOwn({ type: 'Evaluations', commits: cs, reports: rs })
    }
  }

  // ---- gossip in ----
  const asSignedTx = (env: GossipEnvelope): { tx: SignedTx; payload?: Uint8Array } => {
    const raw = decode<{ tx: SignedTx; payload?: Uint8Array }>(env.payload)
    if (!raw || !(raw.tx?.body instanceof Uint8Array) || !(raw.tx.publicKey instanceof Uint8Array) || !(raw.tx.signature instanceof Uint8Array)) throw new Error('not a signed tx')
    return raw
  }
  const txTopic = (accepts: (v: VerifiedTx, payload?: Uint8Array) => boolean) => ({
    // Admitted to the mempool here, so a tx we cannot hold (full lane, sender quota, stale) is not forwarded.
    validate(env: GossipEnvelope) {
      let v: VerifiedTx
      let payload: Uint8Array | undefined
      try {
        const raw = asSignedTx(env)
        payload = raw.payload
        v = verified(raw.tx)
      } catch (e) { return { verdict: 'reject' as const, code: (e as { code?: string }).code ?? 'MALFORMED' } }
      if (!accepts(v, payload)) return 'reject' as const
      const r = mempool.admit(v)
      return r.ok ? 'accept' as const : { verdict: r.error.verdict, code: r.error.code }
    },
    onMessage(env: GossipEnvelope) {
      const { tx, payload } = asSignedTx(env)
      const v = verified(tx)
      if (payload && v.tx.type === 'Submission') rememberPayload(v.tx.payloadCid, payload)
      if (payload && v.tx.type === 'ProposeChallenge') modules.remember(v.tx.signed.manifest.moduleHash, payload)
      mempool.add(v)
      m.metrics.mempoolTxs.set(mempool.size)
    },
  })
  function rememberPayload(cid: string, bytes: Uint8Array): void {
    if (payloads.size >= MAX_PAYLOADS) payloads.delete(payloads.keys().next().value!)
    payloads.set(cid, bytes)
  }
  const submissionOk = (v: VerifiedTx, payload?: Uint8Array) =>
    v.tx.type === 'Submission' && !!payload && payload.length === v.tx.payloadBytes && cidOfBytes(payload) === v.tx.payloadCid &&
    activeChallengeTable(ledger).some((c) => c.id === (v.tx as { challenge: string }).challenge)

  const actions = createActions({
    ledger, mempool, self, nextNonce, keys,
    rememberPayload,
    rememberModule: (hash, bytes) => { modules.remember(hash, bytes) },
    publish: (topic, value) => m.host.gossip.publish(topic, value).then(() => undefined, () => undefined),
  })

  // ---- sync: checkpoint, then blocks, before voting; block sync again when we fall behind ----
  const syncer = createSyncer({
    host: m.host, blocks: m.blocks, ledger, genesis, clock, log, validatorSet, handover: m.handover, trusted: o.trustedCheckpoint,
    applyDecided: (block, cert) => onDecided(block, cert),
    afterSync: () => consensus.resync(),
    adoptedCheckpoint: (r) => { root = r; setCache = undefined },
  })

  // ---- the slot loop ----
  let ticker: { stop(): void } | undefined
  function onSlot(info: SlotInfo): void {
    const wasWatching = guard.state === 'watching'
    guard.onSlot(info.slot)
    if (wasWatching && guard.canSign()) log.info({ slot: info.slot }, 'doppelgänger guard clear; signing')
    m.metrics.peers.set(m.host.peers().length)
    consensus.onSlot()
    flushReports()
    broadcaster.tick()
    void poolVotes(info.slot)
  }

  const view = createNodeView({ ledger, blocks: m.blocks, host: m.host, self, keys, genesis, schedule, clock, root: () => root, mempool })
  // The view caches recent blocks and epoch records; it is refreshed when they change (one refresh at a time).
  let viewRefresh: Promise<void> | undefined
  let viewStale = false
  function refreshView(): void {
    if (viewRefresh) { viewStale = true; return }
    viewRefresh = view.refresh().catch(() => undefined).finally(() => {
      viewRefresh = undefined
      if (viewStale) { viewStale = false; refreshView() }
    })
  }

  return {
    view,
    actions,
    events: { subscribe(fn) { listeners.add(fn); return () => listeners.delete(fn) } },
    health: {
      live: () => true,
      ready() {
        const now = schedule.slotAt(clock.now())
        if (clock.now() >= genesis.genesisTime && ledger.lastSlot < now - 4 && genesis.validators.length > 1) return { ready: false, reason: `behind: last block at slot ${ledger.lastSlot}, now ${now}` }
        if (!syncer.caughtUp) return { ready: false, reason: 'catching up with peers' }
        if (guard.state === 'doppelganger') return { ready: false, reason: 'doppelgänger: another node signs with these keys; not signing' }
        if (guard.state === 'watching') return { ready: false, reason: `doppelgänger guard: watching until slot ${guard.clearSlot}` }
        if (genesis.validators.length > 1 && m.host.peers().length === 0) return { ready: false, reason: 'no peers' }
        return { ready: true }
      },
    },
    schedule,
    start() {
      m.host.gossip.subscribe(Topic.consensus, {
        validate: (env) => {
          const bytes = decode<unknown>(env.payload)
          if (!(bytes instanceof Uint8Array)) return { verdict: 'reject', code: 'CONSENSUS_MALFORMED' }
          const e = consensus.check(bytes) // signature and signer checked before anything is buffered
          if (!e && memberIdOf(env.sender) === self) observeSigner(self, schedule.slotAt(clock.now()))
          return e ? { verdict: e.verdict, code: e.code } : 'accept'
        },
        onMessage: (env, ctx) => { consensus.receive(decode<Uint8Array>(env.payload), ctx.from) },
      })
      m.host.gossip.subscribe(Topic.submissions, txTopic(submissionOk))
      m.host.gossip.subscribe(Topic.forum, txTopic((v) => v.tx.type !== 'Submission' && v.tx.type !== 'Evaluations'))
      m.host.gossip.subscribe(Topic.evaluations, txTopic((v) => v.tx.type === 'Evaluations' && !!validatorSet().byId(v.sender)))
      m.host.gossip.subscribe(Topic.parsig, {
        validate: (env) => {
          const msg = ParSigMessageSchema.safeParse(decode(env.payload))
          if (!msg.success) return { verdict: 'reject', code: 'PARSIG_MALFORMED' }
          const e = parsig.check(memberIdOf(env.sender), msg.data)
          if (memberIdOf(env.sender) === self && e?.verdict !== 'reject') observeSigner(self, schedule.slotAt(clock.now()))
          return e ? { verdict: e.verdict, code: e.code } : 'accept'
        },
        onMessage: (env) => {
          const msg = ParSigMessageSchema.parse(decode(env.payload))
          const a = parsig.add(memberIdOf(env.sender), msg)
          if (a) void onAggregate(a).catch((e) => log.warn({ err: errorMessage(e) }, 'aggregate handling failed'))
        },
      })
      m.host.handleBlocks(async (from, to) => (await m.blocks.range(from, Math.min(to, from + 63))).map((b) => encode(b)))
      m.host.handleBlobs((cid) => snapshots.get(cid) ?? payloads.get(cid) ?? modules.byCid(cid))
      ticker = startSlotTicker(schedule, clock, onSlot)
      void syncer.startup()
    },
    stop() {
      syncer.stop()
      ticker?.stop()
      consensus.stop()
    },
  }
}

/** Slot and epoch lengths are governed: when a change activates at a boundary, the clock's schedule follows. */
export function followSchedule(schedule: Schedule, ledger: LedgerState, e: forum.ForumEvent): void {
  if (e.type === 'ParamsActivated' && ('slotMs' in e.changes || 'epochSlots' in e.changes)) {
    schedule.changeFromEpoch(e.epoch, ledger.forum.params.slotMs, ledger.forum.params.epochSlots)
  }
}

const keyCache = new Map<string, Uint8Array>()
/** A member id is a libp2p peer id of an ed25519 key: the key is inside it. */
export function publicKeyOfMember(member: string): Uint8Array {
  let k = keyCache.get(member)
  if (!k) {
    const pk = peerIdFromString(member).publicKey
    if (!pk) throw new Error(`member ${member} has no embedded public key`)
    k = pk.raw
    keyCache.set(member, k)
  }
  return k
}

