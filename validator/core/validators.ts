// The consensus validator set of the ledger's current epoch, rebuilt once per epoch (and after a
// checkpoint is adopted). A member id is a libp2p peer id of an ed25519 key: the key is inside it.
import { createValidatorSet, type ValidatorSet } from '../consensus/index.ts'
import { peerIdFromString } from '@libp2p/peer-id'
import type { LedgerView } from './importer.ts'

export interface Validators { current(): ValidatorSet; isValidator(member: string): boolean; invalidate(): void }

export function createValidators(ledger: LedgerView): Validators {
  let cache: { epoch: number; set: ValidatorSet } | undefined
  function current(): ValidatorSet {
    if (cache?.epoch === ledger.forum.epoch) return cache.set
    const set = createValidatorSet(ledger.forum.validators.map((v) => ({ id: v.member, publicKey: publicKeyOfMember(v.member), power: v.power })))
    cache = { epoch: ledger.forum.epoch, set }
    return set
  }
  return { current, isValidator: (member) => !!current().byId(member), invalidate: () => { cache = undefined } }
}

const keyCache = new Map<string, Uint8Array>()
/** A member id is a libp2p peer id of an ed25519 key (a pure codec, no networking): the key is inside it. */
export function publicKeyOfMember(member: string): Uint8Array {
  let k = keyCache.get(member)
  if (!k) {
    const pk = peerIdFromString(member).publicKey
    if (!pk) throw new Error(`member ${member} has no embedded public key`)
    k = pk.raw
    keyCache.set(member, k)
  }
  return k
}
