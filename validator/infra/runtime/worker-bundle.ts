// The runtime worker as one precompiled ES module: worker.ts and everything it imports, bundled by
// core/bundle.js into a cache file, so a worker starts without a TypeScript loader (≈ 3 s with tsx).
// Rebuilt only when an input file changed; nothing is fetched from the network.
import { join } from 'node:path'
import { BUNDLE_CACHE_DIR, ensureBundleSync, REPO_ROOT } from '../../../core/bundle.js'

const ENTRY = join(REPO_ROOT, 'validator/infra/runtime/worker.ts')

/**
 * Path of the bundled worker, (re)built first if missing or stale (≈ 0.3 s, once per change).
 * Dependencies are bundled in too: a worker then resolves no package at start-up.
 */
export function workerBundle(cacheDir = BUNDLE_CACHE_DIR): string {
  return ensureBundleSync({ entry: ENTRY, outFile: join(cacheDir, 'worker.mjs'), packages: 'bundle' })
}
