// Every query through plain HTTP against two linked nodes: the same data on both, pagination by cursor,
// `first` capped, and lookups of missing things answer null.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cidOfBytes } from '../../core/encoding.ts'
import { utf8 } from '../../core/bytes.ts'
import { signTransaction } from '../../validator/api/client.ts'
import { ALL_STATE, gql, startNet, type Net } from './helpers.ts'

let net: Net
const SIGNED = `mutation($tx: SignedTxInput!, $payload: String) { submit(tx: $tx, payload: $payload) { txId } }`

beforeAll(async () => {
  net = await startNet({ limits: { maxFirst: 25 } })
  // Some history on both nodes: a few blocks, a submission finalised, an epoch certified, a pool resolved.
  net.produce()
  const payload = utf8('1 2 3')
  const tx = signTransaction(net.user.ed25519Seed, { type: 'Submission', sender: net.user.peerId, nonce: 1, challenge: 'sum', payloadCid: cidOfBytes(payload), payloadBytes: payload.length })
  const r = await gql(net.servers[0]!.url, SIGNED, { tx, payload: Buffer.from(payload).toString('base64') })
  expect(r.errors).toBeUndefined()
  for (let i = 0; i < 30; i++) net.produce()
  for (const n of net.nodes) { n.finalizeSubmission(r.data.submit.txId, '0.75'); n.certifyEpoch(1); n.resolvePool('pool0', true) }
  net.produce()
})
afterAll(async () => { await net?.close() })

const vars = () => ({ member: net.user.peerId, post: 'p0', pool: 'pool0', challenge: 'sum', submission: net.nodes[0]!.submissions({}).items[0]!.id })

describe('queries', () => {
  it('every query answers, and both nodes return the same data', async () => {
    const [a, b] = await Promise.all(net.servers.map((s) => gql(s.url, ALL_STATE, vars())))
    expect(a!.errors).toBeUndefined()
    expect(b!.errors).toBeUndefined()
    expect(a!.data).toEqual(b!.data)
    const d = a!.data
    expect(d.node.height).toBe(32)
    expect(d.blocks.total).toBe(32)
    expect(d.blocks.items).toHaveLength(25) // first: 50 capped at maxFirst 25
    expect(d.blocks.nextCursor).not.toBeNull()
    expect(d.block.height).toBe(1)
    expect(d.validators.total).toBe(2)
    expect(d.balance).toEqual({ member: net.user.peerId, balance: '1000', locked: '0', free: '1000' })
    expect(d.posts.items[0].id).toBe('p0')
    expect(d.pools.items[0]).toMatchObject({ id: 'pool0', resolved: true, passed: true, target: { id: 'p0' } })
    expect(d.openPools.total).toBe(0)
    expect(d.params.current.map((p: { name: string }) => p.name)).toContain('slotMs')
    expect(d.params.pending[0]).toEqual({ name: 'committeeSize', value: '4', effectiveEpoch: 9 })
    expect(d.challenges.items.map((c: { id: string }) => c.id)).toEqual(['old', 'sum'])
    expect(d.challenge.status).toBe('active')
    expect(d.submissions.items[0]).toMatchObject({ miner: net.user.peerId, challenge: 'sum', challengeDetail: { id: 'sum' }, final: true, finalScore: '0.75' })
    expect(d.submissions.items[0].reports).toHaveLength(2)
    expect(d.submission.final).toBe(true)
    expect(d.epochs.items[0]).toMatchObject({ epoch: 1, miners: [net.user.peerId], weights: [65535] })
    expect(d.epoch.weights).toEqual([65535])
    expect(d.checkpoints.items[0].epoch).toBe(1)
    expect(d.node.lastCertifiedEpoch).toBe(1)
  })

  it('cursor pagination walks every block exactly once', async () => {
    const seen: number[] = []
    let after: string | null = null
    for (let guard = 0; guard < 20; guard++) {
      const r: { errors?: unknown; data: any } = await gql(net.servers[1]!.url, `query($after: String) { blocks(first: 7, after: $after) { total nextCursor items { height } } }`, { after })
      expect(r.errors).toBeUndefined()
      seen.push(...r.data.blocks.items.map((b: { height: number }) => b.height))
      after = r.data.blocks.nextCursor
      if (!after) break
    }
    expect(seen).toEqual(Array.from({ length: 32 }, (_, i) => 32 - i))
    const from = await gql(net.servers[0]!.url, `{ blocks(first: 3, fromHeight: 30) { items { height } } }`)
    expect(from.data.blocks.items.map((b: { height: number }) => b.height)).toEqual([30, 31, 32])
  })

  it('filters submissions by miner and challenge; missing things are null', async () => {
    const r = await gql(net.servers[0]!.url, `query($m: String!) {
      mine: submissions(miner: $m) { total } other: submissions(miner: "nobody") { total } byChal: submissions(challenge: "old") { total }
      block(height: 9999) { height } post(id: "nope") { id } pool(id: "nope") { id } challenge(id: "nope") { id }
      submission(id: "nope") { id } epoch(epoch: 77) { epoch } balance(member: "nobody") { member } }`, { m: net.user.peerId })
    expect(r.errors).toBeUndefined()
    expect(r.data).toEqual({ mine: { total: 1 }, other: { total: 0 }, byChal: { total: 0 }, block: null, post: null, pool: null, challenge: null, submission: null, epoch: null, balance: null })
  })

  it('an unknown field is a validation error, not a crash', async () => {
    const r = await gql(net.servers[0]!.url, `{ node { nope } }`)
    expect(r.errors?.[0]?.message).toMatch(/Cannot query field "nope"/)
  })
})
