// The layering holds across the repository, and the checker catches each kind of violation planted in
// a fixture (so a passing run means the rules were applied, not skipped).
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { checkFile, importsOf } from './import-rules.ts'

const ROOT = join(import.meta.dirname, '../..')
const DIRS = ['core', 'ledger', 'forum', 'registry', 'validator', 'tools']

function sources(dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (name === 'node_modules' || name.startsWith('.')) continue
    if (statSync(p).isDirectory()) out.push(...sources(p))
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p)
  }
  return out
}

describe('import rules', () => {
  it('hold for every source file', () => {
    const files = DIRS.flatMap((d) => sources(join(ROOT, d)))
    expect(files.length).toBeGreaterThan(100)
    const bad = files.flatMap((f) => checkFile(relative(ROOT, f).split('\\').join('/'), readFileSync(f, 'utf8')))
    expect(bad.map((v) => `${v.file}: ${v.spec} — ${v.rule}`)).toEqual([])
  })

  it('parses value, type-only, re-export and dynamic imports', () => {
    const refs = importsOf(`import { a, type B } from './x.ts'\nimport type { C } from './y.ts'\nexport { d } from './z.ts'\nconst m = await import('node:fs')\nimport { type E } from './w.ts'\n`)
    expect(refs.map((r) => [r.spec, r.typeOnly])).toEqual([['./x.ts', false], ['./y.ts', true], ['./z.ts', false], ['./w.ts', true], ['node:fs', false]])
  })

  const planted: [string, string, string][] = [
    ['ledger/x.ts', `import { readFileSync } from 'node:fs'`, 'pure layer'],
    ['forum/x.ts', `import { BlockStore } from '../validator/infra/db/block-store.ts'`, 'pure layer'],
    ['registry/x.ts', `import { JsonRpcProvider } from 'ethers'`, 'pure layer'],
    ['validator/consensus/x.ts', `import { createLibp2p } from 'libp2p'`, 'pure layer'],
    ['core/x.ts', `const net = await import('node:net')`, 'pure layer'],
    ['validator/core/x.ts', `import { gossipsub } from '@chainsafe/libp2p-gossipsub'`, 'core component imports I/O'],
    ['validator/core/x.ts', `import { RocksStore } from '../infra/db/rocks.ts'`, 'infra implementation'],
    ['validator/core/x.ts', `import { createAgoraHost } from '../infra/p2p/host.ts'`, 'infra implementation'],
    ['validator/core/x.ts', `import { createApiServer } from '../api/server.ts'`, 'core imports api'],
    ['validator/api/x.ts', `import type { Mempool } from '../core/mempool.ts'`, 'api imports core'],
    ['tools/devnet/x.ts', `import { createEvaluator } from '../../validator/core/evaluator.ts'`, 'devnet imports the workflow'],
  ]
  it.each(planted)('catches %s importing: %s', (file, source, rule) => {
    const v = checkFile(file, source)
    expect(v.length).toBe(1)
    expect(v[0]!.rule).toContain(rule)
  })

  it('allows what the layering permits', () => {
    expect(checkFile('ledger/x.ts', `import { getAddress } from 'ethers'\nimport { peerIdFromString } from '@libp2p/peer-id'\nimport type { X } from '../validator/infra/p2p/index.ts'`)).toEqual([])
    expect(checkFile('validator/core/x.ts', `import type { AgoraHost } from '../infra/p2p/index.ts'\nimport { Topic } from '../infra/p2p/constants.ts'\nimport type { NodeView } from '../api/view.ts'`)).toEqual([])
  })
})
