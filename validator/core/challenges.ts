// Challenge modules for the evaluator: a registry challenge's bytes come by hash (gossip with its
// ProposeChallenge, peers, the DHT) and run under its manifest's policy; a genesis challenge's come
// from the genesis files the app loaded.
import type { Clock } from '../../core/clock.ts'
import { activeChallengeTable } from '../../ledger/ledger.ts'
import type { RuntimePolicy } from '../infra/runtime/policy.ts'
import type { LedgerView } from './importer.ts'
import type { Network } from './interfaces.ts'
import { createModuleStore, runtimePolicyOf, MODULE_FETCH_MS, type ModuleStore } from './modules.ts'
import { timeoutSignal } from './timeout.ts'

export type ChallengeModule = { module: Uint8Array; policy: RuntimePolicy }

export interface Challenges {
  readonly modules: ModuleStore
  module(id: string): Promise<ChallengeModule | undefined>
}

export function createChallenges(m: { readonly net: Network; readonly clock: Clock; readonly ledger: LedgerView; genesisModule(id: string): Promise<ChallengeModule | undefined> }): Challenges {
  const modules = createModuleStore({
    peers: () => m.net.peers(),
    requestBlob: (peer, cid) => m.net.requestBlob(peer, cid, { timeoutMs: MODULE_FETCH_MS }),
    dhtGet: (cid) => m.net.dht.getBlob(cid, { signal: timeoutSignal(m.clock, MODULE_FETCH_MS) }),
    dhtPut: (bytes) => m.net.dht.putBlob(bytes).then(() => undefined),
  })
  // The governed backstop bounds every run, so an honest evaluation ends inside the commit window it sizes.
  const withBackstop = (c: ChallengeModule | undefined): ChallengeModule | undefined => c && {
    ...c, policy: { ...c.policy, wallClockMs: Math.min(c.policy.wallClockMs, m.ledger.forum.params.evaluationBackstopMs) },
  }
  return {
    modules,
    async module(id) {
      // The epoch's table (fixed at its boundary) names the bytes; a genesis challenge's come from genesis.
      const row = activeChallengeTable(m.ledger).find((c) => c.id === id)
      if (!row?.policy) return withBackstop(await m.genesisModule(id))
      const bytes = await modules.fetch(row.moduleHash)
      return withBackstop(bytes ? { module: bytes, policy: runtimePolicyOf(row.policy) } : undefined)
    },
  }
}
