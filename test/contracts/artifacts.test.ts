// The committed artifacts are exactly what `npm run contracts:build` produces from contracts/src (so
// nobody edits bytecode or ABI by hand, and a source change without a rebuild fails here).
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ARTIFACTS_DIR, artifactJson, compileContracts } from '../../contracts/compile.ts'

describe('compiled artifacts', () => {
  it('match a fresh solc-js compile of contracts/src', () => {
    const fresh = compileContracts()
    expect(fresh.map((a) => a.contractName)).toEqual(['MockNeuron', 'WeightRegistry', 'WeightRegistryArrays'])
    expect(readdirSync(ARTIFACTS_DIR).sort()).toEqual(fresh.map((a) => `${a.contractName}.json`).sort())
    for (const a of fresh) {
      const onDisk = readFileSync(join(ARTIFACTS_DIR, `${a.contractName}.json`), 'utf8')
      expect(onDisk, `${a.contractName}.json differs from a fresh compile: run npm run contracts:build`).toBe(artifactJson(a))
    }
  })
})
