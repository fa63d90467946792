// Validator keys in the set: the BLS key (checkpoint certificates; registered with a proof of possession,
// the rogue-key defence for aggregates) and the EVM address (weights on chain; registered with a signature
// by that key) a validator names in its availability stake. The certification set of an epoch is the
// ledger's validator set of that epoch joined with these keys, with the set's powers (pure, sorted).
import { z } from 'zod'
import { getAddress, hashMessage, recoverAddress, SigningKey, hexlify } from 'ethers'
import { fromHex, toHex } from '../core/bytes.ts'
import { hashValue } from '../core/encoding.ts'
import { AgoraError } from '../core/errors.ts'
import { proveBlsPossession, verifyBlsPossession } from '../core/crypto/sign.ts'
import type { NodeKeys } from '../core/crypto/keys.ts'
import type { Validator } from '../forum/state.ts'
import { ValidatorKeysInputSchema, type ValidatorKeysInput } from '../forum/tx.ts'

export { ValidatorKeysInputSchema, type ValidatorKeysInput }

/** Why a key registration is refused (outcome codes of a StakeAvailability transaction). */
export const KeyErrorCode = {
  BAD_BLS_PROOF: 'BAD_BLS_PROOF',
  BAD_EVM_PROOF: 'BAD_EVM_PROOF',
  /** Another member registered this key: two members may never share a certificate or a chain signer. */
  KEY_TAKEN: 'KEY_TAKEN',
  /** Keys are fixed once registered: a change mid-epoch would change who can sign the current epoch. */
  KEYS_FIXED: 'KEYS_FIXED',
} as const
export type KeyErrorCode = (typeof KeyErrorCode)[keyof typeof KeyErrorCode]

const hexOf = (bytes: number) => z.string().regex(new RegExp(`^0x[0-9a-f]{${bytes * 2}}$`), `0x + ${bytes} bytes of lowercase hex`)

/** Registered keys of a member (lowercase hex, EVM address lowercase). */
export interface ValidatorKeys { readonly blsPublicKey: string; readonly evmAddress: string }

export const evmPossessionMessage = (member: string): string => `agora/v1/evm-possession:${member}`

/** Verified (key, proof) pairs: a pairing check costs ~tens of ms and every replay from genesis repeats it. */
const MAX_POSSESSION_CACHE = 4096
const possessionCache = new Map<string, boolean>()
/** verifyBlsPossession on 0x-hex inputs, memoised (a pure function of its inputs). */
export function blsPossessionValid(blsPublicKey: string, blsProof: string): boolean {
  const k = `${blsPublicKey}:${blsProof}`.toLowerCase()
  let ok = possessionCache.get(k)
  if (ok === undefined) {
    try { ok = verifyBlsPossession(fromHex(blsPublicKey), fromHex(blsProof)) } catch { ok = false }
    if (possessionCache.size >= MAX_POSSESSION_CACHE) possessionCache.clear()
    possessionCache.set(k, ok)
  }
  return ok
}

/** The keys a node registers with its availability stake (proofs made with its own secrets). */
export function validatorKeysInput(keys: Omit<NodeKeys, 'peerId'>, member: string): ValidatorKeysInput {
  const evmProof = new SigningKey(hexlify(keys.evmPrivateKey)).sign(hashMessage(evmPossessionMessage(member))).serialized
  return {
    blsPublicKey: '0x' + toHex(keys.blsPublicKey), blsProof: '0x' + toHex(proveBlsPossession(keys.blsSecretKey)),
    evmAddress: keys.evmAddress, evmProof: evmProof.toLowerCase(),
  }
}

/**
 * Check `input` for `member` against what is registered (`registered`: member → keys); returns the keys to
 * store. Throws AgoraError with a KeyErrorCode. Deterministic: BLS and ECDSA verification only.
 */
