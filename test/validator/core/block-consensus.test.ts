// Block consensus at the door: every hostile message (garbage, forged, unknown signer, far-future,
// oversized block, a flood for one height) is refused with its code and verdict before it is buffered or
// makes the node sync; a proposal that cannot be published is logged with its size and the height moves on;
// a slot that begins while the last block is still being imported starts the next height once it is in.
import { describe, expect, it } from 'vitest'
import { utf8 } from '../../../core/bytes.ts'
import { ManualClock } from '../../../core/clock.ts'
import { ed25519PublicKey } from '../../../core/crypto/sign.ts'
import { hashValue } from '../../../core/encoding.ts'
import { sha256 } from '../../../core/hash.ts'
import {
  createValidatorSet, decodeConsensusMessage, ed25519VoteSigner, encodeConsensusMessage, memorySignerStore, MsgType, valueVote, type ConsensusMessage, type ValidatorSet,
} from '../../../validator/consensus/index.ts'
import { checkProposalSize, ConsensusErrorCode, createBlockConsensus, type BlockConsensusModules } from '../../../validator/core/block-consensus.ts'
import { CONSENSUS_BUFFER_HEIGHTS, CONSENSUS_BUFFER_PER_SIGNER, MAX_PROPOSAL_BYTES } from '../../../validator/core/limits.ts'
import { silentLogger } from '../../../validator/infra/log.ts'
import type { Block } from '../../../ledger/block.ts'

const keys = [0, 1, 2, 3, 9].map((i) => { const seed = sha256(utf8(`block-consensus/${i}`)); return { id: `v${i}`, seed, publicKey: ed25519PublicKey(seed) } })
const ZERO = '0'.repeat(64)
const block = (height: number, txs: Block['txs'] = []): Block => ({ height, slot: height, prevHash: ZERO, prevStateRoot: ZERO, proposer: 'v0', txs })

function vote(signerIdx: number, height: number, opts: { round?: number; type?: number; value?: Block; forge?: boolean } = {}): Uint8Array {
  const k = keys[signerIdx]!
  const value = opts.value
  const v = valueVote('block', height, opts.round ?? 0, (opts.type ?? MsgType.PREPARE) as 2, hashValue(value ?? block(height)))
  const signature = ed25519VoteSigner(k.id, opts.forge ? keys[4]!.seed : k.seed).sign(v)
  const msg: ConsensusMessage<Block> = { kind: 'vote', signed: { vote: v, signer: k.id, signature }, ...(value ? { value } : {}), justification: [] }
  return encodeConsensusMessage(msg)
}

function harness(set: ValidatorSet, over: Partial<BlockConsensusModules> = {}) {
  const behind: number[] = []
  const errors: { fields: Record<string, unknown>; msg: string }[] = []
  const decided: Block[] = []
  let height = 1
  const log = { ...silentLogger, error: (fields: Record<string, unknown>, msg: string) => { errors.push({ fields, msg }) }, child: () => log } as never
  const bc = createBlockConsensus({
    clock: new ManualClock(1_000), log, store: memorySignerStore<Block>(), selfId: 'v0', ed25519Seed: keys[0]!.seed,
    publish: async () => {}, nextHeight: () => height, canVote: () => true, validatorSet: () => set, slotMs: () => 1_000,
    buildProposal: (h) => block(h), validateBlock: async () => true,
    onDecided: async (b) => { decided.push(b); height = b.height + 1 },
    onBehind: (_peer, h) => { behind.push(h) }, onEvidence: () => {}, ...over,
  })
  return { bc, behind, errors, decided }
}

const four = createValidatorSet(keys.slice(0, 4).map((k) => ({ id: k.id, publicKey: k.publicKey, power: 1n })))
const verdictOf = (e: { code: string; verdict: string } | undefined) => (e ? [e.code, e.verdict] : undefined)

