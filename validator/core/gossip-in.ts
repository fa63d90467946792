// Gossip handlers for the consensus and parsig topics: each message is checked (signature and signer,
// before anything is buffered) and answered with a verdict and code; our own key on another peer's
// message is shown to the signing guard.
import type { Clock } from '../../core/clock.ts'
import { decode } from '../../core/encoding.ts'
import { memberIdOf } from '../../ledger/txs.ts'
import type { GossipEnvelope } from '../infra/p2p/envelope.ts'
import type { TopicHandler } from '../infra/p2p/gossip.ts'
import { ConsensusErrorCode, type BlockConsensus } from './block-consensus.ts'
import type { Checkpointer } from './checkpointer.ts'
import { ParSigErrorCode, ParSigMessageSchema } from './parsig.ts'
import { toVerdict } from './refusal.ts'
import type { Schedule } from './scheduler.ts'
import type { SigningGuard } from './signing-guard.ts'

interface Modules { readonly self: string; readonly schedule: Schedule; readonly clock: Clock; readonly guard: SigningGuard }

export function consensusHandler(m: Modules & { readonly consensus: BlockConsensus }): TopicHandler {
  return {
    validate: (env: GossipEnvelope) => {
      const bytes = decode<unknown>(env.payload)
      if (!(bytes instanceof Uint8Array)) return { verdict: 'reject', code: ConsensusErrorCode.MALFORMED }
      const e = m.consensus.check(bytes) // signature and signer checked before anything is buffered
      if (!e && memberIdOf(env.sender) === m.self) m.guard.observe(m.self, m.schedule.slotAt(m.clock.now()))
      return toVerdict(e)
    },
    onMessage: (env, ctx) => { m.consensus.receive(decode<Uint8Array>(env.payload), ctx.from) },
  }
}

export function parsigHandler(m: Modules & { readonly checkpointer: Checkpointer }): TopicHandler {
  return {
    validate: (env: GossipEnvelope) => {
      const msg = ParSigMessageSchema.safeParse(decode(env.payload))
      if (!msg.success) return { verdict: 'reject', code: ParSigErrorCode.MALFORMED }
      const e = m.checkpointer.parsig.check(memberIdOf(env.sender), msg.data)
      if (memberIdOf(env.sender) === m.self && e?.verdict !== 'reject') m.guard.observe(m.self, m.schedule.slotAt(m.clock.now()))
      return toVerdict(e)
    },
    onMessage: (env) => { m.checkpointer.received(memberIdOf(env.sender), ParSigMessageSchema.parse(decode(env.payload))) },
  }
}
