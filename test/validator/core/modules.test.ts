// Registry challenge modules: the content id of a module is derived from its registry hash (so any node
// can fetch it by hash), bytes that do not hash to it are never kept or returned, a missing module comes
// from a peer before the DHT, and a manifest policy maps onto the runtime's limits.
import { describe, expect, it } from 'vitest'
import { cidOfBytes } from '../../../core/encoding.ts'
import { sha256 } from '../../../core/hash.ts'
import { toHex, utf8 } from '../../../core/bytes.ts'
import { createModuleStore, moduleCid, runtimePolicyOf } from '../../../validator/core/modules.ts'

const good = utf8('\0asm module bytes')
const hash = toHex(sha256(good))

describe('module store', () => {
  it('names a module by the cid of its hash and keeps only bytes that match', () => {
    expect(moduleCid(hash)).toBe(cidOfBytes(good))
    const puts: Uint8Array[] = []
    const store = createModuleStore({ peers: () => [], requestBlob: async () => undefined, dhtGet: async () => undefined, dhtPut: async (b) => { puts.push(b) } })
    expect(store.remember(hash, utf8('other bytes'))).toBe(false)
    expect(store.byCid(moduleCid(hash))).toBeUndefined()
    expect(store.remember(hash, good)).toBe(true)
    expect(store.byCid(moduleCid(hash))).toEqual(good)
    expect(puts).toEqual([good]) // published to the DHT for nodes that join later
  })

  it('fetches from peers first, skips a peer with wrong bytes, then tries the DHT', async () => {
    const asked: string[] = []
    const store = createModuleStore({
      peers: () => ['liar', 'honest'],
      requestBlob: async (peer, cid) => { asked.push(`${peer}:${cid === moduleCid(hash)}`); return peer === 'liar' ? utf8('forged') : good },
      dhtGet: async () => { asked.push('dht'); return undefined },
      dhtPut: async () => undefined,
    })
    expect(await store.fetch(hash)).toEqual(good)
    expect(asked).toEqual(['liar:true', 'honest:true'])
    const none = createModuleStore({ peers: () => [], requestBlob: async () => undefined, dhtGet: async () => utf8('forged'), dhtPut: async () => undefined })
    expect(await none.fetch(hash)).toBeUndefined()
  })

  it('maps a manifest policy onto the runtime policy', () => {
    const p = runtimePolicyOf({ fuelLimit: 12345, memoryPages: 3, hostFunctions: ['abort', 'input_read', 'output_write'], floats: 'canonicalize' })
    expect([p.fuelLimit, p.maxMemoryPages, p.allowFloats, [...p.hostFunctions].sort()]).toEqual([12345n, 3, true, ['input_read', 'output_write']])
  })
})
