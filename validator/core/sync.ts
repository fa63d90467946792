// Sync: how a node gets to the network's head before it votes. A fresh node adopts the newest certified
// checkpoint (snapshot checked against the certified state root), then every node fetches the blocks its
// peers have beyond its own, each checked against its commit certificate, until a round brings nothing
// new. Later, a node that sees traffic for heights ahead of it syncs from that peer again.
import type { Clock } from '../../core/clock.ts'
import { decode } from '../../core/encoding.ts'
import { errorMessage } from '../../core/errors.ts'
import { verifyCertificate, type CommitCertificate, type ValidatorSet } from '../consensus/index.ts'
import type { Network } from './interfaces.ts'
import type { Importer } from './importer.ts'
import { timeoutSignal } from './timeout.ts'
import type { Genesis } from '../../ledger/genesis.ts'
import { BlockSchema, blockHashBytes, type Block } from '../../ledger/block.ts'
import { ledgerStateRoot } from '../../ledger/ledger.ts'
import { restoreLedger } from '../../ledger/snapshot.ts'
import type { BlockStore } from '../infra/db/block-store.ts'
import type { Logger } from '../infra/log.ts'
import { walkHandovers, type HandoverChain, type TrustedCheckpoint } from './handover.ts'

export const MAX_SYNC_BATCH = 64
/** One DHT lookup of a checkpoint record while walking the hand-overs (a miss ends the walk). */
export const CHECKPOINT_GET_MS = 5_000
/** Fetching the certified snapshot a checkpoint names (up to tens of MiB from the DHT). */
export const SNAPSHOT_GET_MS = 30_000

export interface SyncModules {
  readonly host: Network
  readonly blocks: BlockStore
  /** Sync applies blocks and adopts checkpoints only through the importer. */
  readonly importer: Pick<Importer, 'view' | 'importDecided' | 'adopt'>
  readonly genesis: Genesis
  readonly clock: Clock
  readonly log: Logger
  validatorSet(): ValidatorSet
  /** Sets by epoch: the walk from genesis (or the trusted checkpoint) verifies each hand-over. */
  readonly handover: HandoverChain
  readonly trusted?: TrustedCheckpoint
  /** After blocks arrived by sync: consensus drops its now-passed instance. */
  afterSync(): void
}

export interface Syncer {
  /** Fetch and apply the blocks `peer` has beyond ours (one sync at a time; callers share it). */
  syncFrom(peer: string): Promise<void>
  /** The start-up sync; resolves once we are at the head our peers know of. */
  startup(): Promise<void>
  readonly caughtUp: boolean
  stop(): void
}

