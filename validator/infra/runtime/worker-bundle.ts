// The runtime worker as one precompiled ES module: worker.ts and everything it imports, bundled by
// esbuild into a cache file, so a worker starts without a TypeScript loader (≈ 3 s with tsx). Rebuilt
// only when an input file changed (hashes kept beside the bundle); nothing is fetched from the network.
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildSync } from 'esbuild'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
const ENTRY = join(ROOT, 'validator/infra/runtime/worker.ts')
/** Under node_modules/.cache: per install, ignored by git, thrown away with node_modules. */
export const WORKER_CACHE_DIR = join(ROOT, 'node_modules/.cache/agora-runtime')

interface Manifest { readonly inputs: Record<string, string> }

const hashFile = (path: string): string | undefined => {
  try { return createHash('sha256').update(readFileSync(path)).digest('hex') } catch { return undefined }
}

function upToDate(bundle: string, manifestPath: string): boolean {
  if (!existsSync(bundle)) return false
  try {
    const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest
    const inputs = Object.entries(m.inputs)
    return inputs.length > 0 && inputs.every(([path, hash]) => hashFile(join(ROOT, path)) === hash)
  } catch { return false }
}

/** Writes via a temporary name and a rename, so concurrent node processes never see half a file. */
function writeAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, data)
  renameSync(tmp, path)
}

/** Path of the bundled worker, (re)built first if missing or stale (≈ 0.3 s, once per change). */
export function workerBundle(cacheDir = WORKER_CACHE_DIR): string {
  const bundle = join(cacheDir, 'worker.mjs')
  const manifestPath = join(cacheDir, 'worker.inputs.json')
  if (upToDate(bundle, manifestPath)) return bundle
  mkdirSync(cacheDir, { recursive: true })
  const out = buildSync({
    entryPoints: [ENTRY], bundle: true, platform: 'node', format: 'esm', target: 'node20',
    write: false, metafile: true, logLevel: 'silent', absWorkingDir: ROOT,
  })
  const inputs: Record<string, string> = {}
  for (const path of Object.keys(out.metafile.inputs)) inputs[relative(ROOT, resolve(ROOT, path))] = hashFile(resolve(ROOT, path)) ?? ''
  writeAtomic(bundle, out.outputFiles[0]!.contents)
  writeAtomic(manifestPath, JSON.stringify({ inputs } satisfies Manifest))
  return bundle
}
