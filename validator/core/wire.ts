// wire(): the node's data flow, one line per connection (Charon's Wire()); every component is its own
// file with a typed interface (interfaces.ts) and the logic lives there, never here. Top to bottom:
//   Scheduler (slot ticks) ─► BlockConsensus (Proposer from the Mempool, BlockValidator, decide)
//   decided block (consensus or Sync) ─► Importer (BlockStore, then the ledger) ─► subscribers:
//     Decided: metrics, mempool prune, Evaluator assignments, Checkpointer (epoch duties), NodeEvents
//   Evaluator ─► OwnTxs (commit/reveal) ─► Mempool + gossip;  POOL_VOTE ─► OwnTxs
//   Checkpointer: Signer ─► ParSigDB ◄─► gossip ─► SigAgg ─► Broadcaster (chain) / DHT (checkpoint)
//   gossip in ─► TxAdmission ─► Mempool;  consensus/parsig gossip ─► their checks ─► components
import { encode } from '../../core/encoding.ts'
import { currentCertificationSet } from '../../ledger/ledger.ts'
import { Topic } from '../infra/p2p/constants.ts'
import { createActions } from './actions.ts'
import { createBlockConsensus } from './block-consensus.ts'
import { createBroadcaster } from './broadcaster.ts'
import { createChallenges } from './challenges.ts'
import { createCheckpointer } from './checkpointer.ts'
import { onDecided } from './decided.ts'
import { createEvaluator } from './evaluator.ts'
import { createFetcher } from './fetcher.ts'
import { consensusHandler, parsigHandler } from './gossip-in.ts'
import { createHealth } from './health.ts'
import { createImporter } from './importer.ts'
import { MAX_SYNC_BATCH, createSyncer } from './sync.ts'
import { createMempool } from './mempool-policy.ts'
import { createNodeEventBus } from './node-events.ts'
import { createNodeView } from './node-view.ts'
import { createOwnTxs } from './own-txs.ts'
import { createPoolVoteDuty } from './pool-vote.ts'
import { DEFAULT_VOTE_POLICY } from './pool-voter.ts'
import { createEvidenceReporter } from './evidence-reporter.ts'
import { createBlockValidator, createProposer } from './proposer.ts'
import { startSlotTicker } from './scheduler.ts'
import { createSigner } from './signer.ts'
import { createSigningGuard } from './signing-guard.ts'
import { createTxAdmission } from './tx-admission.ts'
import { createTxVerifier } from './tx-verifier.ts'
import { createValidators } from './validators.ts'
import type { WireModules, WireOptions, Wired } from './interfaces.ts'
export type { WireModules, WireOptions, Wired } from './interfaces.ts'
export { followSchedule } from './importer.ts'

