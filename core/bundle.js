// One of our TypeScript entry points and everything of ours it imports, bundled by esbuild into one cached
// ES module, so a process (the CLI, a node, a runtime worker) starts without a TypeScript loader. Rebuilt
// only when an input changed: the input hashes are the bundle's first line, and the bundle is written under
// a temporary name then renamed, so concurrent first starts never see half a file or a mismatched manifest.
// Plain JS, like polyfill.js: bin/agora.js loads it before any TypeScript loader exists (types: bundle.d.ts).
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const SELF = fileURLToPath(import.meta.url)
export const REPO_ROOT = resolve(dirname(SELF), '..')
/** Under node_modules/.cache: per install, ignored by git, thrown away with node_modules. */
export const BUNDLE_CACHE_DIR = join(REPO_ROOT, 'node_modules/.cache/agora')
const HEADER = '// agora-bundle '
/** Sources whose import.meta.url the plugin rewrites (esbuild filters are Go regexps: no lookahead). */
const SOURCE = /\.(ts|js|mjs)$/
const DEPENDENCY = /[\\/]node_modules[\\/]/
const META_URL = /\bimport\.meta\.url\b/g
const META_OTHER = /\bimport\.meta\.(?!url\b)\w+/

const hashFile = (path) => {
  try { return createHash('sha256').update(readFileSync(path)).digest('hex') } catch { return undefined }
}

/** The manifest of a bundle file (its first line), or undefined when missing or unreadable. */
export function readManifest(outFile) {
  try {
    const text = readFileSync(outFile, 'utf8')
    if (!text.startsWith(HEADER)) return undefined
    return JSON.parse(text.slice(HEADER.length, text.indexOf('\n')))
  } catch { return undefined }
}

/** What else decides the output: the build options and this file (the plugin); a change rebuilds too. */
const buildKey = (opts) => JSON.stringify({ entry: relative(REPO_ROOT, opts.entry), packages: opts.packages ?? 'external', self: hashFile(SELF) })

/** True when the bundle exists and was built from exactly the current inputs with the same options. */
export function isFresh(opts) {
  const m = readManifest(opts.outFile)
  if (!m || m.key !== buildKey(opts)) return false
  const inputs = Object.entries(m.inputs)
  return inputs.length > 0 && inputs.every(([path, hash]) => hashFile(join(REPO_ROOT, path)) === hash)
}

/**
 * Each of our files sees its own file URL as import.meta.url (not the bundle's), so code that finds files
 * next to itself (the dashboard, challenges, contracts, the worker bundle) works unchanged from a bundle.
 * Any other property of import.meta would silently describe the bundle instead: refused at build time.
 * `read` gets the hash of the text each file was bundled from (a file edited mid-build then reads stale).
 */
const importMetaUrlPlugin = (read) => ({
  name: 'agora-import-meta-url',
  setup(build) {
    build.onLoad({ filter: SOURCE }, (args) => {
      if (DEPENDENCY.test(args.path)) return undefined // dependencies load as they are
      const source = readFileSync(args.path, 'utf8')
      read.set(args.path, createHash('sha256').update(source).digest('hex'))
      const other = META_OTHER.exec(source)
      if (other) return { errors: [{ text: `${relative(REPO_ROOT, args.path)}: ${other[0]} has no meaning in a bundle` }] }
      const contents = source.replace(META_URL, JSON.stringify(pathToFileURL(args.path).href))
      return { contents, loader: args.path.endsWith('.ts') ? 'ts' : 'js' }
    })
  },
})

/**
 * Builds the bundle now (≈ 1 s for the CLI) and writes it; resolves to its path. Code splitting keeps each
 * dynamic import() lazy (one bundle would hoist every package import to its top: `agora --help` would load
 * libp2p, hardhat and the API). Chunks are named by content hash and written first, the entry last, each by
 * rename, so a reader that sees the new entry finds its chunks.
 */
export async function buildBundle(opts) {
  const { build } = await import('esbuild') // only when building: a fresh start never loads esbuild
  const outdir = dirname(opts.outFile)
  const name = basename(opts.outFile, '.mjs')
  const read = new Map()
  const out = await build({
    entryPoints: [opts.entry], outdir, entryNames: name, chunkNames: `${name}.chunks/[name]-[hash]`,
    outExtension: { '.js': '.mjs' }, splitting: true, bundle: true, platform: 'node', format: 'esm', target: 'node20',
    packages: opts.packages ?? 'external', plugins: [importMetaUrlPlugin(read)],
    // Without keepNames esbuild renames colliding identifiers, and class/function names would change.
    keepNames: true, write: false, metafile: true, logLevel: 'silent', absWorkingDir: REPO_ROOT,
  })
  const inputs = {}
  for (const path of Object.keys(out.metafile.inputs)) {
    const abs = resolve(REPO_ROOT, path.replace(/^[\w-]+:/, ''))
    inputs[relative(REPO_ROOT, abs)] = read.get(abs) ?? hashFile(abs) ?? ''
  }
  const entry = out.outputFiles.find((f) => f.path === resolve(opts.outFile))
  const chunks = out.outputFiles.filter((f) => f !== entry)
  mkdirSync(join(outdir, `${name}.chunks`), { recursive: true })
  for (const chunk of chunks) writeAtomic(chunk.path, chunk.contents)
  writeAtomic(opts.outFile, `${HEADER}${JSON.stringify({ key: buildKey(opts), inputs })}\n${entry.text}`)
  pruneChunks(join(outdir, `${name}.chunks`), new Set(chunks.map((c) => basename(c.path))))
  return opts.outFile
}

function writeAtomic(path, data) {
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, data)
  renameSync(tmp, path)
}

/**
 * Chunks of earlier builds are deleted only once an hour old: a process started from an earlier build may
 * still import one of its lazy chunks, but it does so while its command starts, seconds after.
 */
const STALE_CHUNK_MS = 60 * 60 * 1000

function pruneChunks(dir, keep) {
  for (const file of readdirSync(dir)) {
    if (keep.has(file)) continue
    try {
      if (Date.now() - statSync(join(dir, file)).mtimeMs > STALE_CHUNK_MS) unlinkSync(join(dir, file))
    } catch { /* another process pruned it */ }
  }
}

/** The bundle's path, built first if missing or stale. */
export async function ensureBundle(opts) {
  return isFresh(opts) ? opts.outFile : buildBundle(opts)
}

/**
 * ensureBundle for callers that cannot wait (a worker URL needed synchronously): a stale bundle is built
 * by a child process running this file, since esbuild's synchronous API takes no plugins.
 */
export function ensureBundleSync(opts) {
  if (isFresh(opts)) return opts.outFile
  execFileSync(process.execPath, [SELF, JSON.stringify(opts)], { stdio: ['ignore', 'ignore', 'pipe'] })
  return opts.outFile
}

// The child of ensureBundleSync (no top-level await: this module is also bundled, and may load lazily).
if (process.argv[1] === SELF) {
  buildBundle(JSON.parse(process.argv[2])).catch((e) => { process.stderr.write(`${e.message}\n`); process.exit(1) })
}
