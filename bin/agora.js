#!/usr/bin/env node
// Entry point: the Node 20 shim first, then the TypeScript CLI through tsx (no build step).
import '../core/polyfill.js'
import { register } from 'tsx/esm/api'
register()
const { main } = await import('../tools/cli/main.ts')
await main(process.argv)
