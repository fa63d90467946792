// The Checkpointer at an epoch's close: every node keeps the closed state's snapshot to serve fresh nodes
// over the blob protocol, whether or not it certifies the epoch (a fresh node asks its peers, which need not
// be certifiers, and the DHT copy is put by one designated node only); a node outside the set signs nothing.
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../../core/clock.ts'
import { cidOfBytes } from '../../../core/encoding.ts'
import type { Block } from '../../../ledger/block.ts'
import { ledgerStateRoot } from '../../../ledger/ledger.ts'
import { snapshotLedger } from '../../../ledger/snapshot.ts'
import { createCheckpointer } from '../../../validator/core/checkpointer.ts'
import { createFetcher } from '../../../validator/core/fetcher.ts'
import { chain, ids } from '../../ledger/chain.ts'

function closeEpochAs(self: string, members: string[]) {
  const c = chain({ balances: ['100', '100', '100', '100', '10'] })
  c.apply(2, [])
  const published: unknown[] = []
  const signed: string[] = []
  const net = { gossip: { publish: async (_t: unknown, v: unknown) => { published.push(v) }, subscribe: () => undefined }, peers: () => [], dht: {} }
  const fetcher = createFetcher({ net: net as never, clock: new ManualClock(0) })
  const cp = createCheckpointer({
    self, genesis: c.genesis, net: net as never, fetcher,
    blocks: { updateEpoch: async () => undefined } as never,
    importer: { view: c.s, root: () => ledgerStateRoot(c.s) } as never,
    handover: { setFor: () => undefined } as never,
    signer: { signCheckpoint: async (_s: number, duty: string) => { signed.push(duty); return '00' } } as never,
    metrics: { certifiedEpochs: { inc: () => undefined } } as never,
    log: { info: () => undefined, warn: () => undefined } as never,
    broadcaster: { isDesignated: () => false } as never,
    canSign: () => true,
  })
  const cid = cidOfBytes(snapshotLedger(c.s))
  const set = { members: members.map((member) => ({ member, power: 1n, blsPublicKey: '', evmAddress: '' })), total: BigInt(members.length) }
  const result = { epoch: 1, miners: [], uids: [], weights: [], weightsHash: '00' }
  const block = { height: 1, slot: 2, prevHash: '', prevStateRoot: '', proposer: ids[0]!, txs: [] } as Block
  return { run: () => cp.epochClosed(result, block, set, set), fetcher, cid, published, signed }
}

describe('checkpointer at an epoch close', () => {
  it('a node outside the certifying set keeps the snapshot to serve, and signs nothing', async () => {
    const h = closeEpochAs(ids[4]!, ids.slice(0, 4))
    await h.run()
    expect(h.fetcher.serve(h.cid)).toBeDefined()
    expect(h.signed).toEqual([])
    expect(h.published).toEqual([])
  })

  it('a certifier keeps the snapshot and signs the checkpoint duty', async () => {
    const h = closeEpochAs(ids[0]!, ids.slice(0, 4))
    await h.run()
    expect(h.fetcher.serve(h.cid)).toBeDefined()
    expect(h.signed).toEqual(['epoch-1'])
  })
})
