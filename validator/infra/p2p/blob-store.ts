// Where a host keeps the blobs it serves (its own puts and blobs it fetched). The node can supply a
// persistent store; the default keeps the most recently used blobs in memory up to a byte budget.
export interface BlobStore {
  get(cid: string): Uint8Array | undefined | Promise<Uint8Array | undefined>
  put(cid: string, bytes: Uint8Array): void | Promise<void>
}

export function createMemoryBlobStore(maxBytes = 256 * 1024 * 1024): BlobStore {
  const blobs = new Map<string, Uint8Array>()
  let size = 0
  return {
    get(cid) {
      const b = blobs.get(cid)
      if (b) { blobs.delete(cid); blobs.set(cid, b) } // most recently used last
      return b
    },
    put(cid, bytes) {
      if (blobs.has(cid) || bytes.length > maxBytes) return
      blobs.set(cid, bytes)
      size += bytes.length
      for (const [k, v] of blobs) {
        if (size <= maxBytes) break
        blobs.delete(k)
        size -= v.length
      }
    },
  }
}
