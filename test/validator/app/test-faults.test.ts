// The test-only fault switch: refused without AGORA_TEST_FAULTS=1, and the equivocating network publishes,
// after a real PREPARE/COMMIT at one height, a second signed vote that the ledger accepts as evidence.
import { describe, expect, it } from 'vitest'
import { deriveKeysFromSeed } from '../../../core/crypto/keys.ts'
import { memberIdOf } from '../../../ledger/txs.ts'
import { checkEvidence, evidenceTxBody } from '../../../ledger/evidence.ts'
import { decodeConsensusMessage, encodeConsensusMessage } from '../../../validator/consensus/codec.ts'
import { ed25519VoteSigner, valueVote } from '../../../validator/consensus/signing.ts'
import { MsgType, type VoteType } from '../../../validator/consensus/types.ts'
import { makeEvidence } from '../../../validator/consensus/evidence.ts'
import { Topic } from '../../../validator/infra/p2p/constants.ts'
import { silentLogger } from '../../../validator/infra/log.ts'
import type { Network } from '../../../validator/core/interfaces.ts'
import { EQUIVOCATE_FROM_HEIGHT, checkTestFaults, equivocatingNetwork } from '../../../validator/app/test-faults.ts'

const keys = deriveKeysFromSeed(new Uint8Array(32).fill(7))
const self = memberIdOf(keys.ed25519PublicKey)

function recordingNetwork(): { net: Network; sent: { topic: string; value: unknown }[] } {
  const sent: { topic: string; value: unknown }[] = []
  const net = {
    gossip: { subscribe: () => {}, publish: async (topic: string, value: unknown) => { sent.push({ topic, value }); return {} } },
  } as unknown as Network
  return { net, sent }
}

const voteBytes = (height: number, type: VoteType, hashByte: number) => {
  const vote = valueVote('block', height, 0, type, new Uint8Array(32).fill(hashByte))
  return encodeConsensusMessage({ kind: 'vote', signed: { vote, signer: self, signature: ed25519VoteSigner(self, keys.ed25519Seed).sign(vote) }, justification: [] })
}

describe('test faults', () => {
  it('are refused unless AGORA_TEST_FAULTS=1, and nothing enabled needs nothing', () => {
    expect(() => checkTestFaults({ equivocate: true }, {})).toThrow(expect.objectContaining({ code: 'TEST_FAULTS_DISABLED' }))
    expect(() => checkTestFaults({ dishonest: true }, { AGORA_TEST_FAULTS: 'yes' })).toThrow(expect.objectContaining({ code: 'TEST_FAULTS_DISABLED' }))
    expect(checkTestFaults({ dishonest: true, equivocate: true }, { AGORA_TEST_FAULTS: '1' })).toEqual(['dishonest', 'equivocate'])
    expect(checkTestFaults({ dishonest: false }, {})).toEqual([])
  })

  it('double-signs the PREPARE and COMMIT of one height only, and the ledger takes the pair as one offence', async () => {
    const { net, sent } = recordingNetwork()
    const eq = equivocatingNetwork(net, { selfId: self, ed25519Seed: keys.ed25519Seed, log: silentLogger })
    const h = EQUIVOCATE_FROM_HEIGHT
    const published = [voteBytes(h - 1, MsgType.PREPARE, 1), voteBytes(h, MsgType.PREPARE, 2), voteBytes(h, MsgType.COMMIT, 2), voteBytes(h + 1, MsgType.PREPARE, 3)]
    for (const b of published) await eq.gossip.publish(Topic.consensus, b)
    await eq.gossip.publish(Topic.forum, voteBytes(h, MsgType.PREPARE, 4)) // another topic: untouched
    expect(sent).toHaveLength(published.length + 2 + 1)
    const decoded = sent.filter((s) => s.topic === Topic.consensus).map((s) => decodeConsensusMessage(s.value as Uint8Array, (v) => v))
    const votes = decoded.map((m) => (m.kind === 'vote' ? m.signed : undefined)!)
    // Real prepare at h, its twin, real commit at h, its twin.
    expect(votes.map((v) => [v.vote.height, v.vote.type])).toEqual([[h - 1, 2], [h, 2], [h, 2], [h, 3], [h, 3], [h + 1, 2]])
    const evidence = makeEvidence(votes[1]!, votes[2]!)
    const tx = { ...evidenceTxBody(evidence, keys.ed25519PublicKey), sender: 'someone', nonce: 1 }
    const forum = { availability: new Map([[self, { amount: 100n }]]), slashed: new Map() } as never
    expect(checkEvidence(forum, tx, h + 1, () => undefined).offender).toBe(self)
    const commits = makeEvidence(votes[3]!, votes[4]!)
    const second = checkEvidence(forum, { ...evidenceTxBody(commits, keys.ed25519PublicKey), sender: 'x', nonce: 2 }, h + 1, () => undefined)
    expect(second.key).toBe(checkEvidence(forum, tx, h + 1, () => undefined).key)
  })
})
