// Sync: how a node gets to the network's head before it votes. A fresh node adopts the newest certified
// checkpoint (snapshot checked against the certified state root), then every node fetches the blocks its
// peers have beyond its own, each checked against its commit certificate, until a round brings nothing
// new. Later, a node that sees traffic for heights ahead of it syncs from that peer again.
import type { Clock } from '../../core/clock.ts'
import { errorMessage } from '../../core/errors.ts'
import type { ValidatorSet } from '../consensus/index.ts'
import type { Network } from './interfaces.ts'
import type { Fetcher } from './fetcher.ts'
import type { Importer } from './importer.ts'
import type { Genesis } from '../../ledger/genesis.ts'
import type { BlockStore } from '../infra/db/block-store.ts'
import type { Logger } from '../infra/log.ts'
import type { HandoverChain, TrustedCheckpoint } from './handover.ts'
import { syncBlocksFrom } from './block-sync.ts'
import { checkpointSync } from './checkpoint-sync.ts'

export { MAX_SYNC_BATCH } from './block-sync.ts'
/** A (re)started node with no peer goes ahead after this long (a network starting together). */
const NO_PEER_GRACE_MS = 15_000
/** How often the start-up sync looks again for peers. */
const POLL_MS = 250
/**
 * A round over the peers that brought at most this many blocks ends the start-up sync: the node is as close
 * to the head as the chain's own pace allows, and consensus fetches the rest (a verified message for a
 * height ahead makes it sync). Waiting for a round that brings nothing never ended on a loaded machine,
 * where a round over the peers takes longer than a slot: newcomers stayed behind for minutes (issue #17).
 */
const STARTUP_SETTLED_BLOCKS = 2

export interface SyncModules {
  readonly host: Network
  /** Checkpoint sync fetches the certified snapshot through it (peers, then the DHT). */
  readonly fetcher: Pick<Fetcher, 'fetch'>
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
    syncing ??= checkpointPhase.then(() => syncBlocksFrom(m, peer, () => stopped)).finally(() => { syncing = undefined })
    return syncing
  }

  async function waitFor(cond: () => boolean, timeoutMs: number): Promise<void> {
    const end = m.clock.now() + timeoutMs
    while (!cond() && m.clock.now() < end && !stopped) await sleep(POLL_MS)
  }

  return {
    syncFrom,
    get caughtUp() { return caughtUp },
    /**
     * Before it votes, a (re)started node asks its peers for newer blocks until a round brings at most
     * STARTUP_SETTLED_BLOCKS (a restarted validator must not act on a stale view: lium-io #1012). With no
     * peer after a grace period (a network starting together, or a single validator) it goes ahead.
     */
    async startup() {
      const graceUntil = m.clock.now() + NO_PEER_GRACE_MS
      if (ledger.height === 0) await checkpointSync(m, waitFor).catch((e) => log.warn({ err: errorMessage(e) }, 'checkpoint sync failed; replaying from genesis'))
      endCheckpointPhase()
      while (!stopped) {
        const peers = m.host.peers()
        if (peers.length === 0) {
          if (m.genesis.validators.length === 1 || m.clock.now() > graceUntil) break
          await sleep(POLL_MS)
          continue
        }
        const before = ledger.height
        for (const p of peers) await syncFrom(p)
        if (ledger.height - before <= STARTUP_SETTLED_BLOCKS) break
      }
      caughtUp = true
      log.info({ height: ledger.height }, 'caught up; voting')
    },
    stop() { stopped = true },
  }
}
