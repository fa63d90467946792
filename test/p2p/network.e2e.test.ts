// Five (then six) real Agora hosts on 127.0.0.1: gossip on every topic, rejection and scoring of bad
// envelopes from a misbehaving peer, duplicates, submission rate limits, checkpoint and blob records in
// the DHT, a late joiner, and the sync protocols.
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { encode, decode, bytesMatchCid, cidOfBytes } from '../../core/encoding.ts'
import { utf8 } from '../../core/bytes.ts'
import { signEd25519, Domain } from '../../core/crypto/sign.ts'
import {
  ALL_TOPICS, Topic, signEnvelope, encodeEnvelope, encodeCheckpoint, checkpointKey, blobKey,
  type AgoraHost, type GossipEnvelope, type VerdictEvent,
} from '../../validator/infra/p2p/index.ts'
import {
  startNetwork, startHost, startRawPeer, stopAll, waitFor, sleep, seedOf, certifiedCheckpoint, forgedCheckpoint,
  equalBytes, type RawPeer,
} from './helpers.ts'

const N = 5
let hosts: AgoraHost[] = []
let late: AgoraHost | undefined
let attacker: RawPeer | undefined
const received = new Map<string, { host: number; topic: string; value: unknown }[]>() // by msgId
const verdicts: { host: number; e: VerdictEvent }[] = []
const miner = seedOf('miner-1')

function deliveredTo(pred: (v: unknown) => boolean): number[] {
  const out = new Set<number>()
  for (const list of received.values()) for (const r of list) if (pred(r.value)) out.add(r.host)
  return [...out].sort()
}

beforeAll(async () => {
  hosts = await startNetwork(N, 'net', { gossip: { submissionRate: { perSecond: 0.5, burst: 3 } } })
  hosts.forEach((h, i) => {
    h.gossip.onVerdict((e) => verdicts.push({ host: i, e }))
    for (const topic of ALL_TOPICS) {
      h.gossip.subscribe(topic, {
        // Content rule standing in for the node's checks: forum posts must not be titled "spam".
        validate: (env) => ((decode(env.payload) as { title?: string }).title === 'spam' ? 'reject' : 'accept'),
        onMessage: (env, ctx) => {
          const list = received.get(ctx.msgId) ?? []
          list.push({ host: i, topic, value: decode(env.payload) })
          received.set(ctx.msgId, list)
        },
      })
    }
  })
  await waitFor('every host sees every other subscribed to every topic', () =>
    hosts.every((h) => ALL_TOPICS.every((t) => h.gossip.subscribers(t).length >= N - 1)), 15_000)
}, 60_000)

afterAll(async () => {
  await Promise.allSettled([attacker?.stop()])
  await stopAll([...hosts, late])
})