export function createSyncer(m: SyncModules): Syncer {
  const { log } = m
  const ledger = m.importer.view
  const sleep = (ms: number) => new Promise<void>((r) => { m.clock.setTimer(ms, r) })
  let syncing: Promise<void> | undefined
  let caughtUp = false
  let stopped = false
  // Block sync waits for the checkpoint phase: blocks are fetched after the state we start from.
  let endCheckpointPhase!: () => void
  const checkpointPhase = new Promise<void>((r) => { endCheckpointPhase = r })

  function syncFrom(peer: string): Promise<void> {
    syncing ??= checkpointPhase.then(() => blocksFrom(peer)).finally(() => { syncing = undefined })
    return syncing
  }

  async function blocksFrom(peer: string): Promise<void> {
    try {
      for (let rounds = 0; rounds < 64 && !stopped; rounds++) {
        const from = ledger.height + 1
        const got = await m.host.requestBlocks(peer, from, from + MAX_SYNC_BATCH - 1)
        if (got.length === 0) break
        for (const bytes of got) {
          const raw = decode<{ block: unknown; certificate: CommitCertificate }>(bytes)
          const block = BlockSchema.parse(raw.block) as Block
          if (block.height !== ledger.height + 1) break
          if (!verifyCertificate(blockHashBytes(block), raw.certificate, m.validatorSet())) throw new Error(`block ${block.height} from ${peer} has an invalid certificate`)
          // The same path as a block decided by our own consensus.
          await m.importer.importDecided(block, raw.certificate)
        }
        m.afterSync()
        if (got.length < MAX_SYNC_BATCH) break
      }
    } catch (e) {
      log.warn({ peer, err: errorMessage(e) }, 'block sync failed')
    }
  }

  async function until(cond: () => boolean, timeoutMs: number): Promise<void> {
    const end = m.clock.now() + timeoutMs
    while (!cond() && m.clock.now() < end && !stopped) await sleep(250)
  }

  /**
   * A fresh node starts from the newest certified checkpoint it reaches by walking the hand-overs from
   * genesis (or from the operator's trusted checkpoint): each record is verified against the set the
   * previous one handed over to, so a certificate from any other set is refused. Then it fetches the
   * snapshot the header names, checks it hashes to the certified state root, and adopts it; blocks after it
   * come by block sync.
   */
  async function checkpointSync(): Promise<void> {
    await until(() => m.host.peers().length > 0, 15_000)
    const peer = m.host.peers()[0]
    // A network that has not decided a block yet has no checkpoint: don't wait on the DHT for nothing.
    if (!peer || (await m.host.requestBlocks(peer, 1, 1).catch(() => [])).length === 0) return
    const get = (epoch: number) => m.host.dht.getCheckpoint(epoch, { signal: timeoutSignal(m.clock, CHECKPOINT_GET_MS) }).catch(() => undefined)
    if (m.trusted && !m.handover.setFor(m.trusted.epoch + 1)) {
      const t = await get(m.trusted.epoch)
      if (!t) throw new Error(`trusted checkpoint of epoch ${m.trusted.epoch} not found`)
      if (!m.handover.setFor(m.trusted.epoch + 1)) m.handover.trust(t, m.trusted)
    }
    const last = await walkHandovers(m.handover, get)
    if (!last) return
    const header = last.decoded.header
    if (header.height <= ledger.height) return
    const bytes = await m.host.dht.getBlob(header.stateCid, { signal: timeoutSignal(m.clock, SNAPSHOT_GET_MS) })
    if (!bytes) throw new Error(`state ${header.stateCid} of checkpoint ${header.epoch} not found`)
    const restored = restoreLedger(bytes)
    if (ledgerStateRoot(restored) !== header.stateRoot || restored.height !== header.height || restored.lastBlockHash !== header.blockHash) {
      throw new Error(`state of checkpoint ${header.epoch} does not match its certified header`)
    }
    await m.blocks.putBase(bytes)
    m.importer.adopt(restored, header.stateRoot)
    log.info({ epoch: header.epoch, height: header.height }, 'started from certified checkpoint')
  }

  return {
    syncFrom,
    get caughtUp() { return caughtUp },
    /**
     * Before it votes, a (re)started node asks its peers for newer blocks until a round brings nothing new
     * (a restarted validator must not act on a stale view: lium-io #1012). With no peer after a grace period
     * (a network starting together, or a single validator) it goes ahead.
     */
    async startup() {
      const graceUntil = m.clock.now() + 15_000
      if (ledger.height === 0) await checkpointSync().catch((e) => log.warn({ err: errorMessage(e) }, 'checkpoint sync failed; replaying from genesis'))
      endCheckpointPhase()
      while (!stopped) {
        const peers = m.host.peers()
        if (peers.length === 0) {
          if (m.genesis.validators.length === 1 || m.clock.now() > graceUntil) break
          await sleep(250)
          continue
        }
        const before = ledger.height
        for (const p of peers) await syncFrom(p)
        if (ledger.height === before) break
      }
      caughtUp = true
      log.info({ height: ledger.height }, 'caught up; voting')
    },
    stop() { stopped = true },
  }
}
