// `agora keys` / `init`: the real bin/agora.js once (JSON on stdout, exit 0); error lines, --help exit codes and
// the keystore round trip in process (the same commander program and exit mapping, without a start-up per command).
import { describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { agoraInProcess, runCli } from '../helpers/cli.ts'

const ABANDON = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'

describe('agora keys / init', () => {
  it('keys --json prints the wallet-standard EVM address and stable ids', () => {
    const a = runCli(['keys', '--mnemonic', ABANDON, '--json'])
    expect(a.status).toBe(0)
    const k = JSON.parse(a.stdout)
    expect(k.evmAddress).toBe('0x9858EfFD232B4033E47d90003D41EC34EcaEda94')
    expect(k.peerId).toMatch(/^12D3KooW/)
    expect(k.blsPublicKey).toMatch(/^0x[0-9a-f]{96}$/)
  })

  it('a mnemonic with a bad checksum is one clear line and exit 1', async () => {
    const r = await agoraInProcess(['keys', '--mnemonic', ABANDON.replace(/about$/, 'abandon'), '--json'])
    expect(r.status).toBe(1)
    expect(r.stderr.trim()).toBe('error: invalid mnemonic: invalid checksum')
    expect(r.stdout).toBe('')
  })

  it('init writes a keystore, refuses to overwrite it, and a wrong password is refused', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'agora-cli-')), 'node')
    const env = { AGORA_PASSWORD: 'secret' }
    const init = await agoraInProcess(['init', '--data-dir', dir, '--mnemonic', ABANDON, '--json'], env)
    expect(init.status).toBe(0)
    expect(JSON.parse(init.stdout).evmAddress).toBe('0x9858EfFD232B4033E47d90003D41EC34EcaEda94')
    expect(readFileSync(join(dir, 'keystore.json'), 'utf8')).not.toContain('abandon')

    const again = await agoraInProcess(['init', '--data-dir', dir], env)
    expect(again.status).toBe(1)
    expect(again.stderr).toMatch(/already exists \(use --force/)

    const keys = await agoraInProcess(['keys', '--data-dir', dir, '--json'], env)
    expect(JSON.parse(keys.stdout).evmAddress).toBe('0x9858EfFD232B4033E47d90003D41EC34EcaEda94')
    const wrong = await agoraInProcess(['keys', '--data-dir', dir, '--json'], { AGORA_PASSWORD: 'nope' })
    expect(wrong.status).toBe(1)
    expect(wrong.stderr.trim()).toBe('error: wrong keystore password')

    expect((await agoraInProcess(['init', '--data-dir', dir, '--force', '--json'], env)).status).toBe(0)
  })

  it('every command has --help', async () => {
    for (const cmd of [[], ['init'], ['keys']]) {
      const r = await agoraInProcess([...cmd, '--help'])
      expect(r.status, cmd.join(' ')).toBe(0)
      expect(r.stdout).toMatch(/Usage: agora/)
    }
  })
})
