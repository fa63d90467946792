// Checkpoint sync's walk start: a fresh node whose first DHT lookup misses (a slow or lossy DHT) asks
// again before it gives up and replays from genesis, and says so in its log; at the walk's far end one
// miss is enough (the newest epoch has no checkpoint yet). The certified snapshot comes from a peer over the
// blob protocol first, the DHT only when no peer has it.
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../../core/clock.ts'
import { cidOfBytes } from '../../../core/encoding.ts'
import { ledgerStateRoot } from '../../../ledger/ledger.ts'
import { snapshotLedger } from '../../../ledger/snapshot.ts'
import { checkpointSync, FIRST_RECORD_ATTEMPTS } from '../../../validator/core/checkpoint-sync.ts'
import { createFetcher } from '../../../validator/core/fetcher.ts'
import { chain } from '../../ledger/chain.ts'

function harness(records: (epoch: number, attempt: number) => unknown) {
  const asked: number[] = []
  const logs: string[] = []
  const log = { info: (...a: unknown[]) => logs.push(String(a.at(-1))), warn: (...a: unknown[]) => logs.push(String(a.at(-1))) }
  const m = {
    host: {
      peers: () => ['peer'],
      requestBlocks: async () => [new Uint8Array(1)],
      dht: { getCheckpoint: async (epoch: number) => { asked.push(epoch); return records(epoch, asked.filter((e) => e === epoch).length) } },
    },
    // A record at height 0 verifies and is not adopted (the node is not behind it): the walk is what's tested.
    handover: { head: 0, verify: (rec: unknown) => ({ header: { height: 0, epoch: rec } }), setFor: () => undefined },
    importer: { view: { height: 0 } },
    clock: new ManualClock(0), log, blocks: {},
  }
  const run = () => checkpointSync(m as unknown as Parameters<typeof checkpointSync>[0], async () => undefined)
  return { asked, logs, run }
}

describe('checkpoint sync', () => {
  it('asks again for the first record, then walks on until the first miss', async () => {
    const h = harness((epoch, attempt) => (epoch === 0 && attempt >= 3) || epoch === 1 ? { epoch } : undefined)
    await h.run()
    expect(h.asked).toEqual([0, 0, 0, 1, 2])
  })

  it('gives up after FIRST_RECORD_ATTEMPTS misses and logs that it replays from genesis', async () => {
    const h = harness(() => undefined)
    await h.run()
    expect(h.asked).toEqual(Array.from({ length: FIRST_RECORD_ATTEMPTS }, () => 0))
    expect(h.logs.join('\n')).toMatch(/no certified checkpoint found; replaying from genesis/)
  })
})

/** A certified checkpoint at height 1 whose snapshot `peerHas` / `dhtHas` can serve. */
function adoptHarness(o: { peerHas: boolean; dhtHas: boolean }) {
  const c = chain({ balances: ['100', '100', '100', '100', '10'] })
  c.apply(2, [])
  const bytes = snapshotLedger(c.s)
  const header = { epoch: 1, height: 1, stateCid: cidOfBytes(bytes), stateRoot: ledgerStateRoot(c.s), blockHash: c.s.lastBlockHash }
  const logs: string[] = []
  const adopted: number[] = []
  const log = { info: (...a: unknown[]) => logs.push(String(a.at(-1))), warn: (...a: unknown[]) => logs.push(String(a.at(-1))) }
  const host = {
    peers: () => ['peer-a', 'peer-b'],
    // peer-a serves no blocks (an observer, or a node that started from a checkpoint itself).
    requestBlocks: async (peer: string) => (peer === 'peer-b' ? [new Uint8Array(1)] : []),
    // peer-a never has it (a node that had not closed the epoch); peer-b does when `peerHas`.
    requestBlob: async (peer: string, cid: string) => (o.peerHas && peer === 'peer-b' && cid === header.stateCid ? bytes : undefined),
    dht: {
      getCheckpoint: async (epoch: number) => (epoch === 1 ? { epoch } : undefined),
      getBlob: async (cid: string) => (o.dhtHas && cid === header.stateCid ? bytes : undefined),
    },
  }
  const clock = new ManualClock(0)
  const m = {
    host,
    // The node's own fetcher over the fake network: the path a real node takes.
    fetcher: createFetcher({ net: host as never, clock }),
    handover: { head: 1, verify: () => ({ header }), setFor: () => undefined },
    importer: { view: { height: 0 }, adopt: (s: { height: number }) => { adopted.push(s.height) } },
    blocks: { putBase: async () => undefined },
    clock, log,
  }
  const run = () => checkpointSync(m as unknown as Parameters<typeof checkpointSync>[0], async () => undefined)
  return { run, logs, adopted }
}

describe('checkpoint sync: the certified snapshot', () => {
  it('comes from a peer when the DHT does not have it yet (the broadcaster puts it after the record, or is down)', async () => {
    const h = adoptHarness({ peerHas: true, dhtHas: false })
    await h.run()
    expect(h.adopted).toEqual([1])
    expect(h.logs.join('\n')).toMatch(/started from certified checkpoint/)
  })

  it('comes from the DHT when no peer serves it', async () => {
    const h = adoptHarness({ peerHas: false, dhtHas: true })
    await h.run()
    expect(h.adopted).toEqual([1])
  })

  it('is a typed failure when nobody has it, and nothing is adopted', async () => {
    const h = adoptHarness({ peerHas: false, dhtHas: false })
    await expect(h.run()).rejects.toThrow(/of checkpoint 1 not found/)
    expect(h.adopted).toEqual([])
  })
})