describe('gossip', () => {
  it('delivers a message on each topic to every other subscriber', async () => {
    for (const [i, topic] of ALL_TOPICS.entries()) {
      await hosts[i % N]!.gossip.publish(topic, { test: 'fanout', topic })
    }
    for (const [i, topic] of ALL_TOPICS.entries()) {
      const expected = [0, 1, 2, 3, 4].filter((h) => h !== i % N)
      await waitFor(`delivery on ${topic}`, () => deliveredTo((v) => (v as { topic?: string }).topic === topic).length === N - 1)
      expect(deliveredTo((v) => (v as { topic?: string }).topic === topic)).toEqual(expected)
    }
  })

  it('forwards a miner-signed envelope and ignores a second one with the same (sender, seq)', async () => {
    attacker = await startRawPeer('attacker', hosts[1]!, ALL_TOPICS)
    const first = signEnvelope(miner, { topic: Topic.submissions, seq: 7, time: Date.now(), payload: encode({ sub: 'first' }) })
    const again = signEnvelope(miner, { topic: Topic.submissions, seq: 7, time: Date.now(), payload: encode({ sub: 'replayed' }) })
    await attacker.publishRaw(Topic.submissions, encodeEnvelope(first))
    // Only hosts[1] is connected to the attacker: everyone else got it because hosts[1] forwarded it.
    await waitFor('forwarded submission', () => deliveredTo((v) => (v as { sub?: string }).sub === 'first').length === N)
    await attacker.publishRaw(Topic.submissions, encodeEnvelope(again))
    await waitFor('duplicate verdict', () => verdicts.some((v) => v.e.reason === 'duplicate'))
    await sleep(300) // lint-ok: time for a forwarded replay to arrive, and it must NOT
    expect(deliveredTo((v) => (v as { sub?: string }).sub === 'replayed')).toEqual([])
    const dup = verdicts.filter((v) => v.e.reason === 'duplicate')
    expect(dup.map((v) => v.host)).toEqual([1])
    expect(dup[0]!.e.verdict).toBe('ignore')
    expect(hosts[1]!.gossip.peerScore(attacker.peerId)).toBeGreaterThanOrEqual(0)
  })

  it('rejects tampered, oversized, wrongly-signed and content-invalid messages at the first receiver and scores the sender down', async () => {
    const peer = attacker!
    const before = hosts[1]!.gossip.peerScore(peer.peerId)
    const good = signEnvelope(miner, { topic: Topic.forum, seq: 100, time: Date.now(), payload: encode({ title: 'ok' }) })
    const tampered: GossipEnvelope = { ...good, payload: encode({ title: 'tampered' }) }
    const oversized = signEnvelope(miner, { topic: Topic.forum, seq: 101, time: Date.now(), payload: encode({ body: new Uint8Array(100 * 1024) }) })
    const unsigned = { ...signEnvelope(miner, { topic: Topic.forum, seq: 102, time: Date.now(), payload: encode({ title: 'x' }) }) }
    const wrongKey: GossipEnvelope = { ...unsigned, sig: signEd25519(seedOf('someone-else'), Domain.gossipForum, { v: 1, topic: unsigned.topic, sender: unsigned.sender, seq: 102, time: unsigned.time, payload: unsigned.payload }) }
    const spam = signEnvelope(miner, { topic: Topic.forum, seq: 103, time: Date.now(), payload: encode({ title: 'spam' }) })
    const cases: [string, Uint8Array, string][] = [
      ['tampered', encodeEnvelope(tampered), 'bad-signature'],
      ['oversized', encodeEnvelope(oversized), 'oversize'],
      ['wrong key', encodeEnvelope(wrongKey), 'bad-signature'],
      ['content', encodeEnvelope(spam), 'content'],
    ]
    for (const [name, bytes, reason] of cases) {
      await peer.publishRaw(Topic.forum, bytes)
      await waitFor(`${name} verdict`, () => verdicts.some((v) => v.e.from === peer.peerId && v.e.reason === reason && v.e.verdict === 'reject'))
    }
    await sleep(500) // lint-ok: time for a forward to a second host, which must NOT happen
    const fromAttacker = verdicts.filter((v) => v.e.from === peer.peerId && v.e.verdict === 'reject')
    expect(fromAttacker.map((v) => v.e.reason).sort()).toEqual(['bad-signature', 'bad-signature', 'content', 'oversize'])
    expect(new Set(fromAttacker.map((v) => v.host))).toEqual(new Set([1]))
    // Not forwarded: no other host ever judged (or received) any of these messages.
    const badIds = new Set(fromAttacker.map((v) => v.e.msgId))
    expect(verdicts.filter((v) => v.host !== 1 && badIds.has(v.e.msgId))).toEqual([])
    expect([...badIds].filter((id) => received.has(id))).toEqual([])
    const after = hosts[1]!.gossip.peerScore(peer.peerId)
    expect(after).toBeLessThan(before)
    expect(after).toBeLessThan(0)
  })

  it('rate-limits submissions per sender', async () => {
    const flooder = seedOf('flooding-miner')
    const now = Date.now()
    for (let seq = 1; seq <= 8; seq++) {
      await hosts[0]!.gossip.publishEnvelope(signEnvelope(flooder, { topic: Topic.submissions, seq, time: now, payload: encode({ flood: seq }) }))
    }
    await waitFor('rate-limited verdicts on every receiver', () =>
      [1, 2, 3, 4].every((h) => verdicts.some((v) => v.host === h && v.e.reason === 'rate-limited')))
    for (const h of [1, 2, 3, 4]) {
      const got = deliveredTo((v) => typeof (v as { flood?: number }).flood === 'number')
      expect(got).toContain(h)
      const count = [...received.values()].flat().filter((r) => r.host === h && typeof (r.value as { flood?: number }).flood === 'number').length
      expect(count).toBeLessThanOrEqual(4) // burst 3, refill 0.5/s
    }
  })
})

