// WeightRegistry on the embedded EVM: quorum by power over EIP-712 digests, replay and stale-epoch
// protection, matrix validation, certified validator-set updates, exact read-back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Contract, TypedDataEncoder, type Wallet } from 'ethers'
import { startEmbeddedChain, type EmbeddedChain } from '../../contracts/embedded.ts'
import { deployWeightRegistry } from '../../contracts/deploy.ts'
import { createChainClient, type ChainClient } from '../../contracts/client.ts'
import { weightRegistryInterface, WEIGHT_REGISTRY } from '../../contracts/artifacts.ts'
import { decodeRevert } from '../../contracts/errors.ts'
import { packSignatures, registryDomain, signValidatorSet, weightsDigest, type ValidatorPower } from '../../contracts/eip712.ts'
import { packU16 } from '../../contracts/matrix.ts'
import { expectRevert, randomMatrix, signAll, testValidators, withPowers, type TestValidator } from './helpers.ts'

let chain: EmbeddedChain
let deployer: Wallet

beforeAll(async () => {
  chain = await startEmbeddedChain({ port: null })
  deployer = chain.wallet(0)
})
afterAll(async () => {
  await chain?.stop()
})

async function setup(vs: readonly TestValidator[], powers: readonly bigint[]) {
  const address = await deployWeightRegistry(deployer, { validators: withPowers(vs, powers) })
  const client = createChainClient({ provider: chain.provider, privateKey: deployer.privateKey, address })
  const raw = new Contract(address, WEIGHT_REGISTRY.abi as never, deployer)
  /** Call submitWeights directly, bypassing the client's own validation, and decode the revert. */
  const rawSubmit = async (epoch: bigint, uids: Uint8Array, weights: Uint8Array, sigs: string[]) => {
    try {
      await raw.getFunction('submitWeights').staticCall(epoch, uids, weights, packSignatures(sigs))
    } catch (e) {
      throw decodeRevert(weightRegistryInterface, e, 'submitWeights') ?? e
    }
  }
  return { address, client, rawSubmit }
}

const equal = (n: number) => Array.from({ length: n }, () => 1n)

