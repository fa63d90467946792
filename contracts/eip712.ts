// EIP-712 digests the WeightRegistry checks, computed off-chain with ethers' TypedDataEncoder (an
// implementation independent of the contract's), and ECDSA signing with a validator's EVM key (the one
// core/crypto/keys.ts derives from its mnemonic). Signatures are 65-byte r‖s‖v with low s, v in {27, 28}.
import { TypedDataEncoder, SigningKey, Signature, recoverAddress, getAddress, hexlify, concat, type TypedDataDomain } from 'ethers'
import { AgoraError } from '../core/errors.ts'
import { packU16, type WeightMatrix } from './matrix.ts'

export const DOMAIN_NAME = 'AgoraWeightRegistry'
export const DOMAIN_VERSION = '1'

export interface RegistryDomain {
  readonly chainId: bigint | number
  /** The WeightRegistry address (EIP-712 verifyingContract). */
  readonly contract: string
}

/** Which registry layout the digest is for: `packed` (WeightRegistry) or `arrays` (bench-only variant). */
export type WeightsLayout = 'packed' | 'arrays'

const WEIGHTS_TYPES: Record<WeightsLayout, Record<string, { name: string; type: string }[]>> = {
  packed: { Weights: [{ name: 'epoch', type: 'uint64' }, { name: 'uids', type: 'bytes' }, { name: 'weights', type: 'bytes' }] },
  arrays: { Weights: [{ name: 'epoch', type: 'uint64' }, { name: 'uids', type: 'uint16[]' }, { name: 'weights', type: 'uint16[]' }] },
}
const VALIDATOR_SET_TYPES = {
  ValidatorSet: [{ name: 'epoch', type: 'uint64' }, { name: 'validators', type: 'address[]' }, { name: 'powers', type: 'uint64[]' }],
}

export interface ValidatorPower {
  readonly address: string
  readonly power: bigint
}

export function registryDomain(d: RegistryDomain): TypedDataDomain {
  return { name: DOMAIN_NAME, version: DOMAIN_VERSION, chainId: BigInt(d.chainId), verifyingContract: getAddress(d.contract) }
}

export type WeightsDigestParams = RegistryDomain & WeightMatrix

/** The digest every validator signs for an epoch's matrix (0x-prefixed 32-byte hex). */
export function weightsDigest(p: WeightsDigestParams, layout: WeightsLayout = 'packed'): string {
  const value =
    layout === 'packed'
      ? { epoch: p.epoch, uids: packU16(p.uids), weights: packU16(p.weights) }
      : { epoch: p.epoch, uids: [...p.uids], weights: [...p.weights] }
  return TypedDataEncoder.hash(registryDomain(p), WEIGHTS_TYPES[layout], value)
}

/**
 * The canonical form of a validator set: ascending addresses (the contract requires it), checksummed.
 * Throws on duplicates or a non-positive power so a bad set fails here rather than on chain.
 */
export function canonicalValidatorSet(set: readonly ValidatorPower[]): ValidatorPower[] {
  const sorted = set.map((v) => ({ address: getAddress(v.address), power: BigInt(v.power) }))
  sorted.sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : BigInt(a.address) > BigInt(b.address) ? 1 : 0))
  sorted.forEach((v, i) => {
    if (v.power <= 0n || v.power >= 2n ** 64n) throw new AgoraError('BAD_VALIDATOR_SET', `validator ${v.address} has power ${v.power} (must be in 1..2^64-1)`)
    if (i > 0 && v.address === sorted[i - 1]!.address) throw new AgoraError('BAD_VALIDATOR_SET', `validator ${v.address} appears twice`)
  })
  return sorted
}

/** Digest of the update that makes `validators` the set certifying from `epoch` on (> validatorSetEpoch). */
export function validatorSetDigest(p: RegistryDomain & { epoch: bigint; validators: readonly ValidatorPower[] }): string {
  const set = canonicalValidatorSet(p.validators)
  return TypedDataEncoder.hash(registryDomain(p), VALIDATOR_SET_TYPES, {
    epoch: p.epoch,
    validators: set.map((v) => v.address),
    powers: set.map((v) => v.power),
  })
}

type PrivateKey = Uint8Array | string

/** Sign a 32-byte digest: 65-byte r‖s‖v hex (ethers produces canonical low-s signatures). */
export function signDigest(privateKey: PrivateKey, digest: string): string {
  const key = new SigningKey(typeof privateKey === 'string' ? privateKey : hexlify(privateKey))
  return key.sign(digest).serialized
}

export function signWeights(privateKey: PrivateKey, p: WeightsDigestParams, layout: WeightsLayout = 'packed'): string {
  return signDigest(privateKey, weightsDigest(p, layout))
}

export function signValidatorSet(privateKey: PrivateKey, p: Parameters<typeof validatorSetDigest>[0]): string {
  return signDigest(privateKey, validatorSetDigest(p))
}

/** The address that signed `digest`, or null for a malformed signature (for filtering gossip). */
export function recoverSigner(digest: string, signature: string): string | null {
  try {
    return recoverAddress(digest, Signature.from(signature))
  } catch {
    return null
  }
}

/** Concatenate 65-byte signatures into the `bytes signatures` argument (any order is accepted). */
export function packSignatures(signatures: readonly string[]): string {
  for (const s of signatures) {
    if (!/^0x[0-9a-fA-F]{130}$/.test(s)) throw new AgoraError('BAD_SIGNATURE', `signature must be 65 bytes of hex, got ${s.slice(0, 20)}…`)
  }
  return concat(signatures)
}
