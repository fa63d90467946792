// composeNode(): the node without its I/O. Given a network, a key-value store, a clock, a runtime and
// (optionally) a chain, it replays the decided log from the store through the Importer, builds every
// component and wires them. node.ts supplies the real ones (libp2p, RocksDB, system clock, worker pool,
// ethers); the whole-node simulator supplies simulated ones. Keep this signature stable.
import type { VotePolicySource } from '../core/pool-vote.ts'
import type { Clock } from '../../core/clock.ts'
import type { NodeKeys } from '../../core/crypto/keys.ts'
import type { ChainClient } from '../../contracts/index.ts'
import type { Genesis } from '../../ledger/genesis.ts'
import { createGenesisLedger, currentCertificationSet } from '../../ledger/ledger.ts'
import { BlockStore } from '../infra/db/block-store.ts'
import { createDutyDb } from '../infra/db/dutydb.ts'
import type { KvStore } from '../infra/db/kv.ts'
import { rocksSignerStore } from '../infra/db/signer-store.ts'
import type { Logger } from '../infra/log.ts'
import type { Metrics } from '../infra/metrics/metrics.ts'
import type { ExecutionService } from '../infra/runtime/service.ts'
import type { ChallengeModule } from '../core/challenges.ts'
import { createHandoverChain, type HandoverChain, type TrustedCheckpoint } from '../core/handover.ts'
import { createImporter, type LedgerView } from '../core/importer.ts'
import type { Network, Wired } from '../core/interfaces.ts'
import { Schedule } from '../core/scheduler.ts'
import { createTxVerifier } from '../core/tx-verifier.ts'
import { wire } from '../core/wire.ts'
import { keepLocalSnapshots } from '../core/local-snapshots.ts'
import { startState } from './start-state.ts'

export interface ComposeOptions {
  readonly keys: NodeKeys
  readonly genesis: Genesis
  /** Genesis challenges' module bytes and policies, by challenge id (checked against genesis by the caller). */
  readonly challenges: ReadonlyMap<string, ChallengeModule>
  /** Test-only: report perturbed scores (an outvoted, dishonest validator). */
  readonly dishonest?: boolean
  /** Where certified weights go: the EIP-712 domain (absent: no chain duties). */
  readonly chainTarget?: { readonly chainId: bigint; readonly contract: string }
  /** A checkpoint the operator trusts: checkpoint sync walks hand-overs from it instead of from genesis. */
  readonly trustedCheckpoint?: TrustedCheckpoint
  /** Keys generated in this data dir and never run before (validator/app/keys.ts NEW_KEY_FILE): no guard needed. */
  readonly newKey?: boolean
  /** The operator's POOL_VOTE policy (default: the safe-envelope policy). */
  readonly votePolicy?: VotePolicySource
  /** Which set certifies each epoch; pass the one the network's checkpoint validator uses (default: from genesis). */
  readonly handover?: HandoverChain
}

export interface ComposeModules {
  readonly network: Network
  readonly kv: KvStore
  readonly clock: Clock
  readonly runtime: ExecutionService
  readonly chain?: ChainClient
  readonly log: Logger
  readonly metrics: Metrics
}

export interface ComposedNode extends Wired {
  /** The ledger, read-only (the Importer inside writes it). */
  readonly ledger: LedgerView
  /** Height of the decided log replayed at start. */
  readonly replayedHeight: number
}

export async function composeNode(opts: ComposeOptions, modules: ComposeModules): Promise<ComposedNode> {
  const { genesis } = opts
  const blocks = new BlockStore(modules.kv)
  // Start from the newest local snapshot the log confirms, the certified base this node synced from, or genesis.
  const start = await startState(blocks, genesis, (why) => modules.log.warn(why))
  const ledger = start.ledger
  const schedule = new Schedule(genesis.genesisTime, ledger.forum.params.slotMs, ledger.forum.params.epochSlots)
  // Replay the decided log: the state (and the governed slot schedule) is a pure function of it.
  const importer = createImporter({ ledger, blocks, schedule, verifier: createTxVerifier() })
  const replayedHeight = await importer.replay()
  keepLocalSnapshots({ importer, blocks, log: modules.log })
  const handover = opts.handover ?? createHandoverChain({ networkId: genesis.networkId, genesisSet: currentCertificationSet(createGenesisLedger(genesis)) })
  const wired = wire({
    keys: opts.keys, genesis, ledger, importer, schedule, clock: modules.clock, dishonest: !!opts.dishonest, chainTarget: opts.chainTarget,
    // No decided state here and keys that may have run elsewhere (restored from a mnemonic): guard first.
    freshSignerStore: start.empty && !opts.newKey, trustedCheckpoint: opts.trustedCheckpoint, votePolicy: opts.votePolicy,
  }, {
    log: modules.log, host: modules.network, blocks, runtime: modules.runtime, chain: modules.chain, metrics: modules.metrics, handover,
    duties: createDutyDb(modules.kv), signerStore: rocksSignerStore(modules.kv),
    challengeModule: async (id) => opts.challenges.get(id),
  })
  return { ...wired, ledger: importer.view, replayedHeight }
}
