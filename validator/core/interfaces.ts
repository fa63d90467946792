// Every workflow component's interface in one place (Charon's core/interfaces.go), and the Network the
// core runs on. AgoraHost satisfies Network structurally; the simulator supplies its own. Only type
// imports of the p2p message shapes: no libp2p in core.
import type { AgoraDht } from '../infra/p2p/dht.ts'
import type { TopicHandler } from '../infra/p2p/gossip.ts'
import type { TopicName } from '../infra/p2p/constants.ts'
import type { BlobSource, BlocksSource } from '../infra/p2p/sync.ts'
import type { Clock } from '../../core/clock.ts'
import type { VotePolicySource } from './pool-vote.ts'
import type { NodeKeys } from '../../core/crypto/keys.ts'
import type { ChainClient } from '../../contracts/index.ts'
import type { SignerStore } from '../consensus/index.ts'
import type { Genesis } from '../../ledger/genesis.ts'
import type { LedgerState } from '../../ledger/ledger.ts'
import type { Block } from '../../ledger/block.ts'
import type { BlockStore } from '../infra/db/block-store.ts'
import type { DutyDb } from '../infra/db/dutydb.ts'
import type { Logger } from '../infra/log.ts'
import type { Metrics } from '../infra/metrics/metrics.ts'
import type { ExecutionService } from '../infra/runtime/service.ts'
import type { NodeActions, NodeEvents, NodeView } from '../api/view.ts'
import type { ChallengeModule } from './challenges.ts'
import type { HandoverChain, TrustedCheckpoint } from './handover.ts'
import type { Health } from './health.ts'
import type { Schedule } from './scheduler.ts'
import type { Importer as ImporterT } from './importer.ts'
type Importer = ImporterT

export interface Network {
  readonly gossip: {
    subscribe(topic: TopicName, handler: TopicHandler): void
    publish(topic: TopicName, value: unknown): Promise<unknown>
  }
  readonly dht: Pick<AgoraDht, 'getLatestCheckpoint' | 'getCheckpoint' | 'putCheckpoint' | 'getBlob' | 'putBlob'>
  peers(): string[]
  handleBlocks(fn: BlocksSource): void
  handleBlobs(fn: BlobSource): void
  requestBlocks(peer: string, from: number, to: number, opts?: { timeoutMs?: number }): Promise<Uint8Array[]>
  requestBlob(peer: string, cid: string, opts?: { timeoutMs?: number }): Promise<Uint8Array | undefined>
}

export type { Importer, Imported, LedgerView } from './importer.ts'
export type { TxVerifier } from './tx-verifier.ts'
export type { Fetcher } from './fetcher.ts'
export type { BlockValidator, Proposer } from './proposer.ts'
export type { OwnTxs } from './own-txs.ts'
export type { PoolVoteDuty } from './pool-vote.ts'
export type { Checkpointer } from './checkpointer.ts'
export type { TxAdmission } from './tx-admission.ts'
export type { Health } from './health.ts'
export type { Evaluator } from './evaluator.ts'
export type { Broadcaster } from './broadcaster.ts'
export type { Syncer } from './sync.ts'
export type { Mempool } from './mempool.ts'
export type { ParSigDb } from './parsig.ts'
export type { DoppelgangerGuard } from './doppelganger.ts'

// ---- wire(): what the app hands the core, and what it gets back ----
export interface WireOptions {
  readonly keys: NodeKeys
  readonly genesis: Genesis
  /** The ledger replayed so far; from here on only the importer writes it. */
  readonly ledger: LedgerState
  /** The importer that replayed it (composeNode); absent: wire makes one over `ledger`. */
  readonly importer?: Importer
  readonly clock: Clock
  readonly dishonest: boolean
  /** Slot timing, already following the governed slot/epoch lengths of the replayed log (see followSchedule). */
  readonly schedule: Schedule
  /** Where certified weights go: the EIP-712 domain validators sign for (absent: no chain). */
  readonly chainTarget?: { readonly chainId: bigint; readonly contract: string }
  /** The node started with an empty signer store (recreated from its mnemonic): the doppelgänger guard watches first. */
  readonly freshSignerStore?: boolean
  /** The operator's POOL_VOTE policy (validator/app/vote-policy.ts); default: against anything outside the safe envelope. */
  readonly votePolicy?: VotePolicySource
  /** A checkpoint the operator trusts: checkpoint sync walks hand-overs from it instead of from genesis. */
  readonly trustedCheckpoint?: TrustedCheckpoint
}

export interface WireModules {
  readonly log: Logger; readonly host: Network; readonly blocks: BlockStore; readonly runtime: ExecutionService; readonly chain?: ChainClient
  readonly metrics: Metrics; readonly duties: DutyDb; readonly signerStore: SignerStore<Block>
  /** Which set certifies each epoch (genesis, then each hand-over); also the DHT checkpoint validator's. */
  readonly handover: HandoverChain
  challengeModule(id: string): Promise<ChallengeModule | undefined>
}

export interface Wired {
  readonly view: NodeView; readonly actions: NodeActions; readonly events: NodeEvents; readonly health: Health; readonly schedule: Schedule
  start(): void
  stop(): void
}
