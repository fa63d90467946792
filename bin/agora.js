#!/usr/bin/env node
// Entry point: the Node 20 shim first, then the CLI as one precompiled bundle (core/bundle.js: built on the
// first run and again whenever a source file changed). tsx runs the TypeScript only if esbuild cannot build.
import '../core/polyfill.js'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { BUNDLE_CACHE_DIR, ensureBundle, REPO_ROOT } from '../core/bundle.js'

const cli = { entry: join(REPO_ROOT, 'tools/cli/main.ts'), outFile: join(BUNDLE_CACHE_DIR, 'cli.mjs') }
let bundle
try {
  bundle = await ensureBundle(cli)
} catch (e) {
  process.stderr.write(`agora: cannot bundle the CLI, running it through tsx (slower): ${e.message}\n`)
}
let main
if (bundle) ({ main } = await import(pathToFileURL(bundle).href))
else {
  const { register } = await import('tsx/esm/api')
  register()
  ;({ main } = await import('../tools/cli/main.ts'))
}
await main(process.argv)
