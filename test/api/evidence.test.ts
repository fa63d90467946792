// The `evidence` mutation on a real node (test/api/real-node.ts): anyone — here a user that runs no node —
// submits two conflicting consensus votes signed by a validator; the node verifies them before they enter
// the mempool, a block includes them, and the API shows the validator slashed by slashPpm. The same
// offence again, or forged votes, are refused with a typed error and change nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256 } from '../../core/hash.ts'
import { utf8 } from '../../core/bytes.ts'
import { parseRep } from '../../core/amount.ts'
import { evidenceTxBody } from '../../ledger/evidence.ts'
import { makeEvidence } from '../../validator/consensus/evidence.ts'
import { ed25519VoteSigner, valueVote } from '../../validator/consensus/signing.ts'
import { MsgType } from '../../validator/consensus/types.ts'
import { signTransaction } from '../../validator/api/client.ts'
import type { NodeKeys } from '../../core/crypto/keys.ts'
import { codeOf, gql } from './helpers.ts'
import { startRealNet, type RealNet } from './real-node.ts'

let net: RealNet
beforeAll(async () => { net = await startRealNet({ validators: 4, params: { epochSlots: 1000 } }); await net.produce(1) }, 60_000)
afterAll(async () => { await net?.close() })

const EVIDENCE = `mutation($tx: SignedTxInput!) { evidence(tx: $tx) { txId type sender } }`
const STAKE = `query { availability(first: 100) { items { member amount exiting } } }`

/** A PREPARE for `value` at (height, round) signed by `k`'s consensus key. */
function vote(k: NodeKeys, height: number, round: number, value: string) {
  const signer = ed25519VoteSigner(k.peerId, k.ed25519Seed)
  const v = valueVote('block', height, round, MsgType.PREPARE, sha256(utf8(value)))
  return { vote: v, signer: signer.id, signature: signer.sign(v) }
}
let nonce = 1
const submitted = (body: Record<string, unknown>) =>
  signTransaction(net.user.ed25519Seed, { ...body, type: 'Evidence', sender: net.user.peerId, nonce: nonce++ })

describe('evidence mutation', () => {
  it('a user reports a validator\'s double vote: accepted, included, and the stake is cut by slashPpm once', async () => {
    const offender = net.nodes[1]!.keys
    const stakeOf = async () => ((await gql(net.url, STAKE)).data.availability.items as { member: string; amount: string; exiting: boolean }[]).find((a) => a.member === offender.peerId)!
    const before = await stakeOf()
    const body = evidenceTxBody(makeEvidence(vote(offender, 1, 0, 'a'), vote(offender, 1, 0, 'b')), offender.ed25519PublicKey)
    const r = await gql(net.url, EVIDENCE, { tx: submitted(body) })
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined()
    expect(r.data.evidence).toMatchObject({ type: 'Evidence', sender: net.user.peerId })
    await net.produce(1)
    const after = await stakeOf()
    const slashPpm = BigInt(net.genesis.params.slashPpm ?? 100_000)
    expect(parseRep(after.amount)).toBe(parseRep(before.amount) - (parseRep(before.amount) * slashPpm) / 1_000_000n)
    expect(after.exiting).toBe(true)

    // The same offence in another round is one offence: refused before the mempool, the stake unchanged.
    const again = await gql(net.url, EVIDENCE, { tx: submitted(evidenceTxBody(makeEvidence(vote(offender, 1, 2, 'c'), vote(offender, 1, 2, 'd')), offender.ed25519PublicKey)) })
    expect(codeOf(again)).toBe('REJECTED')
    expect(again.errors![0]!.message).toMatch(/already punished/)
    await net.produce(1)
    expect((await stakeOf()).amount).toBe(after.amount)
  })

  it('refuses votes that are not the offender\'s, votes that agree, and a body of another type', async () => {
    const [a, b] = [net.nodes[2]!.keys, net.nodes[3]!.keys]
    const forged = evidenceTxBody(makeEvidence(vote(b, 1, 0, 'x'), vote(b, 1, 0, 'y')), a.ed25519PublicKey)
    const bad = await gql(net.url, EVIDENCE, { tx: submitted({ ...forged, offender: a.peerId }) })
    expect([codeOf(bad), bad.errors?.[0]?.message]).toEqual(['REJECTED', expect.stringMatching(/does not verify/)])
    const same = evidenceTxBody({ signer: a.peerId, first: vote(a, 1, 0, 'x'), second: vote(a, 1, 0, 'x') }, a.ed25519PublicKey)
    expect((await gql(net.url, EVIDENCE, { tx: submitted(same) })).errors?.[0]?.message).toMatch(/do not conflict/)
    const post = signTransaction(net.user.ed25519Seed, { type: 'Post', sender: net.user.peerId, nonce: nonce++, id: 'p', authors: {}, content: 'x' })
    expect(codeOf(await gql(net.url, EVIDENCE, { tx: post }))).toBe('WRONG_TX_TYPE')
  })
})
