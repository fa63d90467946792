// SigAgg and Checkpointer: when an epoch closes, the certifying set signs its WEIGHTS (and, when the set
// changes, the chain's VALSET update) and CHECKPOINT duties; partial signatures are shared over gossip and
// gathered in the ParSigDB; a quorum aggregate goes to the Broadcaster (chain) or the DHT (checkpoint).
import { aggregateBlsSignatures } from '../../core/crypto/sign.ts'
import { cidOfBytes } from '../../core/encoding.ts'
import { fromHex } from '../../core/bytes.ts'
import { errorMessage } from '../../core/errors.ts'
import { weightsDigest } from '../../contracts/index.ts'
import { validatorSetDigest } from '../../contracts/eip712.ts'
import { blockHash, type Block } from '../../ledger/block.ts'
import { epochWeightsOf, type EpochResult } from '../../ledger/evaluations.ts'
import type { Genesis } from '../../ledger/genesis.ts'
import { snapshotLedger } from '../../ledger/snapshot.ts'
import { certificationSetHash, evmValidatorSet, sameEvmSet, type CertificationSet } from '../../ledger/validator-keys.ts'
import type { BlockStore } from '../infra/db/block-store.ts'
import type { Logger } from '../infra/log.ts'
import type { Metrics } from '../infra/metrics/metrics.ts'
import { Topic } from '../infra/p2p/constants.ts'
import type { Broadcaster } from './broadcaster.ts'
import { checkpointHeaderHash, encodeCheckpointRecord, type CheckpointHeader } from './checkpoint.ts'
import type { Fetcher } from './fetcher.ts'
import type { HandoverChain } from './handover.ts'
import type { Importer } from './importer.ts'
import type { Network } from './interfaces.ts'
import { createParSigDb, type Aggregate, type ParSigConflict, type ParSigDb, type ParSigKind, type ParSigMessage } from './parsig.ts'
import { certifyingSetParSig } from './parsig-verify.ts'
import type { Signer } from './signer.ts'

export interface Checkpointer {
  readonly parsig: ParSigDb
  /** The epoch-closed event of the block that closed it: sign and share this node's duties. */
  epochClosed(result: EpochResult, block: Block, set: CertificationSet, nextSet: CertificationSet): Promise<void>
  /** A peer's partial signature, already checked by gossip admission. */
  received(signer: string, msg: ParSigMessage): void
  /** Called when an epoch record changed (weights hash, certificate, checkpoint). */
  subscribeRecord(fn: (epoch: number, certified: boolean) => void): void
}

export interface CheckpointerModules {
  readonly self: string; readonly genesis: Genesis; readonly net: Network; readonly blocks: BlockStore
  readonly importer: Importer; readonly handover: HandoverChain; readonly signer: Signer; readonly fetcher: Fetcher
  readonly metrics: Metrics; readonly log: Logger; readonly broadcaster: Broadcaster
  readonly chainTarget?: { readonly chainId: bigint; readonly contract: string }
  canSign(): boolean
  /** A certifier signed two values for one duty (the evidence reporter turns a checkpoint one into Evidence). */
  onParSigConflict?(c: ParSigConflict): void
}

/**
 * A checkpoint aggregate reached quorum: record it, publish the certified record to the DHT and (the
 * designated broadcaster) the snapshot it names; `changed` tells record subscribers.
 */
async function publishCheckpoint(m: CheckpointerModules, a: Aggregate, header: CheckpointHeader, nextSet: CertificationSet, changed: (epoch: number, certified?: boolean) => void): Promise<void> {
  const signers = a.signatures.map(([s]) => s)
  const agg = aggregateBlsSignatures(a.signatures.map(([, sig]) => fromHex(sig)))
  const rec = encodeCheckpointRecord(header, signers, agg, nextSet)
  await m.blocks.updateEpoch(a.epoch, { checkpoint: { height: header.height, stateRoot: header.stateRoot, blockHash: header.blockHash, signers, cid: header.stateCid } })
  changed(a.epoch)
  const put = await m.net.dht.putCheckpoint(rec).catch((e) => { m.log.warn({ err: errorMessage(e) }, 'checkpoint put failed'); return undefined })
  if (m.broadcaster.isDesignated(a.epoch)) {
    const snap = m.fetcher.snapshot(header.stateCid)
    if (snap) await m.net.dht.putBlob(snap).catch(() => undefined)
  }
  changed(a.epoch, true)
  m.log.info({ epoch: a.epoch, signers: signers.length, peersAccepted: put?.peersAccepted }, 'checkpoint certified')
}

