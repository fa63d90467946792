// Shared fixtures for the consensus unit tests: validators with real ed25519 keys and signed messages.
import { utf8 } from '../../core/bytes.ts'
import { ed25519PublicKey } from '../../core/crypto/sign.ts'
import { hashValue } from '../../core/encoding.ts'
import { sha256 } from '../../core/hash.ts'
import {
  createCore, createValidatorSet, ed25519VoteSigner, MsgType, roundChangeVote, valueVote, verifyVoteEd25519,
  type ConsensusMessage, type Core, type Effect, type SignedVote, type ValidatorSet, type Vote, type VoteMessage, type VoteSigner,
} from '../../validator/consensus/index.ts'

export const INSTANCE = 'block'
export const H = 7

export interface Fixture {
  set: ValidatorSet
  ids: string[] // stake-sorted
  signers: Map<string, VoteSigner>
  sign(id: string, vote: Vote): SignedVote
  msg(id: string, vote: Vote, value?: string, justification?: SignedVote[]): VoteMessage<string>
  prepare(id: string, round: number, value: string): SignedVote
  commit(id: string, round: number, value: string): SignedVote
  roundChange(id: string, round: number, prepared?: { round: number; value: string }): SignedVote
  core(self: string, opts?: { height?: number }): Core<string>
}

export const h = (v: string): Uint8Array => hashValue(v)

export function fixture(powers: bigint[]): Fixture {
  const members = powers.map((power, i) => {
    const seed = sha256(utf8(`consensus-unit/${i}`))
    return { id: `v${i}`, seed, publicKey: ed25519PublicKey(seed), power }
  })
  const set = createValidatorSet(members)
  const signers = new Map(members.map((m) => [m.id, ed25519VoteSigner(m.id, m.seed)]))
  const sign = (id: string, vote: Vote): SignedVote => ({ vote, signer: id, signature: signers.get(id)!.sign(vote) })
  return {
    set, ids: set.validators.map((v) => v.id), signers, sign,
    msg: (id, vote, value, justification = []) => ({ kind: 'vote', signed: sign(id, vote), ...(value === undefined ? {} : { value }), justification }),
    prepare: (id, round, value) => sign(id, valueVote(INSTANCE, H, round, MsgType.PREPARE, h(value))),
    commit: (id, round, value) => sign(id, valueVote(INSTANCE, H, round, MsgType.COMMIT, h(value))),
    roundChange: (id, round, prepared) => sign(id, roundChangeVote(INSTANCE, H, round, prepared ? { round: prepared.round, valueHash: h(prepared.value) } : undefined)),
    core: (self, opts = {}) => createCore<string>({ instance: INSTANCE, height: opts.height ?? H, self, set, hashValue, verify: verifyVoteEd25519 }),
  }
}

export const rules = (effects: Effect<string>[]) => effects.filter((e) => e.kind === 'rule').map((e) => (e as { rule: string }).rule)
export const broadcasts = (effects: Effect<string>[]) =>
  effects.filter((e): e is Extract<Effect<string>, { kind: 'broadcast' }> => e.kind === 'broadcast')
export const dropped = (effects: Effect<string>[]) => effects.filter((e) => e.kind === 'dropped').map((e) => (e as { reason: string }).reason)

/** Deliver a message and, if it asks for validation, answer `valid`; returns all effects. */
export function deliver(core: Core<string>, m: ConsensusMessage<string>, valid = true): Effect<string>[] {
  const effects = core.handle({ kind: 'message', message: m })
  const v = effects.find((e) => e.kind === 'validate')
  if (v && v.kind === 'validate') effects.push(...core.handle({ kind: 'validated', valueHash: v.valueHash, valid }))
  return effects
}