export function wire(o: WireOptions, m: WireModules): Wired {
  const { keys, genesis, clock, schedule } = o, { log, metrics, blocks, host: net } = m, self = keys.peerId
  const verifier = createTxVerifier()
  const importer = o.importer ?? createImporter({ ledger: o.ledger, blocks, schedule, verifier }), ledger = importer.view
  m.handover.learn(ledger.forum.epoch, currentCertificationSet(ledger))
  const guard = createSigningGuard({ self, log, freshSignerStore: !!o.freshSignerStore, startSlot: schedule.slotAt(clock.now()), guardSlots: ledger.forum.params.doppelgangerGuardSlots })
  const validators = createValidators(ledger)
  const mempool = createMempool({ self, ledger, isValidator: validators.isValidator })
  const challenges = createChallenges({ net, clock, ledger, genesisModule: m.challengeModule })
  const fetcher = createFetcher({ net, clock, more: challenges.modules.byCid })
  const evaluator = createEvaluator({ runtime: m.runtime, log, dishonest: o.dishonest, challenge: challenges.module, payload: fetcher.fetch })
  const own = createOwnTxs({ keys, clock, log, metrics, net, mempool, ledger, evaluator, verifier, canSign: guard.canSign })
  const broadcaster = createBroadcaster({ chain: m.chain, blocks, ledger, schedule, clock, metrics, log, self,
    rotation: (epoch) => (m.handover.setFor(epoch)?.members ?? []).map((x) => x.member), chainTxKnown: (epoch) => bus.epochChanged(epoch, true) })
  const signer = createSigner({ keys, duties: m.duties })
  const checkpointer = createCheckpointer({ self, genesis, net, blocks, importer, handover: m.handover, signer, fetcher, metrics, log, broadcaster,
    chainTarget: m.chain ? o.chainTarget : undefined, canSign: guard.canSign, onParSigConflict: (c) => evidence.onParSigConflict(c) })
  const proposer = createProposer({ importer, schedule, clock, self, mempool })
  const blockValidator = createBlockValidator({ importer, schedule, clock, self, verifier })
  const consensus = createBlockConsensus({ clock, log, store: m.signerStore, selfId: self, ed25519Seed: keys.ed25519Seed,
    publish: async (bytes) => { await net.gossip.publish(Topic.consensus, bytes) }, // failures are logged by consensus
    nextHeight: () => ledger.height + 1, canVote: () => syncer.caughtUp && guard.canSign(), validatorSet: validators.current,
    slotMs: () => ledger.forum.params.slotMs, buildProposal: proposer.build, validateBlock: async (h, b) => blockValidator.valid(h, b),
    onDecided: importer.importDecided, onBehind: (peer) => { void syncer.syncFrom(peer) },
    onEvidence: (e) => evidence.onConsensusEvidence(e) })
  const syncer = createSyncer({ host: net, fetcher, blocks, importer, genesis, clock, log, validatorSet: validators.current, handover: m.handover,
    trusted: o.trustedCheckpoint, afterSync: () => consensus.resync() })
  const evidence = createEvidenceReporter({ own, log, validatorSet: validators.current })
  const poolVote = createPoolVoteDuty({ self, ledger, duties: m.duties, own, policy: o.votePolicy ?? DEFAULT_VOTE_POLICY, isValidator: () => validators.isValidator(self) })
  const admission = createTxAdmission({ ledger, mempool, verifier, fetcher, modules: challenges.modules, metrics, isValidator: validators.isValidator })
  const actions = createActions({ ledger, mempool, self, keys, own, fetcher, modules: challenges.modules, net, verifier })
  const view = createNodeView({ ledger, blocks, host: net, self, keys, genesis, schedule, clock, root: importer.root, mempool })
  const bus = createNodeEventBus({ view, blocks, ledger })
  const health = createHealth({ genesis, ledger, schedule, clock, guard: guard.guard, caughtUp: () => syncer.caughtUp, peers: () => net.peers().length })
  checkpointer.subscribeRecord(bus.epochChanged)
  importer.subscribeImported(guard.onImported)
  importer.subscribeImported(onDecided({ self, ledger, schedule, clock, metrics, log, mempool, evaluator, checkpointer, handover: m.handover, events: bus }))
  importer.subscribeAdopted(validators.invalidate)
  let ticker: { stop(): void } | undefined
  return {
    view, actions, events: bus, health, schedule,
    start() {
      net.gossip.subscribe(Topic.consensus, consensusHandler({ self, schedule, clock, guard, consensus }))
      net.gossip.subscribe(Topic.submissions, admission.handler('submissions'))
      net.gossip.subscribe(Topic.forum, admission.handler('forum'))
      net.gossip.subscribe(Topic.evaluations, admission.handler('evaluations'))
      net.gossip.subscribe(Topic.parsig, parsigHandler({ self, schedule, clock, guard, checkpointer }))
      net.handleBlocks(async (from, to) => (await blocks.range(from, Math.min(to, from + MAX_SYNC_BATCH - 1))).map((b) => encode(b)))
      net.handleBlobs(fetcher.serve)
      ticker = startSlotTicker(schedule, clock, ({ slot }) => {
        guard.onSlot(slot, syncer.caughtUp); metrics.peers.set(net.peers().length); metrics.slotsSinceBlock.set(health.slotsSinceBlock())
        consensus.onSlot(slot); own.flushReports(); broadcaster.tick(); void poolVote.onSlot(slot)
      })
      void syncer.startup()
    },
    stop() { syncer.stop(); ticker?.stop(); consensus.stop() },
  }
}
