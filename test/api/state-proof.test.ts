// stateProof over the API on a real node: the value of a key with its Merkle proof, checked client-side
// (validator/api/state-proof.ts) against the root a later block certifies; absence is provable too, and a
// tampered proof, value, key or root proves nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decode } from '../../core/encoding.ts'
import { parseRep } from '../../core/amount.ts'
import { signTransaction } from '../../validator/api/client.ts'
import { verifyStateProofDto } from '../../validator/api/state-proof.ts'
import type { StateProofDto } from '../../validator/api/view.ts'
import { codeOf, gql } from './helpers.ts'
import { startRealNet, USER_CREDITS, USER_REP, type RealNet } from './real-node.ts'

let net: RealNet
beforeAll(async () => { net = await startRealNet(); await net.produce(1) }, 60_000)
afterAll(async () => { await net?.close() })

const PROOF = `query($k: String!) { stateProof(key: $k) { key height stateRoot tree value otherRoot levels otherLeaf { path hash } } }`
const proofOf = async (key: string): Promise<StateProofDto> => {
  const r = await gql(net.url, PROOF, { k: key })
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined()
  return r.data.stateProof
}
/** The root block h+1 certifies for the state after block h (its header's prevStateRoot). */
const certifiedRootAfter = async (h: number): Promise<string> => {
  await net.produce(1)
  const b = (await gql(net.url, `query($h: Int!) { block(height: $h) { prevStateRoot certificateSigners } }`, { h: h + 1 })).data.block
  expect(b.certificateSigners.length).toBeGreaterThan(0)
  return b.prevStateRoot
}
const flip = (hex: string, at = 0) => hex.slice(0, at) + (hex[at] === '0' ? '1' : '0') + hex.slice(at + 1)

describe('stateProof', () => {
  it('proves a member account (REP, locked, credits) against the next block\'s certified root', async () => {
    const p = await proofOf(`forum/account/${net.user.peerId}`)
    expect(p.tree).toBe('forum')
    expect((decode(Buffer.from(p.value!, 'hex')) as (number | bigint)[]).map(BigInt)).toEqual([parseRep(USER_REP), 0n, parseRep(USER_CREDITS)])
    const root = await certifiedRootAfter(p.height)
    expect(root).toBe(p.stateRoot)
    expect(verifyStateProofDto(p, root)).toBe(true)
  })

  it('proves a ledger leaf (the sender nonce a transaction used)', async () => {
    const tx = signTransaction(net.user.ed25519Seed, { type: 'BusinessRequest', sender: net.user.peerId, nonce: 41, fee: '1000', request: 'x' })
    expect((await gql(net.url, `mutation($tx: SignedTxInput!) { businessRequest(tx: $tx) { txId } }`, { tx })).errors).toBeUndefined()
    await net.produce(1)
    const p = await proofOf(`nonce/${net.user.peerId}`)
    expect(p.tree).toBe('ledger')
    expect(decode(Buffer.from(p.value!, 'hex'))).toBe(41)
    expect(verifyStateProofDto(p, await certifiedRootAfter(p.height))).toBe(true)
  })

  it('proves that a key is absent', async () => {
    const p = await proofOf('forum/account/nobody')
    expect(p.value).toBeNull()
    const root = await certifiedRootAfter(p.height)
    expect(verifyStateProofDto(p, root)).toBe(true)
    // Claiming a value for it fails.
    expect(verifyStateProofDto({ ...p, value: 'a0' }, root)).toBe(false)
  })

  it('a tampered proof, value, key or root fails', async () => {
    const p = await proofOf(`forum/account/${net.user.peerId}`)
    const root = await certifiedRootAfter(p.height)
    expect(verifyStateProofDto(p, root)).toBe(true)
    const level = p.levels.length - 1
    const sibling = p.levels[level]!.findIndex((h) => /[^0]/.test(h)) // a non-empty child hash on the path's last branch
    const tampered: StateProofDto[] = [
      { ...p, levels: p.levels.map((l, i) => (i === level ? l.map((h, j) => (j === sibling ? flip(h) : h)) : l)) },
      { ...p, levels: p.levels.slice(1) },
      { ...p, value: flip(p.value!, p.value!.length - 1) },
      { ...p, value: null },
      { ...p, key: `forum/account/${net.poor.peerId}` },
      { ...p, otherRoot: flip(p.otherRoot) },
      { ...p, tree: 'ledger' },
    ]
    for (const [i, t] of tampered.entries()) expect(verifyStateProofDto(t, root), `tampering #${i}`).toBe(false)
    expect(verifyStateProofDto(p, flip(root))).toBe(false)
    // The root of an older state does not certify this value (the user's credits changed since).
    const older = (await gql(net.url, `{ block(height: 1) { prevStateRoot } }`)).data.block.prevStateRoot
    expect(verifyStateProofDto(p, older)).toBe(false)
  })

  it('refuses an empty or oversized key', async () => {
    for (const k of ['', 'x'.repeat(257)]) expect(codeOf(await gql(net.url, PROOF, { k }))).toBe('BAD_USER_INPUT')
  })
})