describe('WeightRegistry', () => {
  const vs = testValidators(4)

  it('deploys with the genesis set in ascending order and no epoch yet', async () => {
    const { client } = await setup(vs, [4n, 3n, 2n, 1n])
    const set = await client.validatorSet()
    expect(set.epoch).toBe(0n)
    expect(set.totalPower).toBe(10n)
    const expected = withPowers(vs, [4n, 3n, 2n, 1n]).sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1))
    expect(set.validators).toEqual(expected)
    expect(await client.lastEpoch()).toBeNull()
    expect(await client.weightsOf(1n)).toBeNull()
  })

  it('computes the same EIP-712 digest on chain as off chain', async () => {
    const { address } = await setup(vs, equal(4))
    const raw = new Contract(address, WEIGHT_REGISTRY.abi as never, chain.provider)
    const m = randomMatrix(9n, 50, 1)
    const onChain = await raw.getFunction('weightsDigest')(m.epoch, packU16(m.uids), packU16(m.weights))
    expect(onChain).toBe(weightsDigest({ chainId: chain.chainId, contract: address, ...m }))
    expect(await raw.getFunction('domainSeparator')()).toBe(TypedDataEncoder.hashDomain(registryDomain({ chainId: chain.chainId, contract: address })))
  })

  it('stores a matrix signed by > 2/3 of power and reads it back exactly', async () => {
    const { address, client } = await setup(vs, equal(4))
    const m = randomMatrix(5n, 300, 42)
    const r = await client.submitWeights(m.epoch, m.uids, m.weights, signAll(vs.slice(0, 3), chain.chainId, address, m))
    expect(r.status).toBe('submitted')
    expect(await client.weightsOf(5n)).toEqual({ uids: m.uids, weights: m.weights })
    expect(await client.lastEpoch()).toBe(5n)
  })

  it('reads back a matrix larger than one data contract (chunked)', async () => {
    const { address, client } = await setup(vs, equal(4))
    const m = randomMatrix(1n, 13_000, 7) // 26,000 bytes of uids: two chunks each for uids and weights
    const r = await client.submitWeights(m.epoch, m.uids, m.weights, signAll(vs, chain.chainId, address, m))
    expect(r.status).toBe('submitted')
    expect(await client.weightsOf(1n)).toEqual({ uids: m.uids, weights: m.weights })
  })

  it('rejects a matrix signed by exactly 2/3 of power', async () => {
    const three = testValidators(3)
    const { address, client } = await setup(three, equal(3))
    const m = randomMatrix(1n, 10, 3)
    const args = await expectRevert(client.submitWeights(m.epoch, m.uids, m.weights, signAll(three.slice(0, 2), chain.chainId, address, m)), 'InsufficientPower')
    expect(args).toEqual({ signedPower: 2n, totalPower: 3n })
  })

  it('rejects a non-validator signer and a duplicated signer', async () => {
    const { address, client } = await setup(vs, equal(4))
    const m = randomMatrix(1n, 10, 4)
    const outsider = testValidators(1, 'outsider')
    const a = await expectRevert(client.submitWeights(m.epoch, m.uids, m.weights, signAll([...vs.slice(0, 2), ...outsider], chain.chainId, address, m)), 'NotValidator')
    expect(a['signer']).toBe(outsider[0]!.address)
    const dup = signAll([vs[0]!, vs[1]!, vs[0]!], chain.chainId, address, m)
    const b = await expectRevert(client.submitWeights(m.epoch, m.uids, m.weights, dup), 'DuplicateSigner')
    expect(b['signer']).toBe(vs[0]!.address)
  })

  it('rejects signatures over other weights (they recover to a stranger)', async () => {
    const { address, client } = await setup(vs, equal(4))
    const m = randomMatrix(1n, 10, 5)
    const other = { ...m, weights: m.weights.map((w, i) => (i === 0 ? (w + 1) % 65536 : w)) }
    const sigs = [...signAll(vs.slice(0, 2), chain.chainId, address, m), ...signAll(vs.slice(2, 3), chain.chainId, address, other)]
    const a = await expectRevert(client.submitWeights(m.epoch, m.uids, m.weights, sigs), 'NotValidator')
    expect(vs.map((v) => v.address)).not.toContain(a['signer'])
  })

  it('rejects a past epoch and a replay with distinct errors', async () => {
    const { address, client, rawSubmit } = await setup(vs, equal(4))
    const m5 = randomMatrix(5n, 20, 6)
    const sigs5 = signAll(vs, chain.chainId, address, m5)
    await client.submitWeights(m5.epoch, m5.uids, m5.weights, sigs5)
    await expectRevert(rawSubmit(5n, packU16(m5.uids), packU16(m5.weights), sigs5), 'AlreadySubmitted')
    const m4 = randomMatrix(4n, 20, 7)
    const args = await expectRevert(client.submitWeights(m4.epoch, m4.uids, m4.weights, signAll(vs, chain.chainId, address, m4)), 'StaleEpoch')
    expect(args).toEqual({ epoch: 4n, lastEpoch: 5n })
  })

  it('rejects unsorted or duplicate uids, length mismatches and odd packing', async () => {
    const { address, rawSubmit } = await setup(vs, equal(4))
    const sign = (uids: number[], weights: number[]) => signAll(vs, chain.chainId, address, { epoch: 1n, uids, weights })
    expect(await expectRevert(rawSubmit(1n, packU16([1, 3, 2]), packU16([1, 1, 1]), sign([1, 3, 2], [1, 1, 1])), 'UidsNotAscending')).toEqual({ index: 2n })
    expect(await expectRevert(rawSubmit(1n, packU16([1, 3, 3]), packU16([1, 1, 1]), sign([1, 3, 3], [1, 1, 1])), 'DuplicateUid')).toEqual({ index: 2n })
    await expectRevert(rawSubmit(1n, packU16([1, 2]), packU16([1]), []), 'LengthMismatch')
    await expectRevert(rawSubmit(1n, new Uint8Array(3), new Uint8Array(3), []), 'BadPackedLength')
    await expectRevert(rawSubmit(1n, new Uint8Array(0), new Uint8Array(0), []), 'EmptyMatrix')
  })

  it('counts power, not heads', async () => {
    const { address, client } = await setup(vs, [10n, 1n, 1n, 1n])
    const big = vs[0]!
    const small = vs.slice(1)
    const m1 = randomMatrix(1n, 10, 8)
    // Three of four validators (75% of heads) hold 3/13 of the power: rejected.
    const a = await expectRevert(client.submitWeights(m1.epoch, m1.uids, m1.weights, signAll(small, chain.chainId, address, m1)), 'InsufficientPower')
    expect(a).toEqual({ signedPower: 3n, totalPower: 13n })
    // One validator (25% of heads) holds 10/13 > 2/3: accepted.
    expect((await client.submitWeights(m1.epoch, m1.uids, m1.weights, signAll([big], chain.chainId, address, m1))).status).toBe('submitted')
  })

  it('changes who may sign only through an update certified by > 2/3 of the outgoing power, naming a later epoch', async () => {
    const { address, client } = await setup(vs, equal(4))
    const next = testValidators(3, 'next')
    const nextSet: ValidatorPower[] = withPowers([vs[0]!, ...next], [1n, 1n, 1n, 1n])
    const sign = (signers: readonly TestValidator[], epoch: bigint) =>
      signers.map((v) => signValidatorSet(v.key, { chainId: chain.chainId, contract: address, epoch, validators: nextSet }))

    // Weights of epoch 1, certified by the deployment set, before the hand-over at epoch 2.
    const m1 = randomMatrix(1n, 10, 9)
    expect((await client.submitWeights(m1.epoch, m1.uids, m1.weights, signAll(vs.slice(0, 3), chain.chainId, address, m1))).status).toBe('submitted')
    // 2 of 4 equal validators: not enough.
    await expectRevert(client.updateValidatorSet(2n, nextSet, sign(vs.slice(0, 2), 2n)), 'InsufficientPower')
    // Signed for another epoch than the one sent: recovers to strangers.
    await expectRevert(client.updateValidatorSet(2n, nextSet, sign(vs.slice(0, 3), 3n)), 'NotValidator')
    const update = sign(vs.slice(0, 3), 2n)
    expect(await client.validatorSetUpdateDigest(2n, nextSet)).toBe(TypedDataEncoder.hash(registryDomain({ chainId: chain.chainId, contract: address }),
      { ValidatorSet: [{ name: 'epoch', type: 'uint64' }, { name: 'validators', type: 'address[]' }, { name: 'powers', type: 'uint64[]' }] },
      { epoch: 2n, validators: [...nextSet].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1)).map((v) => v.address), powers: nextSet.map((v) => v.power) }))
    expect((await client.updateValidatorSet(2n, nextSet, update)).status).toBe('submitted')
    const set = await client.validatorSet()
    expect(set.epoch).toBe(2n)
    expect(set.validators.map((v) => v.address).sort()).toEqual(nextSet.map((v) => v.address).sort())
    // Sending the same hand-over again is a no-op for the client; the contract refuses a replay.
    expect((await client.updateValidatorSet(2n, nextSet, update)).status).toBe('already-on-chain')
    const raw = new Contract(address, WEIGHT_REGISTRY.abi as never, deployer)
    const replay = await raw.getFunction('updateValidatorSet').staticCall(2n, [...nextSet].map((v) => v.address).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)), nextSet.map((v) => v.power), packSignatures(update))
      .then(() => 'accepted', (e) => decodeRevert(weightRegistryInterface, e, 'updateValidatorSet')?.errorName)
    expect(replay).toBe('StaleValidatorSet')

    // Weights signed by the set the contract no longer holds are refused; the held set's are accepted.
    const m = randomMatrix(2n, 10, 9)
    const old = await expectRevert(client.submitWeights(m.epoch, m.uids, m.weights, signAll(vs.slice(0, 3), chain.chainId, address, m)), 'NotValidator')
    expect(old['signer']).toBe(vs[1]!.address)
    const r = await client.submitWeights(m.epoch, m.uids, m.weights, signAll(next, chain.chainId, address, m))
    expect(r.status).toBe('submitted')
    // An epoch before the held set's first one was certified by a set the contract no longer holds.
    const nextRegistry = await setup(vs, equal(4))
    await nextRegistry.client.updateValidatorSet(5n, nextSet, vs.slice(0, 3).map((v) => signValidatorSet(v.key, { chainId: chain.chainId, contract: nextRegistry.address, epoch: 5n, validators: nextSet })))
    const early = randomMatrix(4n, 10, 3)
    await expectRevert(nextRegistry.rawSubmit(early.epoch, packU16(early.uids), packU16(early.weights), signAll(next, chain.chainId, nextRegistry.address, early)), 'SetNotHeld')
  })

  it('lists every epoch\'s weights transaction from its events', async () => {
    const { address, client } = await setup(vs, equal(4))
    const sent: { epoch: number; txHash: string }[] = []
    for (const e of [3n, 7n]) {
      const m = randomMatrix(e, 5, Number(e))
      const r = await client.submitWeights(m.epoch, m.uids, m.weights, signAll(vs, chain.chainId, address, m))
      if (r.status !== 'submitted') throw new Error(`epoch ${e} not submitted`)
      sent.push({ epoch: Number(e), txHash: r.txHash })
    }
    expect((await client.weightSubmissions(0)).map(({ epoch, txHash }) => ({ epoch, txHash }))).toEqual(sent)
  })
})