export function checkKeyRegistration(registered: ReadonlyMap<string, ValidatorKeys>, member: string, input: ValidatorKeysInput): ValidatorKeys {
  const keys: ValidatorKeys = { blsPublicKey: input.blsPublicKey, evmAddress: input.evmAddress.toLowerCase() }
  const cur = registered.get(member)
  if (cur) {
    if (cur.blsPublicKey === keys.blsPublicKey && cur.evmAddress === keys.evmAddress) return cur
    throw new AgoraError(KeyErrorCode.KEYS_FIXED, `${member} already registered other keys`)
  }
  if (!blsPossessionValid(input.blsPublicKey, input.blsProof)) throw new AgoraError(KeyErrorCode.BAD_BLS_PROOF, 'BLS proof of possession does not verify')
  let signer: string
  try {
    signer = recoverAddress(hashMessage(evmPossessionMessage(member)), input.evmProof)
  } catch {
    throw new AgoraError(KeyErrorCode.BAD_EVM_PROOF, 'EVM proof is not a valid signature')
  }
  if (signer.toLowerCase() !== keys.evmAddress) throw new AgoraError(KeyErrorCode.BAD_EVM_PROOF, `EVM proof is signed by ${signer}, not ${getAddress(keys.evmAddress)}`)
  for (const [m, k] of [...registered].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (k.blsPublicKey === keys.blsPublicKey || k.evmAddress === keys.evmAddress) throw new AgoraError(KeyErrorCode.KEY_TAKEN, `a key of ${member} is already registered by ${m}`)
  }
  return keys
}

/** One certifying member: consensus power, BLS key for checkpoints, EVM address for weights. */
export interface CertMember { readonly member: string; readonly power: bigint; readonly blsPublicKey: string; readonly evmAddress: string }
/** Who certifies an epoch: members sorted by id, and their total power (members without keys cannot sign). */
export interface CertificationSet { readonly members: readonly CertMember[]; readonly total: bigint }

export function certificationSet(validators: readonly Validator[], keys: ReadonlyMap<string, ValidatorKeys>): CertificationSet {
  const members: CertMember[] = []
  let total = 0n
  for (const v of validators) {
    const k = keys.get(v.member)
    if (!k) continue
    members.push({ member: v.member, power: v.power, blsPublicKey: k.blsPublicKey, evmAddress: k.evmAddress })
    total += v.power
  }
  members.sort((a, b) => (a.member < b.member ? -1 : a.member > b.member ? 1 : 0))
  return { members, total }
}

/** The hash a checkpoint names for the next epoch's set (the hand-over); equal sets hash equally. */
export const certificationSetHash = (s: CertificationSet): string =>
  toHex(hashValue(s.members.map((m) => [m.member, m.power, m.blsPublicKey, m.evmAddress])))

/** Strictly more than 2/3 of the set's power (power, not heads). */
export const isQuorum = (signedPower: bigint, total: bigint): boolean => total > 0n && 3n * signedPower > 2n * total

/** The EVM view of a set (what WeightRegistry holds): address and power per member. */
export const evmValidatorSet = (s: CertificationSet): { address: string; power: bigint }[] => s.members.map((m) => ({ address: getAddress(m.evmAddress), power: m.power }))

/** Same EVM view (addresses and powers, order-free): no chain update is needed between two such sets. */
export function sameEvmSet(a: CertificationSet, b: CertificationSet): boolean {
  const key = (s: CertificationSet) => s.members.map((m) => `${m.evmAddress}:${m.power}`).sort().join(',')
  return key(a) === key(b)
}

/** Wire form of a set (inside a checkpoint record: the next set, checked against the header's hash). */
export const CertificationSetWireSchema = z.array(z.tuple([z.string().max(128), z.union([z.bigint(), z.number().int()]), hexOf(48), z.string().regex(/^0x[0-9a-f]{40}$/)])).max(1024)
export const certificationSetToWire = (s: CertificationSet) => s.members.map((m) => [m.member, m.power, m.blsPublicKey, m.evmAddress] as const)
export function certificationSetFromWire(raw: unknown): CertificationSet {
  const rows = CertificationSetWireSchema.parse(raw)
  const members = rows.map(([member, power, blsPublicKey, evmAddress]) => ({ member, power: BigInt(power), blsPublicKey, evmAddress }))
  members.sort((a, b) => (a.member < b.member ? -1 : a.member > b.member ? 1 : 0))
  return { members, total: members.reduce((t, m) => t + m.power, 0n) }
}
