// Builds the Yuma kernel (kernel.as.ts) with asc (asconfig.json, target "release") into kernel.wasm next to
// it. asc is deterministic (same sources + same asc → same bytes), so the output is committed and a test
// (test/ledger/scoring/yuma-kernel-build.test.ts, AGORA_CHECK_BUILD=1) checks that rebuilding reproduces it.
// Run: node --import tsx ledger/scoring/yuma/wasm/build.ts
import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { AgoraError } from '../../../../core/errors.ts'

const DIR = dirname(fileURLToPath(import.meta.url))
export const KERNEL_SOURCE = join(DIR, 'kernel.as.ts')
export const KERNEL_WASM = join(DIR, 'kernel.wasm')

/** The kernel's WASM bytes, compiled from source. */
export async function compileYumaKernel(): Promise<Uint8Array> {
  const { default: asc } = await import('assemblyscript/asc')
  let wasm: Uint8Array | undefined
  const stderr: string[] = []
  const { error } = await asc.main(
    [KERNEL_SOURCE, '--config', join(DIR, '..', '..', '..', '..', 'asconfig.json'), '--target', 'release', '--outFile', 'kernel.wasm'],
    {
      writeFile: (file: string, contents: Uint8Array | string) => { if (file.endsWith('.wasm')) wasm = contents as Uint8Array },
      stderr: { write: (s: string | Uint8Array) => { stderr.push(String(s)); return true } } as never,
      stdout: { write: () => true } as never,
    },
  )
  if (error || !wasm) throw new AgoraError('YUMA_KERNEL_BUILD', `asc failed for the Yuma kernel: ${error?.message ?? 'no output'}\n${stderr.join('')}`)
  return new Uint8Array(wasm)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) writeFileSync(KERNEL_WASM, await compileYumaKernel())
