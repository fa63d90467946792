// Byzantine behaviours for the simulator. A byzantine validator runs the real engine (with no slashing
// protection) and its outgoing messages pass through here: silence, equivocation (a different value to
// half the network), replays of old messages; the `invalid` strategy proposes values that fail validation.
import { MsgType, type ConsensusMessage, type VoteMessage, type VoteSigner } from '../../validator/consensus/index.ts'
import type { Strategy } from './faults.ts'
import type { Rng } from './prng.ts'

export interface SimValue {
  readonly height: number
  readonly proposer: string
  readonly nonce: number
  readonly valid: boolean
}

export interface Outgoing { readonly to: string; readonly message: ConsensusMessage<SimValue> }

export interface Adversary {
  readonly strategy: Strategy
  /** Messages this validator has received (material for replays). */
  remember(message: ConsensusMessage<SimValue>): void
  outgoing(message: ConsensusMessage<SimValue>, recipients: readonly string[]): Outgoing[]
}

export function createAdversary(strategy: Strategy, signer: VoteSigner, rng: Rng, hashValue: (v: SimValue) => Uint8Array): Adversary {
  const seen: ConsensusMessage<SimValue>[] = []
  const equivocates = strategy === 'equivocate' || strategy === 'mixed'
  const replays = strategy === 'replay' || strategy === 'mixed'

  function conflicting(m: VoteMessage<SimValue>): VoteMessage<SimValue> | undefined {
    const v = m.signed.vote
    if (v.type === MsgType.ROUND_CHANGE) return undefined
    let value: SimValue | undefined
    let valueHash: Uint8Array
    if (v.type === MsgType.PRE_PREPARE) {
      value = { height: v.height, proposer: signer.id, nonce: rng.int(1 << 30), valid: true }
      valueHash = hashValue(value)
    } else {
      valueHash = new Uint8Array(32).map(() => rng.int(256))
    }
    const vote = { ...v, valueHash }
    return { kind: 'vote', signed: { vote, signer: signer.id, signature: signer.sign(vote) }, ...(value ? { value } : {}), justification: m.justification }
  }

  return {
    strategy,
    remember(message) {
      if (replays && seen.length < 2000) seen.push(message)
    },
    outgoing(message, recipients) {
      if (strategy === 'silent') return []
      let out: Outgoing[] = recipients.map((to) => ({ to, message }))
      if (equivocates && message.kind === 'vote') {
        const alt = conflicting(message)
        if (alt) out = recipients.map((to, i) => ({ to, message: i % 2 === 0 ? message : alt }))
      }
      if (replays && seen.length > 0) {
        for (let k = rng.range(1, 2); k > 0; k--) out.push({ to: rng.pick(recipients), message: rng.pick(seen) })
      }
      return out
    },
  }
}
