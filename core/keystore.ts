// Encrypted keystore: the mnemonic (the node's one secret) sealed with scrypt + AES-256-GCM.
// Pure functions over bytes/JSON; the file I/O lives in the CLI.
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto'
import { z } from 'zod'
import { AgoraError } from './errors.ts'

export interface ScryptParams { readonly n: number; readonly r: number; readonly p: number }
/** scrypt N=2^15, r=8, p=1: ~100 ms and 32 MiB per unlock (interactive-login strength). */
export const DEFAULT_SCRYPT: ScryptParams = { n: 1 << 15, r: 8, p: 1 }

const KeystoreSchema = z.object({
  version: z.literal(1),
  kdf: z.literal('scrypt'),
  kdfparams: z.object({ n: z.number().int().positive(), r: z.number().int().positive(), p: z.number().int().positive(), salt: z.string() }),
  cipher: z.literal('aes-256-gcm'),
  iv: z.string(),
  tag: z.string(),
  ciphertext: z.string(),
  peerId: z.string().optional(),
  evmAddress: z.string().optional(),
})
export type Keystore = z.infer<typeof KeystoreSchema>

const kdf = (password: string, salt: Buffer, p: ScryptParams) =>
  scryptSync(password.normalize('NFKC'), salt, 32, { N: p.n, r: p.r, p: p.p, maxmem: 256 * p.n * p.r + (1 << 20) })

export function sealMnemonic(mnemonic: string, password: string, meta: { peerId?: string; evmAddress?: string } = {}, params = DEFAULT_SCRYPT): Keystore {
  const salt = randomBytes(16)
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', kdf(password, salt, params), iv)
  const ciphertext = Buffer.concat([cipher.update(mnemonic, 'utf8'), cipher.final()])
  return {
    version: 1, kdf: 'scrypt', kdfparams: { ...params, salt: salt.toString('hex') }, cipher: 'aes-256-gcm',
    iv: iv.toString('hex'), tag: cipher.getAuthTag().toString('hex'), ciphertext: ciphertext.toString('hex'), ...meta,
  }
}

export function parseKeystore(json: string): Keystore {
  let raw: unknown
  try {
    raw = JSON.parse(json)
  } catch {
    throw new AgoraError('BAD_KEYSTORE', 'keystore is not valid JSON')
  }
  const r = KeystoreSchema.safeParse(raw)
  if (!r.success) throw new AgoraError('BAD_KEYSTORE', `keystore has an unknown format: ${r.error.issues[0]?.message ?? ''}`)
  return r.data
}

export function openMnemonic(ks: Keystore, password: string): string {
  const key = kdf(password, Buffer.from(ks.kdfparams.salt, 'hex'), ks.kdfparams)
  const d = createDecipheriv('aes-256-gcm', key, Buffer.from(ks.iv, 'hex'))
  d.setAuthTag(Buffer.from(ks.tag, 'hex'))
  try {
    return Buffer.concat([d.update(Buffer.from(ks.ciphertext, 'hex')), d.final()]).toString('utf8')
  } catch {
    throw new AgoraError('BAD_PASSWORD', 'wrong keystore password')
  }
}
