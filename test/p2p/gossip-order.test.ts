// Gossip validation order under spam: a subscriber's cheap precheck answers before the envelope signature
// is verified (a refused spam message costs no verification), a forged copy cannot shadow the real
// message, and transaction topics wait for turns (bounded: Ignore `busy`) while consensus goes at once.
import { describe, expect, it } from 'vitest'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import { ManualClock } from '../../core/clock.ts'
import { encode } from '../../core/encoding.ts'
import { Topic, type TopicName } from '../../validator/infra/p2p/constants.ts'
import { encodeEnvelope, signEnvelope } from '../../validator/infra/p2p/envelope.ts'
import { createAgoraGossip, gossipMessageId, type GossipsubService, type VerdictEvent } from '../../validator/infra/p2p/gossip.ts'
import { sha256 } from '../../core/hash.ts'
import { toHex } from '../../core/bytes.ts'
import { seedOf } from './helpers.ts'

type Validator = (peer: { toString(): string }, msg: { topic: string; data: Uint8Array }) => Promise<TopicValidatorResult>

function rig(validationQueueMax?: number) {
  const clock = new ManualClock(1_700_000_000_000)
  const topicValidators = new Map<string, Validator>()
  const pubsub = { topicValidators, addEventListener: () => {}, subscribe: () => {}, unsubscribe: () => {} } as unknown as GossipsubService
  const gossip = createAgoraGossip({ seed: seedOf('gossip-order-self'), clock, validationQueueMax }, { pubsub })
  const verdicts: VerdictEvent[] = []
  gossip.onVerdict((e) => verdicts.push(e))
  // The verdict of this delivery is the last one seen when deliveries are awaited one at a time.
  const deliver = (topic: TopicName, data: Uint8Array) => topicValidators.get(topic)!({ toString: () => 'peer' }, { topic, data }).then(() => verdicts.at(-1)!)
  return { gossip, deliver, verdicts }
}

let seq = 1
const signed = (topic: TopicName, payload: unknown, s = seq++) => signEnvelope(seedOf('author'), { topic, seq: s, time: 1_700_000_000_000, payload: encode(payload) })
const forge = (e: ReturnType<typeof signed>) => encodeEnvelope({ ...e, sig: new Uint8Array(64).fill(9) })

describe('gossip validation order', () => {
  it('a precheck refusal comes before the envelope signature; past the precheck a bad signature is Reject', async () => {
    const { gossip, deliver } = rig()
    gossip.subscribe(Topic.forum, { precheck: (env) => (env.payload[0] === encode(1)[0] ? { verdict: 'ignore', code: 'TX_FEE_UNPAID' } : undefined), onMessage: () => {} })
    const refused = await deliver(Topic.forum, forge(signed(Topic.forum, 1)))
    expect([refused.verdict, refused.reason]).toEqual(['ignore', 'TX_FEE_UNPAID'])
    const passed = await deliver(Topic.forum, forge(signed(Topic.forum, 2)))
    expect([passed.verdict, passed.reason]).toEqual(['reject', 'bad-signature'])
  })

  it('the message id is SHA-256 of the envelope bytes (docs/PROTOCOL.md §3.2), natively hashed', async () => {
    const { gossip, deliver } = rig()
    gossip.subscribe(Topic.forum, { onMessage: () => {} })
    const data = encodeEnvelope(signed(Topic.forum, { post: 'id' }))
    expect(toHex(gossipMessageId(data))).toBe(toHex(sha256(data)))
    expect((await deliver(Topic.forum, data)).msgId).toBe(toHex(sha256(data)))
  })

  it('a forged copy of (sender, seq) does not make the real message a duplicate', async () => {
    const { gossip, deliver } = rig()
    gossip.subscribe(Topic.forum, { onMessage: () => {} })
    const real = signed(Topic.forum, { post: 'x' })
    expect((await deliver(Topic.forum, forge(real))).reason).toBe('bad-signature')
    expect((await deliver(Topic.forum, encodeEnvelope(real))).verdict).toBe('accept')
    expect((await deliver(Topic.forum, encodeEnvelope(real))).reason).toBe('duplicate')
  })

  it('consensus is validated before queued forum messages; past the queue bound a forum message is Ignore busy', async () => {
    const { gossip, deliver, verdicts } = rig(3)
    const order: string[] = []
    gossip.subscribe(Topic.forum, { validate: () => { order.push('forum'); return 'accept' }, onMessage: () => {} })
    gossip.subscribe(Topic.consensus, { validate: () => { order.push('consensus'); return 'accept' }, onMessage: () => {} })
    const forum = Array.from({ length: 5 }, (_, i) => deliver(Topic.forum, encodeEnvelope(signed(Topic.forum, { i }))))
    const vote = deliver(Topic.consensus, encodeEnvelope(signed(Topic.consensus, new Uint8Array(4))))
    await Promise.all([...forum, vote])
    expect(order).toEqual(['consensus', 'forum', 'forum', 'forum'])
    const forumVerdicts = verdicts.filter((v) => v.topic === Topic.forum).map((v) => v.reason)
    expect(forumVerdicts.sort()).toEqual(['busy', 'busy', 'ok', 'ok', 'ok'])
  })
})
