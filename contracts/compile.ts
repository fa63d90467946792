// Compiles contracts/src/*.sol with the npm solc package (solc-js: the compiler ships inside the
// package, nothing is downloaded) and writes one artifact per deployable contract to contracts/artifacts.
// `npm run contracts:build` writes them; test/contracts/artifacts.test.ts checks they match a fresh compile.
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import solc from 'solc'
import { z } from 'zod'
import { AgoraError } from '../core/errors.ts'

const here = dirname(fileURLToPath(import.meta.url))
export const SOURCES_DIR = join(here, 'src')
export const ARTIFACTS_DIR = join(here, 'artifacts')

/** cancun, not solc's default osaka: the contracts must also run on chains (Bittensor EVM, L2s) that lag. */
export const COMPILER_SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'cancun',
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
} as const

export interface Artifact {
  readonly contractName: string
  readonly sourceName: string
  readonly compiler: string
  readonly evmVersion: string
  readonly abi: readonly unknown[]
  readonly bytecode: string
  readonly deployedBytecode: string
}

const solcOutput = z.object({
  errors: z.array(z.object({ severity: z.string(), formattedMessage: z.string() })).optional(),
  contracts: z
    .record(
      z.string(),
      z.record(
        z.string(),
        z.object({
          abi: z.array(z.unknown()),
          evm: z.object({ bytecode: z.object({ object: z.string() }), deployedBytecode: z.object({ object: z.string() }) }),
        }),
      ),
    )
    .optional(),
})

/** Compile every source; returns the deployable contracts (abstract ones have no bytecode) by name. */
export function compileContracts(): Artifact[] {
  const files = readdirSync(SOURCES_DIR).filter((f) => f.endsWith('.sol')).sort()
  const sources = Object.fromEntries(files.map((f) => [f, { content: readFileSync(join(SOURCES_DIR, f), 'utf8') }]))
  const input = { language: 'Solidity', sources, settings: COMPILER_SETTINGS }
  const output = solcOutput.parse(JSON.parse(solc.compile(JSON.stringify(input))))
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length > 0) throw new AgoraError('SOLC_ERROR', `solc: ${errors.map((e) => e.formattedMessage).join('\n')}`)
  const artifacts: Artifact[] = []
  for (const sourceName of Object.keys(output.contracts ?? {}).sort()) {
    for (const [contractName, c] of Object.entries(output.contracts![sourceName]!).sort(([a], [b]) => a.localeCompare(b))) {
      if (c.evm.bytecode.object.length === 0) continue
      artifacts.push({
        contractName,
        sourceName,
        compiler: String(solc.version()),
        evmVersion: COMPILER_SETTINGS.evmVersion,
        abi: c.abi,
        bytecode: '0x' + c.evm.bytecode.object,
        deployedBytecode: '0x' + c.evm.deployedBytecode.object,
      })
    }
  }
  return artifacts
}

export const artifactJson = (a: Artifact): string => JSON.stringify(a, null, 2) + '\n'

function main(): void {
  mkdirSync(ARTIFACTS_DIR, { recursive: true })
  for (const a of compileContracts()) {
    const path = join(ARTIFACTS_DIR, `${a.contractName}.json`)
    writeFileSync(path, artifactJson(a))
    process.stdout.write(`${a.contractName}: ${(a.deployedBytecode.length - 2) / 2} bytes -> ${path}\n`)
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main()