describe('DHT records', () => {
  it('stores a checkpoint that every other node finds, and a newer epoch wins', async () => {
    const put1 = await hosts[0]!.dht.putCheckpoint(certifiedCheckpoint(1))
    expect(put1.peersAccepted).toBe(N - 1)
    for (const h of hosts.slice(1)) {
      expect((await h.dht.getCheckpoint(1))?.epoch).toBe(1)
      expect((await h.dht.getLatestCheckpoint())?.epoch).toBe(1)
    }
    await hosts[2]!.dht.putCheckpoint(certifiedCheckpoint(2))
    for (const h of hosts) {
      const latest = await h.dht.getLatestCheckpoint()
      expect(latest?.epoch).toBe(2)
      expect(equalBytes(latest!.header, utf8('state-root-2'))).toBe(true)
    }
  })

  it('refuses a forged checkpoint and a stale one, locally and at every peer', async () => {
    await expect(hosts[3]!.dht.putCheckpoint(forgedCheckpoint(3))).rejects.toThrow(/quorum certificate/)
    // Bypass the local check and put straight into kad-dht: peers must refuse it (they reset the stream).
    const kad = hosts[3]!.libp2p.services.dht as import('@libp2p/kad-dht').KadDHT
    for (const [key, value] of [[checkpointKey('latest'), encodeCheckpoint(forgedCheckpoint(3))], [checkpointKey('latest'), encodeCheckpoint(certifiedCheckpoint(1))]] as const) {
      let accepted = 0
      for await (const ev of kad.put(key, value, { signal: AbortSignal.timeout(10_000) })) {
        if (ev.name === 'PEER_RESPONSE' && ev.messageName === 'PUT_VALUE') accepted++
      }
      expect(accepted).toBe(0)
    }
    for (const h of [hosts[0]!, hosts[4]!]) expect((await h.dht.getLatestCheckpoint())?.epoch).toBe(2)
  })

  it('moves a 1 MiB blob by cid and refuses a blob record whose bytes do not match its cid', async () => {
    const blob = new Uint8Array(1 << 20).map((_, i) => (i * 31 + 7) & 0xff)
    const put = await hosts[3]!.dht.putBlob(blob)
    expect(put.stored).toBe('dht')
    expect(put.peersAccepted).toBeGreaterThanOrEqual(1)
    const got = await hosts[4]!.dht.getBlob(put.cid)
    expect(got && bytesMatchCid(got, put.cid)).toBe(true)
    expect(equalBytes(got!, blob)).toBe(true)
    // The bytes are also a DHT value record (getBlob above asked the provider first).
    let value: Uint8Array | undefined
    for await (const ev of (hosts[0]!.libp2p.services.dht as import('@libp2p/kad-dht').KadDHT).get(blobKey(put.cid), { signal: AbortSignal.timeout(10_000) })) {
      if (ev.name === 'VALUE') value = ev.value
    }
    expect(value && equalBytes(value, blob)).toBe(true)

    const kad = hosts[0]!.libp2p.services.dht as import('@libp2p/kad-dht').KadDHT
    let accepted = 0
    for await (const ev of kad.put(blobKey(cidOfBytes(utf8('honest'))), utf8('forged'), { signal: AbortSignal.timeout(10_000) })) {
      if (ev.name === 'PEER_RESPONSE' && ev.messageName === 'PUT_VALUE') accepted++
    }
    expect(accepted).toBe(0)
  })

  it('lets a late joiner find the others through bootstrap and get the latest checkpoint', async () => {
    late = await startHost('net-late', { bootstrap: [hosts[0]!.multiaddrs()[0]!] })
    await waitFor('late joiner connected to all', () => late!.peers().filter((p) => hosts.some((h) => h.peerId === p)).length === N, 20_000)
    expect((await late.dht.getLatestCheckpoint())?.epoch).toBe(2)
  })
})

describe('sync protocols', () => {
  it('serves blocks by height range, state chunks and large blobs', async () => {
    hosts[1]!.handleBlocks((from, to) => Array.from({ length: Math.min(to, 20) - from + 1 }, (_, i) => encode({ height: from + i })))
    const blocks = await hosts[0]!.requestBlocks(hosts[1]!.peerId, 15, 30)
    expect(blocks.map((b) => (decode(b) as { height: number }).height)).toEqual([15, 16, 17, 18, 19, 20])
    expect(await hosts[0]!.requestBlocks(hosts[2]!.peerId, 1, 2)).toEqual([]) // no source: not found
    await expect(hosts[0]!.requestBlocks(hosts[1]!.peerId, 5, 1)).rejects.toThrow()

    const state = [utf8('chunk-a'), utf8('chunk-b')]
    hosts[2]!.handleStateChunks((epoch, index) => (epoch === 2 && index < state.length ? { chunk: state[index]!, total: state.length } : undefined))
    const chunk = await hosts[3]!.requestStateChunk(hosts[2]!.peerId, 2, 1)
    expect(chunk && { total: chunk.total, text: new TextDecoder().decode(chunk.chunk) }).toEqual({ total: 2, text: 'chunk-b' })
    expect(await hosts[3]!.requestStateChunk(hosts[2]!.peerId, 9, 0)).toBeUndefined()

    const big = new Uint8Array(3 << 20).map((_, i) => (i * 13) & 0xff)
    const put = await hosts[4]!.dht.putBlob(big)
    expect(put.stored).toBe('provider')
    const got = await hosts[0]!.dht.getBlob(put.cid)
    expect(got && equalBytes(got, big)).toBe(true)
  })
})
