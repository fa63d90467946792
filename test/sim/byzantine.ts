// Byzantine behaviours for the simulator. A byzantine validator runs the real engine (with no slashing
// protection) and its outgoing messages pass through here: silence, equivocation (a different value to
// half the network), replays of old messages; the `invalid` strategy proposes values that fail validation.
import { toHex } from '../../core/bytes.ts'
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

/**
 * What the byzantine validators share: per (height, round) one alternative value, so that they all push
 * the same second value to the same half of the network (the strongest split an adversary can make).
 */
export interface Coalition {
  readonly alternatives: Map<string, { readonly original: string; readonly value: SimValue; readonly hash: Uint8Array }>
  /** Recipients that get the alternative; the same half for every byzantine sender. */
  readonly misled: (recipient: string) => boolean
}

export function createCoalition(misled: (recipient: string) => boolean): Coalition {
  return { alternatives: new Map(), misled }
}

export function createAdversary(strategy: Strategy, signer: VoteSigner, rng: Rng, hashValue: (v: SimValue) => Uint8Array, coalition: Coalition): Adversary {
  const seen: ConsensusMessage<SimValue>[] = []
  const equivocates = strategy === 'equivocate' || strategy === 'mixed'
  const replays = strategy === 'replay' || strategy === 'mixed'

  function conflicting(m: VoteMessage<SimValue>): VoteMessage<SimValue> | undefined {
    const v = m.signed.vote
    if (v.type === MsgType.ROUND_CHANGE) return undefined
    const slot = `${v.height}/${v.round}`
    const original = toHex(v.valueHash)
    let alt = coalition.alternatives.get(slot)
    if (!alt && v.type === MsgType.PRE_PREPARE) {
      const value = { height: v.height, proposer: signer.id, nonce: rng.int(1 << 30), valid: true }
      alt = { original, value, hash: hashValue(value) }
      coalition.alternatives.set(slot, alt)
    }
    let value: SimValue | undefined
    let valueHash: Uint8Array
    if (alt && alt.original === original) {
      valueHash = alt.hash // vote for the coalition's second value
      if (v.type === MsgType.PRE_PREPARE) value = alt.value
    } else if (alt && toHex(alt.hash) === original) {
      return undefined // already voting for the alternative: keep it consistent
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
        if (alt) out = recipients.map((to) => ({ to, message: coalition.misled(to) ? alt : message }))
      }
      if (replays && seen.length > 0) {
        for (let k = rng.range(1, 2); k > 0; k--) out.push({ to: rng.pick(recipients), message: rng.pick(seen) })
      }
      return out
    },
  }
}
