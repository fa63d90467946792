// Runtime workers start with no Node options of their parent's: a parent under `--import tsx` (bench,
// sim) would otherwise set the TypeScript loader up again in every worker, most of a worker's start.
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const child = fileURLToPath(new URL('./fixtures/service-child.ts', import.meta.url))
/** A preload that refuses to run in a worker thread: a worker that inherited it fails to start. */
const MAIN_THREAD_ONLY = 'data:text/javascript,import{isMainThread}from"node:worker_threads";if(!isMainThread)throw new Error("parent option inherited by a worker")'

describe('runtime worker options', () => {
  it('a worker does not inherit the parent process\'s --import preloads', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--import', MAIN_THREAD_ONLY, child], { encoding: 'utf8', timeout: 120_000 })
    expect(JSON.parse(out)).toEqual({ ok: true, noResult: false })
  })
})
