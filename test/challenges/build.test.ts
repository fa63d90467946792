// The committed challenges/build/*.wasm are what the sources compile to (asc is deterministic). Loading
// asc + binaryen takes tens of seconds on a busy 2-core machine, so this runs when AGORA_CHECK_BUILD=1
// (CI should set it).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BUILD_DIR, CHALLENGE_NAMES, buildChallenges } from '../../challenges/build.ts'
import { toHex } from '../../core/bytes.ts'
import { sha256 } from '../../core/hash.ts'

describe.runIf(process.env.AGORA_CHECK_BUILD === '1')('challenge build', () => {
  it('rebuilding reproduces the committed modules byte for byte', async () => {
    const built = await buildChallenges({ outDir: null })
    for (const b of built) expect(b.sha256, b.name).toBe(toHex(sha256(readFileSync(join(BUILD_DIR, `${b.name}.wasm`)))))
    expect(built.map((b) => b.name)).toEqual([...CHALLENGE_NAMES])
  }, 300_000)
})
