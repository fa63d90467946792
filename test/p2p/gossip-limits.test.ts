// Gossip at the door, without a network: oversized messages on every topic are Rejected before decoding,
// a forwarding peer over its rate is Ignored before any signature check, the signer limit is charged to
// the tx's own key (not the relaying node's envelope key), and a content check's code is the reason.
import { describe, expect, it } from 'vitest'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import { ManualClock } from '../../core/clock.ts'
import { encode } from '../../core/encoding.ts'
import { ALL_TOPICS, DEFAULT_TOPIC_SIZE_CAP, Topic, type TopicName } from '../../validator/infra/p2p/constants.ts'
import { encodeEnvelope, signEnvelope } from '../../validator/infra/p2p/envelope.ts'
import { createAgoraGossip, type GossipsubService, type VerdictEvent } from '../../validator/infra/p2p/gossip.ts'
import { seedOf } from './helpers.ts'

type Validator = (peer: { toString(): string }, msg: { topic: string; data: Uint8Array }) => Promise<TopicValidatorResult>

function gossipUnderTest(opts: Parameters<typeof createAgoraGossip>[0] extends infer O ? Partial<O> : never = {}) {
  const clock = new ManualClock(1_700_000_000_000)
  const topicValidators = new Map<string, Validator>()
  const pubsub = { topicValidators, addEventListener: () => {}, subscribe: () => {}, unsubscribe: () => {} } as unknown as GossipsubService
  const gossip = createAgoraGossip({ seed: seedOf('gossip-limits-self'), clock, ...opts }, { pubsub })
  const verdicts: VerdictEvent[] = []
  gossip.onVerdict((e) => verdicts.push(e))
  const deliver = async (topic: TopicName, data: Uint8Array, from = 'peer-a') => {
    await topicValidators.get(topic)!({ toString: () => from }, { topic, data })
    return verdicts.at(-1)!
  }
  return { gossip, clock, deliver, verdicts }
}

let seq = 1
const envelopeBytes = (topic: TopicName, payload: unknown, author = 'relay', time = 1_700_000_000_000) =>
  encodeEnvelope(signEnvelope(seedOf(author), { topic, seq: seq++, time, payload: encode(payload) }))

describe('gossip limits', () => {
  it('rejects an oversized message on every topic (oversize), whatever its content', async () => {
    const { gossip, deliver } = gossipUnderTest()
    for (const t of ALL_TOPICS) gossip.subscribe(t, { onMessage: () => {} })
    for (const t of ALL_TOPICS) {
      const v = await deliver(t, new Uint8Array(DEFAULT_TOPIC_SIZE_CAP[t] + 1))
      expect([t, v.verdict, v.reason]).toEqual([t, 'reject', 'oversize'])
    }
  })

  it('ignores a forwarding peer over its rate before any check, and only on that topic', async () => {
    const { gossip, deliver } = gossipUnderTest({ peerRates: { [Topic.forum]: { perSecond: 0.001, burst: 2 } } })
    gossip.subscribe(Topic.forum, { onMessage: () => {} })
    gossip.subscribe(Topic.parsig, { onMessage: () => {} })
    const garbage = new Uint8Array([1, 2, 3])
    const reasons = []
    for (let i = 0; i < 4; i++) reasons.push((await deliver(Topic.forum, garbage, 'noisy')).reason)
    expect(reasons).toEqual(['malformed', 'malformed', 'peer-rate-limited', 'peer-rate-limited'])
    expect((await deliver(Topic.forum, garbage, 'quiet')).reason).toBe('malformed')
    expect((await deliver(Topic.parsig, garbage, 'noisy')).reason).toBe('malformed')
  })

  it('charges the signer limit to the tx signer: one client cannot use up a relay, a relay of many is not one sender', async () => {
    const { gossip, deliver } = gossipUnderTest({ signerRates: { [Topic.forum]: { perSecond: 0.001, burst: 2 } } })
    gossip.subscribe(Topic.forum, { onMessage: () => {} })
    const txBy = (client: string) => ({ tx: { body: new Uint8Array([0xa0]), publicKey: seedOf(client), signature: new Uint8Array(64) } })
    const seen = []
    for (let i = 0; i < 3; i++) seen.push((await deliver(Topic.forum, envelopeBytes(Topic.forum, txBy('client-1')))).verdict)
    expect(seen).toEqual(['accept', 'accept', 'ignore'])
    // The same relay (envelope author) still forwards other clients' txs.
    for (let c = 2; c < 6; c++) expect((await deliver(Topic.forum, envelopeBytes(Topic.forum, txBy(`client-${c}`)))).verdict).toBe('accept')
  })

  it("reports the content check's own code as the reason", async () => {
    const { gossip, deliver } = gossipUnderTest()
    gossip.subscribe(Topic.consensus, { validate: () => ({ verdict: 'reject', code: 'CONSENSUS_BAD_SIGNATURE' }), onMessage: () => {} })
    const v = await deliver(Topic.consensus, envelopeBytes(Topic.consensus, new Uint8Array(4)))
    expect([v.verdict, v.reason]).toEqual(['reject', 'CONSENSUS_BAD_SIGNATURE'])
  })
})