describe('block consensus refuses hostile messages before buffering or syncing', () => {
  it('garbage, a forged vote, an unknown signer far ahead, a vote of another instance', () => {
    const { bc, behind } = harness(four)
    expect(verdictOf(bc.receive(new Uint8Array([0xa1, 0x61, 0x78, 0x01]), 'peer'))).toEqual([ConsensusErrorCode.MALFORMED, 'reject'])
    expect(verdictOf(bc.receive(vote(1, 1, { forge: true }), 'peer'))).toEqual([ConsensusErrorCode.BAD_SIGNATURE, 'reject'])
    expect(verdictOf(bc.receive(vote(4, 1_000_000), 'peer'))).toEqual([ConsensusErrorCode.NOT_A_VALIDATOR, 'ignore'])
    expect(verdictOf(bc.receive(vote(4, 1), 'peer'))).toEqual([ConsensusErrorCode.NOT_A_VALIDATOR, 'reject'])
    expect(behind).toEqual([]) // nothing unverified ever triggers a sync
  })

  it('a verified far-future vote triggers sync but is not buffered', () => {
    const { bc, behind } = harness(four)
    const far = 2 + CONSENSUS_BUFFER_HEIGHTS
    expect(verdictOf(bc.receive(vote(2, far), 'peer'))).toEqual([ConsensusErrorCode.AHEAD, 'ignore'])
    expect(behind).toEqual([far])
  })

  it('one signer fills at most its share of the buffer for a height', () => {
    const { bc } = harness(four)
    const results = Array.from({ length: CONSENSUS_BUFFER_PER_SIGNER + 3 }, (_, r) => bc.receive(vote(3, 2, { round: r }), 'peer'))
    expect(results.slice(0, CONSENSUS_BUFFER_PER_SIGNER).every((r) => r === undefined)).toBe(true)
    expect(results.slice(CONSENSUS_BUFFER_PER_SIGNER).map(verdictOf)).toEqual(Array(3).fill([ConsensusErrorCode.BUFFER_FULL, 'ignore']))
    expect(bc.receive(vote(2, 2), 'peer')).toBeUndefined() // another signer still has room
  })

  it('a block over MAX_PROPOSAL_BYTES is refused, in a message and as a proposal', () => {
    const fat = block(1, [{ body: new Uint8Array(MAX_PROPOSAL_BYTES), publicKey: new Uint8Array(32), signature: new Uint8Array(64) }])
    const { bc } = harness(four)
    expect(verdictOf(bc.check(vote(1, 1, { type: MsgType.PRE_PREPARE, value: fat })))).toEqual([ConsensusErrorCode.BLOCK_TOO_LARGE, 'reject'])
    expect(() => checkProposalSize(fat)).toThrow(expect.objectContaining({ code: ConsensusErrorCode.BLOCK_TOO_LARGE }))
  })
})

describe('publishing failures', () => {
  it('a proposal that cannot be published is logged with its size, and the height is still decided', async () => {
    const solo = createValidatorSet([{ id: 'v0', publicKey: keys[0]!.publicKey, power: 1n }])
    const { bc, errors, decided } = harness(solo, { publish: async () => { throw new Error('GOSSIP_OVERSIZE') } })
    bc.onSlot(1)
    const deadline = Date.now() + 10_000
    while (decided.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5))
    bc.stop()
    expect(decided.map((b) => b.height)).toEqual([1])
    const logged = errors.find((e) => e.msg === 'consensus message not published')
    expect(typeof logged?.fields.bytes === 'number' && logged.fields.bytes > 0).toBe(true)
  })

  it('a proposer that builds too large a block proposes an empty one and logs it', async () => {
    const solo = createValidatorSet([{ id: 'v0', publicKey: keys[0]!.publicKey, power: 1n }])
    const fatTxs = [{ body: new Uint8Array(MAX_PROPOSAL_BYTES), publicKey: new Uint8Array(32), signature: new Uint8Array(64) }]
    const { bc, errors, decided } = harness(solo, { buildProposal: (h) => block(h, fatTxs) })
    bc.onSlot(1)
    const deadline = Date.now() + 10_000
    while (decided.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5))
    bc.stop()
    expect(decided.map((b) => b.txs.length)).toEqual([0])
    expect(errors.some((e) => e.msg.startsWith('proposal too large'))).toBe(true)
  })
})

