// The node's event bus at shutdown: a record certified while the node stops reads a closed store; that
// read failing must not become an unhandled rejection (it killed nodes on stop with DB_CLOSED).
import { describe, expect, it } from 'vitest'
import { createNodeEventBus } from '../../../validator/core/node-events.ts'
import { AgoraError } from '../../../core/errors.ts'

describe('node event bus', () => {
  it('a certified record whose store is closed is dropped, with no unhandled rejection', async () => {
    let reads = 0
    const closed = { getEpoch: () => { reads++; return Promise.reject(new AgoraError('DB_CLOSED', 'rocksdb at /x is closed')) } }
    const view = { refresh: () => Promise.reject(new AgoraError('DB_CLOSED', 'closed')) }
    const bus = createNodeEventBus({ view, blocks: closed, ledger: {} } as never)
    const seen: unknown[] = []
    bus.subscribe((e) => seen.push(e))
    const unhandled: unknown[] = []
    const onUnhandled = (e: unknown) => unhandled.push(e)
    process.on('unhandledRejection', onUnhandled)
    try {
      bus.epochChanged(3, true)
      // Two macrotask turns: any rejection left unhandled is reported by then.
      await new Promise((r) => setTimeout(r, 0))
      await new Promise((r) => setTimeout(r, 0))
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
    expect(reads).toBe(1)
    expect(unhandled).toEqual([])
    expect(seen).toEqual([])
  })
})
