// Keys from one secret: a BIP39 mnemonic derives every key a node uses, each in its own domain:
//   libp2p identity  ed25519 seed = HKDF-SHA256(bip39 seed, "agora", "agora/v1/key/libp2p-ed25519")
//   quorum certs     BLS12-381    = KeyGen(HKDF-SHA256(bip39 seed, "agora", "agora/v1/key/bls12-381"))
//   EVM account      secp256k1    = BIP32 m/44'/60'/0'/0/0 (what any Ethereum wallet shows)
import { generateMnemonic as bip39Generate, mnemonicToSeedSync, validateMnemonic, mnemonicToEntropy } from '@scure/bip39'
import { wordlist } from '@scure/bip39/wordlists/english.js'
import { HDKey } from '@scure/bip32'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { bls12_381 } from '@noble/curves/bls12-381.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'
import { keccak256 } from '../hash.ts'
import { toHex, utf8 } from '../bytes.ts'
import { AgoraError } from '../errors.ts'
import { blsPublicKey, ed25519PublicKey } from './sign.ts'

export const EVM_PATH = "m/44'/60'/0'/0/0"

export interface NodeKeys {
  /** 32-byte ed25519 seed of the libp2p identity; also signs gossip envelopes and consensus messages. */
  readonly ed25519Seed: Uint8Array
  readonly ed25519PublicKey: Uint8Array
  readonly blsSecretKey: Uint8Array
  readonly blsPublicKey: Uint8Array
  readonly evmPrivateKey: Uint8Array
  readonly evmAddress: string
  readonly peerId: string
}

export function generateMnemonic(): string {
  return bip39Generate(wordlist, 128)
}

/** Normalise and check a mnemonic; a bad word or checksum is a clear one-line error. */
export function checkMnemonic(mnemonic: string): string {
  const m = mnemonic.trim().toLowerCase().split(/\s+/).join(' ')
  if (validateMnemonic(m, wordlist)) return m
  const unknown = m.split(' ').find((w) => !wordlist.includes(w))
  if (unknown) throw new AgoraError('BAD_MNEMONIC', `invalid mnemonic: unknown word "${unknown}"`)
  try {
    mnemonicToEntropy(m, wordlist)
  } catch (e) {
    throw new AgoraError('BAD_MNEMONIC', `invalid mnemonic: ${(e as Error).message.toLowerCase()}`)
  }
  throw new AgoraError('BAD_MNEMONIC', 'invalid mnemonic')
}

const subkey = (seed: Uint8Array, purpose: string, len = 32) =>
  hkdf(sha256, seed, utf8('agora'), utf8(`agora/v1/key/${purpose}`), len)

export function deriveKeysFromSeed(seed: Uint8Array): Omit<NodeKeys, 'peerId'> {
  const ed25519Seed = subkey(seed, 'libp2p-ed25519')
  const blsSecretKey = bls12_381.longSignatures.keygen(subkey(seed, 'bls12-381', 48)).secretKey
  const evmKey = HDKey.fromMasterSeed(seed).derive(EVM_PATH)
  if (!evmKey.privateKey) throw new Error('bip32 derivation produced no private key')
  return {
    ed25519Seed,
    ed25519PublicKey: ed25519PublicKey(ed25519Seed),
    blsSecretKey,
    blsPublicKey: blsPublicKey(blsSecretKey),
    evmPrivateKey: evmKey.privateKey,
    evmAddress: evmAddressOf(evmKey.privateKey),
  }
}

export async function deriveNodeKeys(mnemonic: string): Promise<NodeKeys> {
  const keys = deriveKeysFromSeed(mnemonicToSeedSync(checkMnemonic(mnemonic)))
  const peerId = peerIdFromPrivateKey(await libp2pPrivateKey(keys.ed25519Seed)).toString()
  return { ...keys, peerId }
}

export function libp2pPrivateKey(ed25519Seed: Uint8Array): Promise<PrivateKey> {
  return generateKeyPairFromSeed('Ed25519', ed25519Seed)
}

/** EIP-55 checksummed address of a secp256k1 private key. */
export function evmAddressOf(privateKey: Uint8Array): string {
  const pub = secp256k1.getPublicKey(privateKey, false)
  return checksumAddress(toHex(keccak256(pub.subarray(1)).subarray(12)))
}

export function checksumAddress(hexNo0x: string): string {
  const lower = hexNo0x.toLowerCase().replace(/^0x/, '')
  const h = toHex(keccak256(utf8(lower)))
  let out = '0x'
  for (let i = 0; i < lower.length; i++) out += parseInt(h[i]!, 16) >= 8 ? lower[i]!.toUpperCase() : lower[i]
  return out
}
