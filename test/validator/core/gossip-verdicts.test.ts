// The consensus and parsig gossip handlers answer through the one refusal adapter: garbage is REJECT with
// the domain's MALFORMED code, a component's refusal passes on its own verdict and code (IGNORE when we
// may be behind, REJECT when invalid), and a message nobody refuses is accepted.
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../../core/clock.ts'
import { encode } from '../../../core/encoding.ts'
import { ConsensusError, ConsensusErrorCode, type BlockConsensus } from '../../../validator/core/block-consensus.ts'
import type { Checkpointer } from '../../../validator/core/checkpointer.ts'
import { consensusHandler, parsigHandler } from '../../../validator/core/gossip-in.ts'
import { ParSigError, ParSigErrorCode, type ParSigMessage } from '../../../validator/core/parsig.ts'
import { Schedule } from '../../../validator/core/scheduler.ts'
import type { GossipEnvelope } from '../../../validator/infra/p2p/envelope.ts'

const env = (value: unknown) => ({ sender: new Uint8Array(32).fill(7), payload: encode(value) }) as unknown as GossipEnvelope
const base = { self: 'me', schedule: new Schedule(0, 1000, 4), clock: new ManualClock(0), guard: { observe: () => {} } as never }
const parsigMsg: ParSigMessage = { kind: 'checkpoint', epoch: 1, valueHash: 'ab'.repeat(32), signature: '0x00' }

describe('gossip verdicts', () => {
  it('consensus: MALFORMED for garbage; the component refusal as is; accept otherwise', async () => {
    let refusal: ConsensusError | undefined
    const h = consensusHandler({ ...base, consensus: { check: () => refusal } as unknown as BlockConsensus })
    expect(await h.validate!(env({ not: 'bytes' }), { from: 'p', msgId: 'x' })).toEqual({ verdict: 'reject', code: ConsensusErrorCode.MALFORMED })
    for (const verdict of ['ignore', 'reject'] as const) {
      refusal = new ConsensusError(ConsensusErrorCode.NOT_A_VALIDATOR, 'who?', verdict)
      expect(await h.validate!(env(new Uint8Array([1])), { from: 'p', msgId: 'x' })).toEqual({ verdict, code: ConsensusErrorCode.NOT_A_VALIDATOR })
    }
    refusal = undefined
    expect(await h.validate!(env(new Uint8Array([1])), { from: 'p', msgId: 'x' })).toBe('accept')
  })

  it('parsig: MALFORMED for a message off the schema; the ParSigDB refusal as is; accept otherwise', async () => {
    let refusal: ParSigError | undefined
    const h = parsigHandler({ ...base, checkpointer: { parsig: { check: () => refusal } } as unknown as Checkpointer })
    expect(await h.validate!(env({ ...parsigMsg, kind: 'other' }), { from: 'p', msgId: 'x' })).toEqual({ verdict: 'reject', code: ParSigErrorCode.MALFORMED })
    refusal = new ParSigError(ParSigErrorCode.EPOCH_AHEAD, 'ahead', 'ignore')
    expect(await h.validate!(env(parsigMsg), { from: 'p', msgId: 'x' })).toEqual({ verdict: 'ignore', code: ParSigErrorCode.EPOCH_AHEAD })
    refusal = new ParSigError(ParSigErrorCode.BAD_SIGNATURE, 'bad', 'reject')
    expect(await h.validate!(env(parsigMsg), { from: 'p', msgId: 'x' })).toEqual({ verdict: 'reject', code: ParSigErrorCode.BAD_SIGNATURE })
    refusal = undefined
    expect(await h.validate!(env(parsigMsg), { from: 'p', msgId: 'x' })).toBe('accept')
  })
})
