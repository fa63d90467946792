// The layering rules as a checker over source text: which module may import which. Pure layers (the
// replicated state machine, its primitives, consensus) import no I/O; core components reach the network
// and storage only through interfaces; api and core do not depend on each other's implementations.
// Type-only imports are erased at run time and are checked only where a rule says so.

export interface ImportRef { readonly spec: string; readonly typeOnly: boolean; readonly names: readonly string[] }

/** Every static and dynamic import (and re-export) of a TypeScript source. */
export function importsOf(source: string): ImportRef[] {
  const out: ImportRef[] = []
  const stat = /(?:^|\n)\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]/g
  for (const m of source.matchAll(stat)) {
    const clause = m[3] ?? ''
    const names = [...clause.replace(/[{}]/g, ',').split(',')].map((x) => x.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0]!).filter((x) => x && x !== '*')
    const allTypes = /^\{[^}]*\}$/.test(clause.trim()) && clause.replace(/[{}]/g, '').split(',').filter((x) => x.trim()).every((x) => /^\s*type\s/.test(x))
    out.push({ spec: m[4]!, typeOnly: !!m[2] || allTypes, names })
  }
  for (const m of source.matchAll(/(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g)) out.push({ spec: m[1]!, typeOnly: false, names: [] })
  for (const m of source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push({ spec: m[1]!, typeOnly: false, names: [] })
  return out
}

/** Resolve a relative specifier against the importing file (repository-relative, posix). */
export function resolveSpec(from: string, spec: string): string {
  if (!spec.startsWith('.')) return spec
  const parts = from.split('/').slice(0, -1)
  for (const p of spec.split('/')) {
    if (p === '..') parts.pop()
    else if (p !== '.') parts.push(p)
  }
  return parts.join('/')
}

const PURE_LAYERS = ['core/', 'ledger/', 'forum/', 'registry/', 'validator/consensus/']
/** Packages that do I/O (network, disk, processes) or pull a networking stack in. */
const IO_PACKAGE = /^(node:(fs|fs\/promises|net|http|https|http2|dgram|child_process|worker_threads|cluster|dns|tls)|fs|net|http|libp2p|@libp2p\/(?!peer-id$|crypto($|\/))|@chainsafe\/|rocksdb|classic-level|@nxtedition\/rocksdb|level|ws|undici|commander)/
/** ethers' pure helpers (addresses, hashing, signatures); its providers, wallets and contracts do I/O. */
const ETHERS_PURE = new Set(['getAddress', 'hashMessage', 'recoverAddress', 'SigningKey', 'hexlify', 'keccak256', 'TypedDataEncoder', 'AbiCoder', 'solidityPackedKeccak256', 'getBytes', 'zeroPadValue', 'toUtf8Bytes', 'Signature', 'computeAddress', 'verifyTypedData'])
/** In-repo places that are I/O or composition. */
const IO_PATHS = ['validator/infra/', 'validator/app/', 'validator/api/', 'tools/', 'contracts/chain', 'test/']

export interface Violation { readonly file: string; readonly spec: string; readonly rule: string }

function ioOf(ref: ImportRef, target: string): string | undefined {
  if (ref.typeOnly) return undefined
  if (ref.spec === 'ethers') return ref.names.every((n) => ETHERS_PURE.has(n)) ? undefined : 'ethers beyond its pure helpers'
  if (IO_PACKAGE.test(ref.spec)) return ref.spec
  if (IO_PATHS.some((p) => target.startsWith(p))) return target
  return undefined
}

/** Check one file's imports against the rules; `file` is repository-relative (posix). */
export function checkFile(file: string, source: string): Violation[] {
  const out: Violation[] = []
  const add = (spec: string, rule: string) => out.push({ file, spec, rule })
  for (const ref of importsOf(source)) {
    const target = resolveSpec(file, ref.spec).replace(/\.ts$/, '')
    if (PURE_LAYERS.some((l) => file.startsWith(l))) {
      const io = ioOf(ref, target)
      if (io) add(ref.spec, `a pure layer imports I/O (${io})`)
    }
    if (file.startsWith('validator/core/')) {
      if (!ref.typeOnly && (IO_PACKAGE.test(ref.spec) || (ref.spec === 'ethers' && !ref.names.every((n) => ETHERS_PURE.has(n))))) add(ref.spec, 'a core component imports I/O directly')
      const infraValue = !ref.typeOnly && target.startsWith('validator/infra/') &&
        !['validator/infra/p2p/constants', 'validator/infra/runtime/policy', 'validator/infra/runtime/score'].includes(target)
      if (infraValue) add(ref.spec, 'a core component imports an infra implementation (take it as a module)')
      if (target.startsWith('validator/app/')) add(ref.spec, 'core imports the app')
      if (target.startsWith('validator/api/') && (target !== 'validator/api/view' || !ref.typeOnly)) add(ref.spec, 'core imports api beyond its view types')
    }
    if (file.startsWith('validator/api/') && target.startsWith('validator/core/')) add(ref.spec, 'api imports core (it sees the node through api/view.ts)')
    if (file.startsWith('tools/devnet/') && target.startsWith('validator/core/')) add(ref.spec, 'the devnet imports the workflow (it is a client of the API)')
  }
  return out
}
