// The simulator's network: validators and miners with keys derived (deriveNodeKeys) from fixed mnemonics,
// and a genesis with short slots and epochs so a seed closes an epoch in a few simulated seconds.
// Keys are derived once per process: the BIP39 stretch is the slow part.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { entropyToMnemonic } from '@scure/bip39'
import { wordlist } from '@scure/bip39/wordlists/english.js'
import { deriveNodeKeys, type NodeKeys } from '../../../core/crypto/keys.ts'
import { proveBlsPossession } from '../../../core/crypto/sign.ts'
import { sha256 } from '../../../core/hash.ts'
import { toHex, utf8 } from '../../../core/bytes.ts'
import type { Genesis } from '../../../ledger/genesis.ts'
import { BUILD_DIR } from '../../../challenges/build.ts'
import { CHALLENGE_POLICIES } from '../../../challenges/index.ts'
import type { RuntimePolicy } from '../../../validator/infra/runtime/policy.ts'

export const SIM_CHALLENGES = ['tsp', 'pow'] as const
export const SLOT_MS = 1000
export const EPOCH_SLOTS = 4
/** Nodes start at time 0 and sync before slot 0 begins (as a devnet's nodes do before genesis time). */
export const GENESIS_TIME = 2 * SLOT_MS

const keyCache = new Map<string, Promise<NodeKeys>>()
/** Keys of simulated identity `name` (e.g. "validator-0"): the same on every run. */
export function simKeys(name: string): Promise<NodeKeys> {
  let k = keyCache.get(name)
  if (!k) {
    k = deriveNodeKeys(entropyToMnemonic(sha256(utf8(`agora/sim/${name}`)).slice(0, 16), wordlist))
    keyCache.set(name, k)
  }
  return k
}

let modules: Map<string, { module: Uint8Array; policy: RuntimePolicy }> | undefined
export function challengeModules(): Map<string, { module: Uint8Array; policy: RuntimePolicy }> {
  modules ??= new Map(SIM_CHALLENGES.map((id) => [id, { module: new Uint8Array(readFileSync(join(BUILD_DIR, `${id}.wasm`))), policy: CHALLENGE_POLICIES[id] }]))
  return modules
}

export interface SimIdentities { validators: NodeKeys[]; miners: NodeKeys[] }

export async function simIdentities(validators: number, miners: number): Promise<SimIdentities> {
  return {
    validators: await Promise.all(Array.from({ length: validators }, (_, i) => simKeys(`validator-${i}`))),
    miners: await Promise.all(Array.from({ length: miners }, (_, i) => simKeys(`miner-${i}`))),
  }
}

const possession = new Map<string, string>()
export function simGenesis(ids: SimIdentities): Genesis {
  const balances: Record<string, string> = {}
  const credits: Record<string, string> = {}
  for (const v of ids.validators) { balances[v.peerId] = '1000'; credits[v.peerId] = '100' }
  for (const m of ids.miners) balances[m.peerId] = '10'
  return {
    networkId: 'agora-sim',
    genesisTime: GENESIS_TIME,
    // Short everything: commit window ceil((backstop + payloadFetchMs) / slotMs) + 1 = 2 slots, reveal 1 slot.
    // The in-process runtime has no wall clock; a 1 ms backstop still admits registry manifests (their fuel
    // must fit the backstop at the slowest metered rate, registry/policy.ts: 90k fuel here).
    params: { slotMs: SLOT_MS, epochSlots: EPOCH_SLOTS, evaluationBackstopMs: 1, payloadFetchMs: SLOT_MS - 1, revealWindowSlots: 1, poolDurationSlots: 4 },
    balances,
    credits,
    validators: ids.validators.map((k) => {
      const pk = toHex(k.blsPublicKey)
      if (!possession.has(pk)) possession.set(pk, '0x' + toHex(proveBlsPossession(k.blsSecretKey)))
      return {
        peerId: k.peerId, ed25519PublicKey: '0x' + toHex(k.ed25519PublicKey), blsPublicKey: '0x' + pk,
        blsProof: possession.get(pk)!, evmAddress: k.evmAddress, stake: '100', multiaddrs: [],
      }
    }),
    challenges: [...challengeModules()].map(([id, c]) => ({ id, module: `challenges/build/${id}.wasm`, moduleHash: '0x' + toHex(sha256(c.module)), emissionSharePpm: 500_000 })),
  }
}
