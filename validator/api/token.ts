// The operator API token: 32 random bytes (hex) in <data-dir>/api-token, created on first use with mode
// 0600. Operator-only mutations need `Authorization: Bearer <token>`.
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'

export const API_TOKEN_FILE = 'api-token'

export function loadOrCreateApiToken(dataDir: string): string {
  const file = join(dataDir, API_TOKEN_FILE)
  if (existsSync(file)) {
    const t = readFileSync(file, 'utf8').trim()
    if (t.length >= 32) return t
  }
  mkdirSync(dataDir, { recursive: true })
  const token = randomBytes(32).toString('hex')
  writeFileSync(file, token + '\n', { mode: 0o600 })
  return token
}