const until = async (what: () => boolean, ms = 10_000) => {
  const deadline = Date.now() + ms
  while (!what() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5))
}

describe('a slot that begins while the last block is being imported', () => {
  // Height 1 is decided by the other three in slot 1, but our import of it is still running when slot 2
  // begins. We lead height 2: the others started it at the tick and their round-0 timers run from there.
  // Before, our proposal waited for the tick of slot 3, after their timers had fired (a round change).
  const leader2 = four.leader(2, 0)
  const selfIdx = keys.findIndex((k) => k.id === leader2)
  const others = [0, 1, 2, 3].filter((i) => i !== selfIdx)

  function importing() {
    let height = 1
    let finish!: () => void
    const sent: ConsensusMessage<Block>[] = []
    const { bc, decided } = harness(four, {
      selfId: leader2, ed25519Seed: keys[selfIdx]!.seed,
      publish: async (bytes) => { sent.push(decodeConsensusMessage(bytes, (v) => v as Block)) },
      nextHeight: () => height,
      onDecided: (b) => new Promise<void>((resolve) => { finish = () => { height = b.height + 1; resolve() } }),
    })
    const proposals = (h: number) => sent.filter((x) => x.kind === 'vote' && x.signed.vote.height === h && x.signed.vote.type === MsgType.PRE_PREPARE)
    async function decideHeight1(): Promise<void> {
      bc.onSlot(1)
      const leader1 = keys.findIndex((k) => k.id === four.leader(1, 0))
      if (leader1 !== selfIdx) bc.receive(vote(leader1, 1, { type: MsgType.PRE_PREPARE, value: block(1) }), 'peer')
      for (const i of others.slice(0, 2)) bc.receive(vote(i, 1, { type: MsgType.PREPARE }), 'peer')
      for (const i of others.slice(0, 2)) bc.receive(vote(i, 1, { type: MsgType.COMMIT }), 'peer')
      await until(() => finish !== undefined) // decided; the import has begun
    }
    return { bc, decided, proposals, decideHeight1, finish: () => finish() }
  }

  it('the next height starts, and we propose, as soon as the block is in', async () => {
    const n = importing()
    await n.decideHeight1()
    n.bc.onSlot(2) // the import of height 1 is still running
    expect(n.bc.running).toBe(1)
    n.finish()
    await until(() => n.proposals(2).length > 0)
    n.bc.stop()
    expect(n.bc.running).toBe(2) // was 1 until the tick of slot 3
    expect(n.proposals(2).map((x) => x.kind === 'vote' && x.signed.vote.round)).toEqual([0])
  })

  it('a block in before the next slot begins waits for that slot (one height per slot)', async () => {
    const n = importing()
    await n.decideHeight1()
    n.finish()
    await until(() => n.bc.running === 2, 300) // must not happen before the tick
    expect(n.bc.running).toBe(1)
    n.bc.onSlot(2)
    await until(() => n.proposals(2).length > 0)
    n.bc.stop()
    expect(n.bc.running).toBe(2)
  })

  it('after a sync, the next height starts at once when verified messages for it are buffered', async () => {
    let height = 1
    const { bc } = harness(four, { nextHeight: () => height })
    expect(bc.receive(vote(1, 3), 'peer')).toBeUndefined() // buffered: we are at 1
    height = 3 // the syncer imported 1 and 2
    bc.resync()
    await until(() => bc.running === 3)
    bc.stop()
    expect(bc.running).toBe(3) // was undefined until the next tick
  })
})
