// The README's quick start and command table, checked against the real CLI: every documented npm script
// exists and every documented `agora` command answers --help with its own usage line. The CLI runs in this
// process (agoraInProcess: the same commander program bin/agora.js runs, ~30 commands in ~2 s instead of
// ~40 s of process start-ups); bin/agora.js itself is run in test/cli/keys.test.ts, `agora devnet` in
// test/e2e/devnet.test.ts.
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { agoraInProcess } from '../helpers/cli.ts'

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string>; bin: Record<string, string> }

describe('README quick start', () => {
  it('documents install, start and test, and they map to real scripts', () => {
    expect(readme).toContain('npm install && npm start')
    expect(readme).toMatch(/^npm test\b/m)
    expect(pkg.scripts.start).toMatch(/agora\.js devnet$/)
    expect(pkg.scripts.test).toBe('vitest run')
    expect(pkg.bin.agora).toBe('./bin/agora.js')
  })

  it('every `agora` command the README names answers --help', async () => {
    const fromCode = [...readme.matchAll(/npx agora ([a-z]+(?: [a-z]+)?)/g)].map((m) => m[1]!)
    const fromTable = [...readme.matchAll(/`([a-z]+(?: [a-z]+)?)(?: [<-][^`]*)?`/g)].map((m) => m[1]!)
      .filter((c) => /^(init|keys|genesis|node|devnet|nodes|submit|forum|pool|availability|challenge|status|weights|checkpoint|wasm|yuma)\b/.test(c))
    const commands = [...new Set([...fromCode, ...fromTable])].map((c) => c.split(' '))
    expect(commands.length).toBeGreaterThan(10)
    for (const words of commands) {
      const r = await agoraInProcess([...words, '--help'])
      expect(r.status, `agora ${words.join(' ')} --help: ${r.stderr}`).toBe(0)
      // commander answers an unknown command's --help with the top-level help: require the command's own usage.
      expect(r.stdout, `agora ${words.join(' ')} --help`).toContain(`Usage: agora ${words.join(' ')} `)
    }
  })

  it('a command the CLI does not have fails the usage check (commander answers it with the top-level help)', async () => {
    const r = await agoraInProcess(['nosuchcommand', '--help'])
    expect(r.stdout).toContain('Usage: agora ')
    expect(r.stdout).not.toContain('Usage: agora nosuchcommand ')
  })
})
