// Checkpoint sync of a fresh node: walk the hand-overs from genesis (or the operator's trusted
// checkpoint) to the newest certified checkpoint, each record verified against the set the previous one
// handed over to (so a certificate from any other set is refused); fetch the snapshot its header names,
// check it against the certified state root, and adopt it. Blocks after it come by block sync.
import { ledgerStateRoot } from '../../ledger/ledger.ts'
import { restoreLedger } from '../../ledger/snapshot.ts'
import { walkHandovers } from './handover.ts'
import { timeoutSignal } from './timeout.ts'
import type { SyncModules } from './sync.ts'

/** One DHT lookup of a checkpoint record while walking the hand-overs (a miss ends the walk). */
export const CHECKPOINT_GET_MS = 5_000
/** Fetching the certified snapshot a checkpoint names (up to tens of MiB from the DHT). */
export const SNAPSHOT_GET_MS = 30_000
/** Peers asked in turn (for block 1, then for the snapshot over the blob protocol before the DHT). */
export const PEERS_ASKED = 4
/** One peer's transfer of a snapshot. */
export const SNAPSHOT_PEER_MS = 20_000
/** Lookups of the walk's first record before a fresh node gives up on checkpoint sync. */
export const FIRST_RECORD_ATTEMPTS = 3
/** How long a fresh node waits for a first peer to ask. */
const FIRST_PEER_MS = 15_000

type Modules = Pick<SyncModules, 'host' | 'fetcher' | 'blocks' | 'importer' | 'clock' | 'log' | 'handover' | 'trusted'>

/** `waitFor(cond, ms)` polls `cond` for up to `ms` on the node's clock. */
export async function checkpointSync(m: Modules, waitFor: (cond: () => boolean, ms: number) => Promise<void>): Promise<void> {
  await waitFor(() => m.host.peers().length > 0, FIRST_PEER_MS)
  if (m.host.peers().length === 0) return m.log.info('checkpoint sync: no peer yet; replaying from genesis')
  // A network that has not decided a block yet has no checkpoint: don't wait on the DHT for nothing.
  if (!(await anyPeerHasBlocks(m))) return m.log.info('checkpoint sync: the network has decided no block yet')
  const get = firstRecordRetried((epoch) => m.host.dht.getCheckpoint(epoch, { signal: timeoutSignal(m.clock, CHECKPOINT_GET_MS) }).catch(() => undefined))
  if (m.trusted && !m.handover.setFor(m.trusted.epoch + 1)) {
    const t = await get(m.trusted.epoch)
    if (!t) throw new Error(`trusted checkpoint of epoch ${m.trusted.epoch} not found`)
    if (!m.handover.setFor(m.trusted.epoch + 1)) m.handover.trust(t, m.trusted)
  }
  const last = await walkHandovers(m.handover, get)
  if (!last) return m.log.warn({ fromEpoch: m.handover.head }, 'checkpoint sync: no certified checkpoint found; replaying from genesis')
  const header = last.decoded.header
  if (header.height <= m.importer.view.height) return
  // Every node that closed the epoch serves its snapshot (peers first); the DHT copy, put by the epoch's
  // designated broadcaster after the record, is the fallback: a fresh node can find the record first.
  const bytes = await m.fetcher.fetch(header.stateCid, { peerMs: SNAPSHOT_PEER_MS, dhtMs: SNAPSHOT_GET_MS, maxPeers: PEERS_ASKED, keep: false })
  if (!bytes) throw new Error(`state ${header.stateCid} of checkpoint ${header.epoch} not found`)
  const restored = restoreLedger(bytes)
  if (ledgerStateRoot(restored) !== header.stateRoot || restored.height !== header.height || restored.lastBlockHash !== header.blockHash) {
    throw new Error(`state of checkpoint ${header.epoch} does not match its certified header`)
  }
  await m.blocks.putBase(bytes)
  m.importer.adopt(restored, header.stateRoot)
  m.log.info({ epoch: header.epoch, height: header.height }, 'started from certified checkpoint')
}

/**
 * Whether some peer holds decided block 1. One peer is not enough to say no: it may be an observer that
 * serves no blocks, or a node that itself started from a checkpoint (its store begins above it).
 */
async function anyPeerHasBlocks(m: Modules): Promise<boolean> {
  for (const peer of m.host.peers().slice(0, PEERS_ASKED)) {
    if ((await m.host.requestBlocks(peer, 1, 1).catch(() => [])).length > 0) return true
  }
  return false
}

/**
 * A miss ends the walk, which is right at its far end (the newest epoch has no checkpoint yet) but not at
 * its start: a first lookup lost to a slow DHT would send a fresh node to replay from genesis. Until one
 * record is found, a miss is tried again.
 */
function firstRecordRetried<T>(get: (epoch: number) => Promise<T | undefined>): (epoch: number) => Promise<T | undefined> {
  let found = false
  return async (epoch) => {
    for (let attempt = 1; ; attempt++) {
      const r = await get(epoch)
      if (r) found = true
      if (r || found || attempt >= FIRST_RECORD_ATTEMPTS) return r
    }
  }
}
