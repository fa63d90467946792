// Every query through plain HTTP against a real node with some history (a post, a resolved pool, a final
// submission, certified weights): answers agree with the node's own state, pagination by cursor, and
// lookups of missing things answer null.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ALL_STATE, gql } from './helpers.ts'
import { seedHistory, startRealNet, type History, type RealNet } from './real-node.ts'
import { peek } from '../../core/tracked-map.ts'
import type { PoolId } from '../../core/ids.ts'

let net: RealNet
let h: History
beforeAll(async () => {
  net = await startRealNet()
  await net.produce(1)
  h = await seedHistory(net)
}, 90_000)
afterAll(async () => { await net?.close() })

const vars = () => ({ member: net.user.peerId, post: h.post, pool: h.pool, challenge: 'pow', submission: h.submission })
const ledger = () => net.nodes[0]!.node.ledger

describe('queries', () => {
  it('every query answers, consistent with the node\'s state', async () => {
    const r = await gql(net.url, ALL_STATE, vars())
    expect(r.errors).toBeUndefined()
    const d = r.data
    expect(d.node.height).toBe(ledger().height)
    expect(d.blocks.total).toBe(ledger().height)
    expect(d.blocks.items).toHaveLength(Math.min(50, ledger().height)) // the cap on `first`: protection.test.ts
    expect(d.blocks.items[0].height).toBe(ledger().height)
    expect(d.blocks.items[1].stateRoot).toBe(d.blocks.items[0].prevStateRoot)
    expect(d.block.height).toBe(1)
    expect(d.validators.items.map((v: { peerId: string }) => v.peerId)).toEqual([net.nodes[0]!.keys.peerId])
    expect(d.balance.member).toBe(net.user.peerId)
    expect(Number(d.balance.balance)).toBe(Number(d.balance.locked) + Number(d.balance.free))
    expect(d.balances.items).toContainEqual(d.balance)
    expect(d.posts.items).toContainEqual(expect.objectContaining({ id: h.post, content: 'genesis post', authors: [{ member: net.user.peerId, weightPpm: 1_000_000 }] }))
    expect(d.pools.items).toContainEqual(expect.objectContaining({ id: h.pool, post: h.post, resolved: true, target: { id: h.post } }))
    expect(d.openPools.total).toBe(d.pools.items.filter((p: { resolved: boolean }) => !p.resolved).length)
    expect(d.params.current).toContainEqual({ name: 'slotMs', value: String(net.genesis.params.slotMs), min: expect.any(String), max: expect.any(String) })
    expect(d.challenges.items.map((c: { id: string }) => c.id)).toEqual(net.genesis.challenges.map((c) => c.id).sort())
    expect(d.challenge).toEqual({ id: 'pow', status: 'active' })
    expect(d.submissions.items).toContainEqual(expect.objectContaining({ id: h.submission, miner: net.user.peerId, challenge: 'pow', challengeDetail: { id: 'pow' }, final: true }))
    const sub = d.submissions.items.find((s: { id: string }) => s.id === h.submission)
    expect(sub.reports.map((x: { validator: string }) => x.validator)).toEqual(sub.committee)
    expect(d.submission).toEqual({ id: h.submission, final: true, finalScore: sub.finalScore })
    const epoch = d.epochs.items.find((e: { epoch: number }) => e.epoch === h.epoch)
    expect(epoch).toMatchObject({ miners: [net.user.peerId], weights: [65535], certificateSigners: [net.nodes[0]!.keys.peerId] })
    expect(d.checkpoints.items.length).toBeGreaterThan(0)
    expect(d.node.lastCertifiedEpoch).toBe(Math.max(...d.checkpoints.items.map((c: { epoch: number }) => c.epoch)))
  })

  it('a pool shows its whole window: end slot and end height, as the forum holds them', async () => {
    const r = await gql(net.url, `query($id: String!) { pool(id: $id) { startSlot endSlot startHeight endHeight } }`, { id: h.pool })
    expect(r.errors).toBeUndefined()
    const record = peek(ledger().forum.pools, h.pool as PoolId)!
    expect(r.data.pool).toEqual({ startSlot: record.startSlot, endSlot: record.endSlot, startHeight: record.startHeight, endHeight: record.endHeight })
    // As many blocks as the duration has slots (forum/pool-window.ts).
    expect(r.data.pool.endHeight - r.data.pool.startHeight).toBe(r.data.pool.endSlot - r.data.pool.startSlot)
  })

  it('cursor pagination walks every block exactly once', async () => {
    const top = ledger().height
    const seen: number[] = []
    let after: string | null = null
    for (let guard = 0; guard < 100; guard++) {
      const r: { errors?: unknown; data: any } = await gql(net.url, `query($after: String) { blocks(first: 7, after: $after) { total nextCursor items { height } } }`, { after })
      expect(r.errors).toBeUndefined()
      seen.push(...r.data.blocks.items.map((b: { height: number }) => b.height))
      after = r.data.blocks.nextCursor
      if (!after) break
    }
    expect(seen).toEqual(Array.from({ length: top }, (_, i) => top - i))
    const from = await gql(net.url, `query($h: Int!) { blocks(first: 3, fromHeight: $h) { items { height } } }`, { h: top - 2 })
    expect(from.data.blocks.items.map((b: { height: number }) => b.height)).toEqual([top - 2, top - 1, top])
  })

  it('filters submissions by miner and challenge; missing things are null', async () => {
    const r = await gql(net.url, `query($m: String!) {
      mine: submissions(miner: $m) { total } other: submissions(miner: "nobody") { total } byChal: submissions(challenge: "tsp") { total }
      block(height: 9999) { height } post(id: "nope") { id } pool(id: "nope") { id } challenge(id: "nope") { id }
      submission(id: "nope") { id } epoch(epoch: 7777) { epoch } balance(member: "nobody") { member } }`, { m: net.user.peerId })
    expect(r.errors).toBeUndefined()
    expect(r.data).toEqual({ mine: { total: 1 }, other: { total: 0 }, byChal: { total: 0 }, block: null, post: null, pool: null, challenge: null, submission: null, epoch: null, balance: null })
  })

  it('an unknown field is a validation error, not a crash', async () => {
    const r = await gql(net.url, `{ node { nope } }`)
    expect(r.errors?.[0]?.message).toMatch(/Cannot query field "nope"/)
  })
})
