// core/bundle.js: a bundle is rebuilt when one of its inputs changed and not otherwise, each bundled file
// keeps its own import.meta.url (paths relative to it resolve in the source tree), dynamic imports stay
// lazy, and the CLI run from its bundle (bin/agora.js) prints the same --help as the TypeScript program.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { BUNDLE_CACHE_DIR, buildBundle, ensureBundle, ensureBundleSync, isFresh, readManifest, REPO_ROOT } from '../../core/bundle.js'
import { AGORA_BIN, agoraInProcess } from '../helpers/cli.ts'

const dir = mkdtempSync(join(tmpdir(), 'agora-bundle-'))
// Bundles go where the real ones go (under node_modules), so that their package imports resolve.
mkdirSync(BUNDLE_CACHE_DIR, { recursive: true })
const outDir = mkdtempSync(join(BUNDLE_CACHE_DIR, 'test-'))
afterAll(() => { rmSync(dir, { recursive: true, force: true }); rmSync(outDir, { recursive: true, force: true }) })

const file = (name: string, text: string): string => { writeFileSync(join(dir, name), text); return join(dir, name) }
const run = (bundle: string, ...args: string[]): unknown => JSON.parse(execFileSync(process.execPath, [bundle, ...args], { encoding: 'utf8' }))

file('lib.ts', `export const here: string = import.meta.url\nexport const answer: number = 41\n`)
file('lazy.ts', `import { z } from 'zod'\nexport const parsed = z.number().parse(1)\n`)
const entry = file('entry.ts', [
  `import { answer, here } from './lib.ts'`,
  `import { CHALLENGES_DIR } from ${JSON.stringify(join(REPO_ROOT, 'challenges/build.ts'))}`,
  `const lazy = process.argv[2] === 'lazy' ? (await import('./lazy.ts')).parsed : undefined`,
  `console.log(JSON.stringify({ answer, here, self: import.meta.url, challenges: CHALLENGES_DIR, lazy }))`,
].join('\n'))
const opts = { entry, outFile: join(outDir, 'entry.mjs') }

describe('bundle', () => {
  it('is reused while its inputs are unchanged and rebuilt when one changed', async () => {
    await ensureBundle(opts)
    const built = statSync(opts.outFile).mtimeMs
    const inputs = Object.keys(readManifest(opts.outFile)!.inputs)
    expect(inputs).toContain('challenges/build.ts')
    expect(inputs.some((p) => p.endsWith('lib.ts'))).toBe(true)
    expect(isFresh(opts)).toBe(true)
    await ensureBundle(opts)
    expect(statSync(opts.outFile).mtimeMs).toBe(built)
    file('lib.ts', readFileSync(join(dir, 'lib.ts'), 'utf8').replace('41', '42'))
    expect(isFresh(opts)).toBe(false)
    await ensureBundle(opts)
    expect(run(opts.outFile)).toMatchObject({ answer: 42 })
  })

  it('gives each bundled file its own import.meta.url, so paths relative to it resolve in the source tree', async () => {
    const out = run(await ensureBundle(opts)) as Record<string, string>
    expect(out.here).toBe(pathToFileURL(join(dir, 'lib.ts')).href)
    expect(out.self).toBe(pathToFileURL(entry).href)
    expect(out.challenges).toBe(join(REPO_ROOT, 'challenges'))
  })

  it('keeps a dynamic import lazy: its packages are not imported by the entry', async () => {
    const bundle = await ensureBundle(opts)
    expect(readFileSync(bundle, 'utf8')).not.toMatch(/from "zod"/)
    expect(run(bundle, 'lazy')).toMatchObject({ lazy: 1 })
  })

  it('builds synchronously through a child process when the bundle is stale', () => {
    const sync = { entry, outFile: join(outDir, 'sync/entry.mjs') }
    expect(isFresh(sync)).toBe(false)
    expect(ensureBundleSync(sync)).toBe(sync.outFile)
    expect(isFresh(sync)).toBe(true)
  })

  it('refuses an import.meta property that would describe the bundle instead of the file', async () => {
    const bad = file('bad.ts', 'console.log(import.meta.dirname)\n')
    await expect(buildBundle({ entry: bad, outFile: join(outDir, 'bad.mjs') })).rejects.toThrow(/import\.meta\.dirname has no meaning/)
  })

  it('runs the CLI from its bundle with the same --help as the TypeScript program', async () => {
    const bundled = spawnSync(process.execPath, [AGORA_BIN, '--help'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
    const inProcess = await agoraInProcess(['--help'])
    expect(bundled.stderr).toBe('') // no fallback to tsx
    expect(bundled.status).toBe(inProcess.status)
    expect(bundled.stdout).toBe(inProcess.stdout)
    expect(bundled.stdout).toMatch(/^Usage: agora/)
  })
})
