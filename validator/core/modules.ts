// Challenge modules of registry challenges: the bytes travel with the ProposeChallenge (gossip side
// payload), are served by the blob protocol and the DHT under their content id, and are fetched by hash
// by any node that missed them. Bytes are used only when they hash to the registry's moduleHash; the
// manifest's policy becomes the runtime policy they run (and are metered) under.
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 as mfSha256 } from 'multiformats/hashes/sha2'
import { create as createDigest } from 'multiformats/hashes/digest'
import { fromHex, toHex } from '../../core/bytes.ts'
import { sha256 } from '../../core/hash.ts'
import type { RuntimePolicy as ManifestPolicy } from '../../registry/manifest.ts'
import { runtimePolicyInput } from '../../registry/policy.ts'
import { parsePolicy, type RuntimePolicy } from '../infra/runtime/policy.ts'

/** Modules kept in memory (each ≤ the policy's module cap; a registry holds a handful). */
export const MAX_MODULES = 64
/** One fetch attempt per peer / the DHT for a module. */
export const MODULE_FETCH_MS = 5_000

/** Content id (CIDv1 raw sha2-256) of the module whose sha256 is `moduleHash` (hex): the blob key. */
export const moduleCid = (moduleHash: string): string => CID.createV1(raw.code, createDigest(mfSha256.code, fromHex(moduleHash))).toString()

/** The runtime policy of a manifest's policy (one schema: registry/policy.ts maps it, the runtime's defaults fill the rest). */
export const runtimePolicyOf = (p: ManifestPolicy): RuntimePolicy => parsePolicy(runtimePolicyInput(p))

export interface ModuleStore {
  /** Keep bytes (only if they hash to `moduleHash`); returns whether they were kept. */
  remember(moduleHash: string, bytes: Uint8Array): boolean
  /** Local bytes by content id (the blob protocol handler). */
  byCid(cid: string): Uint8Array | undefined
  /** Bytes by hash: local, else from a peer, else from the DHT; verified before they are returned. */
  fetch(moduleHash: string): Promise<Uint8Array | undefined>
}

export interface ModuleSources {
  peers(): string[]
  requestBlob(peer: string, cid: string): Promise<Uint8Array | undefined>
  dhtGet(cid: string): Promise<Uint8Array | undefined>
  dhtPut(bytes: Uint8Array): Promise<void>
}

export function createModuleStore(src: ModuleSources): ModuleStore {
  const byHash = new Map<string, Uint8Array>()
  const cids = new Map<string, string>()
  const ok = (moduleHash: string, bytes: Uint8Array) => toHex(sha256(bytes)) === moduleHash
  function remember(moduleHash: string, bytes: Uint8Array): boolean {
    if (!ok(moduleHash, bytes)) return false
    if (!byHash.has(moduleHash)) {
      if (byHash.size >= MAX_MODULES) { const first = byHash.keys().next().value!; byHash.delete(first); cids.delete(moduleCid(first)) }
      byHash.set(moduleHash, bytes)
      cids.set(moduleCid(moduleHash), moduleHash)
      void src.dhtPut(bytes).catch(() => undefined) // so nodes that join later find it
    }
    return true
  }
  return {
    remember,
    byCid: (cid) => { const h = cids.get(cid); return h ? byHash.get(h) : undefined },
    async fetch(moduleHash) {
      const local = byHash.get(moduleHash)
      if (local) return local
      const cid = moduleCid(moduleHash)
      for (const peer of src.peers()) {
        const got = await src.requestBlob(peer, cid).catch(() => undefined)
        if (got && remember(moduleHash, got)) return got
      }
      const got = await src.dhtGet(cid).catch(() => undefined)
      return got && remember(moduleHash, got) ? got : undefined
    },
  }
}
