// Shared fixtures for the chain tests: deterministic validator keys, a seeded matrix generator, and a
// matcher for decoded custom errors.
import { keccak256, toUtf8Bytes, computeAddress } from 'ethers'
import { expect } from 'vitest'
import { ChainRevertError } from '../../contracts/errors.ts'
import { signWeights, type ValidatorPower } from '../../contracts/eip712.ts'
import type { WeightMatrix } from '../../contracts/matrix.ts'

export interface TestValidator { readonly key: string; readonly address: string }

export const testValidators = (n: number, tag = 'validator'): TestValidator[] =>
  Array.from({ length: n }, (_, i) => {
    const key = keccak256(toUtf8Bytes(`agora/test/${tag}/${i}`))
    return { key, address: computeAddress(key) }
  })

export const withPowers = (vs: readonly TestValidator[], powers: readonly bigint[]): ValidatorPower[] =>
  vs.map((v, i) => ({ address: v.address, power: powers[i]! }))

/** A seeded (mulberry32) matrix: `miners` ascending uids with gaps, u16 weights. */
export function randomMatrix(epoch: bigint, miners: number, seed: number): WeightMatrix {
  let s = seed >>> 0
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const uids: number[] = []
  let uid = 0
  for (let i = 0; i < miners; i++) {
    uids.push(uid)
    uid += 1 + Math.floor(next() * (miners > 30000 ? 1 : 3))
  }
  return { epoch, uids, weights: uids.map(() => Math.floor(next() * 65536)) }
}

export const signAll = (signers: readonly TestValidator[], chainId: bigint, contract: string, m: WeightMatrix): string[] =>
  signers.map((v) => signWeights(v.key, { chainId, contract, ...m }))

/** Expect `p` to reject with a decoded contract error named `name`; returns its arguments. */
export async function expectRevert(p: Promise<unknown>, name: string): Promise<Readonly<Record<string, unknown>>> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  )
  expect(e, `expected revert ${name}`).toBeInstanceOf(ChainRevertError)
  const r = e as ChainRevertError
  expect(r.errorName, r.message).toBe(name)
  return r.args
}
