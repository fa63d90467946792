// Sorter challenge: the payload is a WASM program run through the runtime (run_nested) with its own
// fuel; correct sorts score by fuel efficiency, wrong or hostile programs score 0 with a status.
import { describe, expect, it } from 'vitest'
import { sorterPayload, watToWasm } from '../../challenges/payloads.ts'
import { runChallenge, seedOf } from './helpers.ts'

const seed = seedOf('sorter-test')
const status = (d: DataView): number => d.getInt32(8, true)

describe('sorter', () => {
  it('a correct, efficient program scores high; a correct slow one lower; both by nested fuel', async () => {
    const shell = runChallenge('sorter', await sorterPayload('shell'), seed)
    const insertion = runChallenge('sorter', await sorterPayload('insertion'), seed)
    expect(status(shell.detail)).toBe(0)
    expect(status(insertion.detail)).toBe(0)
    const fuelShell = shell.detail.getBigUint64(0, true)
    const fuelInsertion = insertion.detail.getBigUint64(0, true)
    expect(fuelInsertion).toBeGreaterThan(fuelShell)
    expect(shell.score).toBe(BigInt(Math.min(1_000_000, Number((70_000n * 1_000_000n) / fuelShell))))
    expect(insertion.score).toBe((70_000n * 1_000_000n) / fuelInsertion)
    expect(shell.score).toBeGreaterThan(insertion.score)
    // The nested program's fuel is charged to the challenge's own evaluation too.
    expect(shell.result.fuelUsed).toBeGreaterThan(fuelShell)
  })

  it('a wrong program (echo) scores 0 with status 2', async () => {
    const r = runChallenge('sorter', await sorterPayload('identity'), seed)
    expect(r.score).toBe(0n)
    expect(status(r.detail)).toBe(2)
  })

  it.each([
    ['an infinite loop (nested fuel exhausted)', 'spin', -2],
    ['a forbidden import (refused module)', 'clock', -1],
  ] as const)('adversarial: %s scores 0', async (_n, program, code) => {
    const r = runChallenge('sorter', await sorterPayload(program), seed)
    expect(r.score).toBe(0n)
    expect(status(r.detail)).toBe(code)
  })

  it.each([
    ['garbage bytes', new Uint8Array([1, 2, 3, 4]), -1],
    ['empty payload', new Uint8Array(), -1],
  ])('invalid payload (%s) scores 0', (_n, payload, code) => {
    const r = runChallenge('sorter', payload, seed)
    expect(r.score).toBe(0n)
    expect(status(r.detail)).toBe(code)
  })

  it('adversarial: a program that traps, recurses forever or writes the wrong length scores 0', async () => {
    const trap = await watToWasm(`(module (func (export "evaluate") (result i32) unreachable))`)
    const recurse = await watToWasm(`(module (func $f (export "evaluate") (result i32) (call $f)))`)
    const short = await watToWasm(`(module (import "agora" "output_write" (func $w (param i32 i32) (result i32))) (memory 1)
      (func (export "evaluate") (result i32) (drop (call $w (i32.const 0) (i32.const 4))) (i32.const 0)))`)
    expect(status(runChallenge('sorter', trap, seed).detail)).toBe(-3)
    expect(status(runChallenge('sorter', recurse, seed).detail)).toBe(-3)
    expect(status(runChallenge('sorter', short, seed).detail)).toBe(1)
  })
})