/** The header of epoch `e`'s checkpoint: the state after `block` (its snapshot's CID) and the next set. */
function checkpointHeader(m: CheckpointerModules, e: number, block: Block, stateRoot: string, stateCid: string, nextSet: CertificationSet): CheckpointHeader {
  return { networkId: m.genesis.networkId, epoch: e, height: block.height, blockHash: blockHash(block), stateRoot, stateCid, nextSetHash: certificationSetHash(nextSet) }
}

export function createCheckpointer(m: CheckpointerModules): Checkpointer {
  const ledger = m.importer.view
  const records: ((epoch: number, certified: boolean) => void)[] = []
  const changed = (epoch: number, certified = false) => { for (const fn of records) fn(epoch, certified) }
  const pendingHeaders = new Map<number, { header: CheckpointHeader; nextSet: CertificationSet }>()
  const pendingSetUpdates = new Map<number, ReturnType<typeof evmValidatorSet>>()
  const parsig = createParSigDb({ ...certifyingSetParSig(m.handover, () => ledger.forum.epoch), onConflict: m.onParSigConflict })

  async function share(kind: ParSigKind, epoch: number, valueHash: string, signature: string): Promise<void> {
    const msg = { kind, epoch, valueHash, signature }
    await m.net.gossip.publish(Topic.parsig, msg).catch(() => undefined)
    const a = parsig.add(m.self, msg) ?? parsig.expect(kind, epoch, valueHash)
    if (a) await aggregated(a)
  }

  async function aggregated(a: Aggregate): Promise<void> {
    m.metrics.certifiedEpochs.inc({ kind: a.kind })
    if (a.kind === 'weights') {
      await m.blocks.updateEpoch(a.epoch, { weightSignatures: Object.fromEntries(a.signatures) })
      changed(a.epoch)
      m.broadcaster.certified(a.epoch)
      return
    }
    if (a.kind === 'valset') {
      const validators = pendingSetUpdates.get(a.epoch)
      pendingSetUpdates.delete(a.epoch)
      if (validators) m.broadcaster.setUpdateCertified(a.epoch + 1, validators, a.signatures.map(([, sig]) => sig))
      return
    }
    const pending = pendingHeaders.get(a.epoch)
    if (!pending) return
    pendingHeaders.delete(a.epoch)
    await publishCheckpoint(m, a, pending.header, pending.nextSet, changed)
  }

  async function epochClosed(result: EpochResult, block: Block, set: CertificationSet, nextSet: CertificationSet): Promise<void> {
    const e = result.epoch
    // Captured before the first await: the ledger moves on with the next block.
    const snapshot = snapshotLedger(ledger)
    const stateRoot = m.importer.root()
    await m.blocks.updateEpoch(e, { weightsHash: result.weightsHash, result: epochWeightsOf(result) })
    changed(e)
    // Every node keeps the snapshot to serve fresh nodes over the blob protocol, certifier or not.
    const stateCid = cidOfBytes(snapshot)
    m.fetcher.rememberSnapshot(stateCid, snapshot)
    // Only the set that certifies epoch e signs its duties, and only once the doppelgänger guard is clear.
    if (!set.members.some((x) => x.member === m.self) || !m.canSign()) return
    const target = m.chainTarget
    if (target && result.uids.length > 0) {
      const digest = weightsDigest({ ...target, epoch: BigInt(e), uids: result.uids, weights: result.weights })
      await share('weights', e, digest.slice(2), await m.signer.signDigest(block.slot, `epoch-${e}`, digest))
    }
    // The set changes: the outgoing set certifies the chain's update to the next one (the hand-over on chain).
    if (target && !sameEvmSet(set, nextSet) && nextSet.members.length > 0) {
      const validators = evmValidatorSet(nextSet)
      const digest = validatorSetDigest({ ...target, epoch: BigInt(e + 1), validators })
      pendingSetUpdates.set(e, validators)
      await share('valset', e, digest.slice(2), await m.signer.signDigest(block.slot, `valset-${e + 1}`, digest))
    }
    const header = checkpointHeader(m, e, block, stateRoot, stateCid, nextSet)
    const hh = checkpointHeaderHash(header)
    pendingHeaders.set(e, { header, nextSet })
    await share('checkpoint', e, hh, await m.signer.signCheckpoint(block.slot, `epoch-${e}`, hh))
  }

  return {
    parsig,
    epochClosed,
    received(signer, msg) {
      const a = parsig.add(signer, msg)
      if (a) void aggregated(a).catch((e) => m.log.warn({ err: errorMessage(e) }, 'aggregate handling failed'))
    },
    subscribeRecord: (fn) => { records.push(fn) },
  }
}
