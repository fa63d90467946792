// Builds the bundled AssemblyScript challenges with asc (asconfig.json, target "release") into
// challenges/build/<name>.wasm. The build is deterministic (same sources + same asc → same bytes), so
// the outputs are committed and a test checks that rebuilding reproduces them.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { AgoraError } from '../core/errors.ts'
import { toHex } from '../core/bytes.ts'
import { sha256 } from '../core/hash.ts'

export const CHALLENGES_DIR = dirname(fileURLToPath(import.meta.url))
export const BUILD_DIR = join(CHALLENGES_DIR, 'build')
export const CHALLENGE_NAMES = ['tsp', 'pow', 'sorter'] as const
export type ChallengeName = (typeof CHALLENGE_NAMES)[number]

export interface BuiltChallenge { readonly name: string; readonly path: string; readonly bytes: number; readonly sha256: string }

export interface BuildOptions {
  readonly names?: readonly string[]
  /** Where to write <name>.wasm (default challenges/build); null: compile only, write nothing. */
  readonly outDir?: string | null
}

/** Compile one challenge's sources to WASM bytes. */
export async function compileChallenge(name: string): Promise<Uint8Array> {
  const { default: asc } = await import('assemblyscript/asc')
  const entry = join(CHALLENGES_DIR, name, 'assembly', 'index.ts')
  let wasm: Uint8Array | undefined
  const stderr: string[] = []
  const { error } = await asc.main(
    [entry, '--config', join(CHALLENGES_DIR, '..', 'asconfig.json'), '--target', 'release', '--outFile', `${name}.wasm`],
    {
      writeFile: (file: string, contents: Uint8Array | string) => { if (file.endsWith('.wasm')) wasm = contents as Uint8Array },
      stderr: { write: (s: string | Uint8Array) => { stderr.push(String(s)); return true } } as never,
      stdout: { write: () => true } as never,
    },
  )
  if (error || !wasm) throw new AgoraError('CHALLENGE_BUILD', `asc failed for ${name}: ${error?.message ?? 'no output'}\n${stderr.join('')}`)
  return new Uint8Array(wasm)
}

export async function buildChallenges(opts: BuildOptions = {}): Promise<BuiltChallenge[]> {
  const names = opts.names ?? CHALLENGE_NAMES
  const outDir = opts.outDir === undefined ? BUILD_DIR : opts.outDir
  const built: BuiltChallenge[] = []
  for (const name of names) {
    if (!(CHALLENGE_NAMES as readonly string[]).includes(name)) throw new AgoraError('UNKNOWN_CHALLENGE', `unknown challenge "${name}" (have: ${CHALLENGE_NAMES.join(', ')})`)
    const bytes = await compileChallenge(name)
    const path = outDir === null ? '' : join(outDir, `${name}.wasm`)
    if (outDir !== null) { mkdirSync(outDir, { recursive: true }); writeFileSync(path, bytes) }
    built.push({ name, path, bytes: bytes.length, sha256: toHex(sha256(bytes)) })
  }
  return built
}
