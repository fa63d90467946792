// The committed ledger/scoring/yuma/wasm/kernel.wasm is what kernel.as.ts compiles to (asc is deterministic).
// Loading asc + binaryen is slow on a busy machine, so this runs when AGORA_CHECK_BUILD=1 (as the challenges' check).
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { KERNEL_BYTES_MODULE, KERNEL_WASM, compileYumaKernel, kernelBytesModule } from '../../../tools/yuma-kernel-build.ts'
import { toHex } from '../../../core/bytes.ts'
import { sha256 } from '../../../core/hash.ts'

describe.runIf(process.env.AGORA_CHECK_BUILD === '1')('Yuma kernel build', () => {
  it('rebuilding reproduces the committed module byte for byte', async () => {
    const wasm = await compileYumaKernel()
    expect(toHex(sha256(wasm))).toBe(toHex(sha256(readFileSync(KERNEL_WASM))))
    expect(readFileSync(KERNEL_BYTES_MODULE, 'utf8')).toBe(kernelBytesModule(wasm))
  }, 300_000)
})
