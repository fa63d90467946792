// Checkpoint sync's walk start: a fresh node whose first DHT lookup misses (a slow or lossy DHT) asks
// again before it gives up and replays from genesis, and says so in its log; at the walk's far end one
// miss is enough (the newest epoch has no checkpoint yet).
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../../core/clock.ts'
import { checkpointSync, FIRST_RECORD_ATTEMPTS } from '../../../validator/core/checkpoint-sync.ts'

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
