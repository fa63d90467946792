// Benchmark runner: `npm run bench -- <name> [args]` runs bench/<name>.ts, which prints one JSON line per case.
import { readdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const available = readdirSync(here).filter((f) => f.endsWith('.ts') && !['run.ts', 'report.ts'].includes(f)).map((f) => f.slice(0, -3))
const [name, ...args] = process.argv.slice(2)
if (!name || !available.includes(name)) {
  process.stderr.write(`usage: npm run bench -- <name> [args]\navailable: ${available.sort().join(', ')}\n`)
  process.exit(name ? 1 : 0)
}
const mod = (await import(`./${name}.ts`)) as { run(args: string[]): Promise<void> }
await mod.run(args)
process.exit(0)
