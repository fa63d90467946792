// The precompiled worker: built into the cache directory once, reused while its inputs are unchanged,
// rebuilt when one changed, and loadable as a worker without any TypeScript loader.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { afterAll, describe, expect, it } from 'vitest'
import { readManifest } from '../../core/bundle.js'
import { workerBundle } from '../../validator/infra/runtime/worker-bundle.ts'

const dir = mkdtempSync(join(tmpdir(), 'agora-worker-bundle-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('worker bundle', () => {
  it('is reused while its inputs are unchanged and rebuilt when one changed', () => {
    const path = workerBundle(dir)
    const built = statSync(path).mtimeMs
    const manifest = readManifest(path)!
    expect(Object.keys(manifest.inputs)).toContain('validator/infra/runtime/worker.ts')
    expect(Object.keys(manifest.inputs).some((p) => p.includes('zod'))).toBe(false) // zod stays out of workers
    expect(statSync(workerBundle(dir)).mtimeMs).toBe(built)
    const stale = JSON.stringify({ ...manifest, inputs: { ...manifest.inputs, 'validator/infra/runtime/worker.ts': 'stale' } })
    writeFileSync(path, readFileSync(path, 'utf8').replace(/^.*\n/, `// agora-bundle ${stale}\n`))
    workerBundle(dir)
    expect(readManifest(path)).toEqual(manifest)
  })

  it('starts as a plain worker and says it is ready', async () => {
    const w = new Worker(workerBundle(dir))
    try {
      const msg = await new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject) })
      expect(msg).toEqual({ ready: true })
    } finally { await w.terminate() }
  })
})
