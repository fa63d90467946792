// `agora wasm meter|run` as a user runs them (in process; test/cli/keys.test.ts covers the real bin/agora.js).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { agoraInProcess } from '../helpers/cli.ts'
import { IMPORTS, wat } from './helpers.ts'

const dir = mkdtempSync(join(tmpdir(), 'agora-wasm-cli-'))
const ECHO = wat(`(module ${IMPORTS} (memory 1) (func (export "evaluate") (result i32)
  (drop (call $input_read (i32.const 0) (i32.const 0) (call $input_len)))
  (drop (call $output_write (i32.const 0) (call $input_len))) (i32.const 0)))`)

describe('agora wasm', () => {
  it('meter writes a metered module exporting agora_fuel', async () => {
    writeFileSync(join(dir, 'echo.wasm'), ECHO)
    const r = await agoraInProcess(['wasm', 'meter', join(dir, 'echo.wasm'), '-o', join(dir, 'echo.m.wasm'), '--initial-fuel', '1234'])
    expect(r.status, r.stderr).toBe(0)
    const mod = new WebAssembly.Module(readFileSync(join(dir, 'echo.m.wasm')))
    expect(WebAssembly.Module.exports(mod).map((e) => e.name)).toContain('agora_fuel')
  })

  it('meter exits 1 with a clear message for a refused module', async () => {
    writeFileSync(join(dir, 'bad.wasm'), wat(`(module (import "env" "now" (func (result i64))))`))
    const r = await agoraInProcess(['wasm', 'meter', join(dir, 'bad.wasm'), '-o', join(dir, 'bad.m.wasm')])
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/^error: import "env"\."now" is not a whitelisted host function/)
  })

  it('run prints ok, fuelUsed, output, error and auditHash as JSON', async () => {
    writeFileSync(join(dir, 'in.bin'), new Uint8Array([1, 2, 3]))
    const r = await agoraInProcess(['wasm', 'run', join(dir, 'echo.wasm'), '--input', join(dir, 'in.bin'), '--fuel', '100000', '--json'])
    expect(r.status, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out).toMatchObject({ ok: true, output: '010203', error: null })
    expect(Number(out.fuelUsed)).toBeGreaterThan(0)
    expect(out.auditHash).toMatch(/^[0-9a-f]{64}$/)
    const starved = JSON.parse((await agoraInProcess(['wasm', 'run', join(dir, 'echo.wasm'), '--fuel', '3', '--json'])).stdout)
    expect(starved).toMatchObject({ ok: false, error: { code: 'FUEL_EXHAUSTED' } })
  })
})
