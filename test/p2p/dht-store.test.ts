// The DHT's datastore: records live in the node's KvStore (so they survive a restart), peers' puts are
// charged to the peer and bounded, and an invalid record is never stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Key } from 'interface-datastore'
import { ManualClock } from '../../core/clock.ts'
import { MemoryStore } from '../../validator/infra/db/memory.ts'
import { Bucket } from '../../validator/infra/db/repository.ts'
import { DhtStoreErrorCode, openKvDatastore } from '../../validator/infra/p2p/datastore.ts'
import type { AgoraHost } from '../../validator/infra/p2p/index.ts'
import { certifiedCheckpoint, forgedCheckpoint, startHost, stopAll, waitFor } from './helpers.ts'

const clock = new ManualClock(0)

describe('bounded KvStore datastore', () => {
  it('persists across a reopen and refuses a peer over its quota or rate, and a full store', async () => {
    const kv = new MemoryStore()
    const limits = { maxEntries: 4, maxBytes: 1_000, perPeerEntries: 2, perPeerBytes: 500, perPeerRate: { perSecond: 0.001, burst: 3 } }
    const ds = await openKvDatastore(kv, { bucket: Bucket.dhtStore, limits }, { clock })
    await ds.put(new Key('/dht/record/a'), new Uint8Array(10))
    const codeOf = (p: unknown) => Promise.resolve(p).then(() => 'stored', (e: { code?: string }) => e.code)
    expect(await ds.runAsPeer('p1', () => codeOf(ds.put(new Key('/dht/record/b'), new Uint8Array(10))))).toBe('stored')
    expect(await ds.runAsPeer('p1', () => codeOf(ds.put(new Key('/dht/record/c'), new Uint8Array(10))))).toBe('stored')
    expect(await ds.runAsPeer('p1', () => codeOf(ds.put(new Key('/dht/record/d'), new Uint8Array(10))))).toBe(DhtStoreErrorCode.PEER_QUOTA)
    expect(await ds.runAsPeer('p1', () => codeOf(ds.put(new Key('/dht/record/e'), new Uint8Array(10))))).toBe(DhtStoreErrorCode.PEER_RATE)
    expect(await ds.runAsPeer('p2', () => codeOf(ds.put(new Key('/dht/record/f'), new Uint8Array(600))))).toBe(DhtStoreErrorCode.PEER_QUOTA)
    await ds.put(new Key('/dht/record/g'), new Uint8Array(10))
    expect(await codeOf(ds.put(new Key('/dht/record/h'), new Uint8Array(10)))).toBe(DhtStoreErrorCode.FULL)
    const reopened = await openKvDatastore(kv, { bucket: Bucket.dhtStore, limits }, { clock })
    expect(reopened.usage).toEqual(ds.usage)
    expect((await reopened.get(new Key('/dht/record/b'))).length).toBe(10)
    const keys = []
    for await (const k of reopened.queryKeys({ prefix: '/dht/record' })) keys.push(k.toString())
    expect(keys).toEqual(['/dht/record/a', '/dht/record/b', '/dht/record/c', '/dht/record/g'])
    await expect(reopened.get(new Key('/dht/record/zz'))).rejects.toMatchObject({ name: 'NotFoundError' })
  })
})

describe('hosts store DHT records in their KvStore', () => {
  let a: AgoraHost | undefined
  let b: AgoraHost | undefined
  beforeAll(async () => {
    a = await startHost('dht-store-a')
    b = await startHost('dht-store-b', { bootstrap: a.multiaddrs(), dhtStoreLimits: { perPeerEntries: 1 } }).catch(() => undefined)
  }, 30_000)
  afterAll(async () => { await stopAll([a, b]) })

  it('a valid record put by a peer is stored in the receiver’s store, a forged one is not, a second one is over quota', async () => {
    await waitFor('connected', () => (a?.peers().length ?? 0) >= 1 && (b?.peers().length ?? 0) >= 1, 15_000)
    const before = b!.dhtStore.usage.entries
    expect((await a!.dht.putCheckpoint(forgedCheckpoint(3)).catch(() => ({ peersAccepted: 0 }))).peersAccepted).toBe(0)
    expect(b!.dhtStore.usage.entries).toBe(before)
    expect((await a!.dht.putCheckpoint(certifiedCheckpoint(1))).peersAccepted).toBe(1)
    expect(b!.dhtStore.usage.entries).toBeGreaterThan(before)
    const afterFirst = b!.dhtStore.usage.entries
    expect((await a!.dht.putCheckpoint(certifiedCheckpoint(2))).peersAccepted).toBe(0) // quota 1 entry for a
    expect(b!.dhtStore.usage.entries).toBe(afterFirst)
  }, 30_000)
})
