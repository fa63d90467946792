// A node's keys on disk: the data dir's encrypted keystore (one mnemonic derives every key,
// core/crypto/keys.ts). Used by the node at start-up, the CLI (`agora init`, `agora keys`) and the devnet.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { checkMnemonic, deriveNodeKeys, generateMnemonic, type NodeKeys } from '../../core/crypto/keys.ts'
import { openMnemonic, parseKeystore, sealMnemonic } from '../../core/keystore.ts'
import { AgoraError } from '../../core/errors.ts'

export const KEYSTORE_FILE = 'keystore.json'
export const DEFAULT_DATA_DIR = '.agora'
/**
 * Present while the data dir holds keys generated here that no node has run yet: no other instance can
 * hold them, so the first start needs no doppelgänger guard. Keys from a mnemonic never get it, and the
 * first start removes it (a data dir whose database is wiped later is guarded again).
 */
export const NEW_KEY_FILE = 'new-key'

/** Password from the option, else AGORA_PASSWORD, else empty (a devnet's keystores are unattended). */
const passwordOf = (opt?: string) => opt ?? process.env.AGORA_PASSWORD ?? ''

export async function initDataDir(dir: string, opts: { mnemonic?: string; password?: string; force?: boolean }) {
  const file = join(dir, KEYSTORE_FILE)
  if (existsSync(file) && !opts.force) {
    throw new AgoraError('KEYSTORE_EXISTS', `${file} already exists (use --force to overwrite it)`)
  }
  const mnemonic = opts.mnemonic ? checkMnemonic(opts.mnemonic) : generateMnemonic()
  const keys = await deriveNodeKeys(mnemonic)
  mkdirSync(dir, { recursive: true })
  writeFileSync(file, JSON.stringify(sealMnemonic(mnemonic, passwordOf(opts.password), { peerId: keys.peerId, evmAddress: keys.evmAddress }), null, 2), { mode: 0o600 })
  if (opts.mnemonic) rmSync(join(dir, NEW_KEY_FILE), { force: true })
  else writeFileSync(join(dir, NEW_KEY_FILE), `keys generated ${new Date().toISOString()}; removed by the node's first start\n`)
  return { mnemonic, keys, generated: !opts.mnemonic, file }
}

export async function loadKeysFromDataDir(dir: string, password?: string): Promise<{ mnemonic: string; keys: NodeKeys }> {
  const file = join(dir, KEYSTORE_FILE)
  if (!existsSync(file)) throw new AgoraError('NO_KEYSTORE', `no keystore at ${file} (run agora init first)`)
  const mnemonic = openMnemonic(parseKeystore(readFileSync(file, 'utf8')), passwordOf(password))
  return { mnemonic, keys: await deriveNodeKeys(mnemonic) }
}

/** True once, on the first start of a data dir whose keys were generated in it (the marker is removed). */
export function takeNewKeyMarker(dir: string): boolean {
  const file = join(dir, NEW_KEY_FILE)
  if (!existsSync(file)) return false
  rmSync(file, { force: true })
  return true
}
