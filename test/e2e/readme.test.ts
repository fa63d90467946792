// The README's quick start and command table, checked against the real CLI: every documented npm script
// exists and every documented `agora` command answers --help. (`agora devnet` itself runs in devnet.test.ts.)
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { runCli } from '../helpers/cli.ts'

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

  it('every `agora` command the README names answers --help', () => {
    const fromCode = [...readme.matchAll(/npx agora ([a-z]+(?: [a-z]+)?)/g)].map((m) => m[1]!)
    const fromTable = [...readme.matchAll(/`([a-z]+(?: [a-z]+)?)(?: [<-][^`]*)?`/g)].map((m) => m[1]!)
      .filter((c) => /^(init|keys|genesis|node|devnet|nodes|submit|forum|pool|availability|challenge|status|weights|checkpoint|wasm|yuma)\b/.test(c))
    const commands = [...new Set([...fromCode, ...fromTable])].map((c) => c.split(' '))
    expect(commands.length).toBeGreaterThan(10)
    for (const words of commands) {
      const r = runCli([...words, '--help'])
      expect(r.status, `agora ${words.join(' ')} --help: ${r.stderr}`).toBe(0)
      // commander answers an unknown command's --help with the top-level help: require the command's own usage.
      expect(r.stdout, `agora ${words.join(' ')} --help`).toContain(`Usage: agora ${words.join(' ')} `)
    }
  }, 300_000)
})
