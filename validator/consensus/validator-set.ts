// The validator set of an epoch: ids, ed25519 keys and voting power (bigint), in a deterministic
// stake-sorted order. Quorums are counted in power, never heads: quorum > 2/3 of the total; f+1 (enough
// to hold an honest member) is at least 1/3, more than the faulty power tolerated (< 1/3).
import { compareBytes, toHex, u64be } from '../../core/bytes.ts'
import { AgoraError } from '../../core/errors.ts'
import { taggedHash } from '../../core/hash.ts'
import { LIMITS } from './types.ts'

export interface ValidatorInfo {
  readonly id: string
  readonly publicKey: Uint8Array // ed25519, 32 bytes
  readonly power: bigint
}

export interface ValidatorSet {
  /** Sorted by power (descending), then id: every node derives the same order from the same members. */
  readonly validators: readonly ValidatorInfo[]
  readonly totalPower: bigint
  byId(id: string): ValidatorInfo | undefined
  indexOf(id: string): number // -1 when not a member
  /** Power of the distinct members among `ids` (non-members and repeats count nothing). */
  powerOf(ids: Iterable<string>): bigint
  hasQuorum(power: bigint): boolean
  /** At least 1/3 of the power: more than the faulty power tolerated, so it includes an honest member. */
  hasFPlus1(power: bigint): boolean
  /** Proposer of (height, round); see `leaderOf`. */
  leader(height: number, round: number): string
}

export function createValidatorSet(members: readonly ValidatorInfo[]): ValidatorSet {
  if (members.length === 0) throw new AgoraError('VALIDATOR_SET', 'validator set is empty')
  if (members.length > LIMITS.maxValidators) throw new AgoraError('VALIDATOR_SET', `validator set has ${members.length} members, max ${LIMITS.maxValidators}`)
  const ids = new Set<string>()
  const keys = new Set<string>()
  for (const m of members) {
    if (m.id.length === 0) throw new AgoraError('VALIDATOR_SET', 'validator id is empty')
    if (m.publicKey.length !== 32) throw new AgoraError('VALIDATOR_SET', `validator ${m.id}: public key must be 32 bytes`)
    if (m.power <= 0n) throw new AgoraError('VALIDATOR_SET', `validator ${m.id}: power must be positive`)
    if (ids.has(m.id)) throw new AgoraError('VALIDATOR_SET', `duplicate validator id ${m.id}`)
    const k = toHex(m.publicKey)
    if (keys.has(k)) throw new AgoraError('VALIDATOR_SET', `duplicate public key for ${m.id}`)
    ids.add(m.id)
    keys.add(k)
  }
  const validators = [...members]
    .map((m) => Object.freeze({ id: m.id, publicKey: m.publicKey, power: m.power }))
    .sort((a, b) => (a.power !== b.power ? (a.power > b.power ? -1 : 1) : a.id < b.id ? -1 : a.id > b.id ? 1 : compareBytes(a.publicKey, b.publicKey)))
  const index = new Map(validators.map((v, i) => [v.id, i]))
  const totalPower = validators.reduce((s, v) => s + v.power, 0n)
  const set: ValidatorSet = {
    validators,
    totalPower,
    byId: (id) => { const i = index.get(id); return i === undefined ? undefined : validators[i] },
    indexOf: (id) => index.get(id) ?? -1,
    powerOf(list) {
      const seen = new Set<string>()
      let p = 0n
      for (const id of list) {
        if (seen.has(id)) continue
        seen.add(id)
        const i = index.get(id)
        if (i !== undefined) p += validators[i]!.power
      }
      return p
    },
    hasQuorum: (power) => power * 3n > totalPower * 2n,
    // Not "> 1/3": a set that splits exactly 1/3 : 2/3 (6 equal validators, 2 a round ahead) would have
    // neither side move — the third ahead could not pull the others up, and the two thirds behind are no
    // quorum — and the round timers, capped, never close the gap: the hand-over halt of issue #17.
    hasFPlus1: (power) => power * 3n >= totalPower,
    leader: (height, round) => leaderOf(set, height, round),
  }
  return Object.freeze(set)
}

/**
 * Round 0 (where nearly every height is decided) picks the proposer with probability proportional to
 * power: a point drawn from taggedHash(height) over [0, totalPower) falls into one validator's share of
 * the stake-sorted line. Later rounds rotate by head from there, so any n consecutive rounds give every
 * validator (hence some honest one) a turn: a bounded wait whatever the power distribution.
 */
export function leaderOf(set: ValidatorSet, height: number, round: number): string {
  const vs = set.validators
  let starts = startCache.get(set)
  if (!starts) startCache.set(set, (starts = new Map()))
  let start = starts.get(height)
  if (start === undefined) {
    if (starts.size > 64) starts.clear()
    starts.set(height, (start = weightedIndex(set, height)))
  }
  return vs[(start + round) % vs.length]!.id
}

const startCache = new WeakMap<ValidatorSet, Map<number, number>>()

function weightedIndex(set: ValidatorSet, height: number): number {
  const h = taggedHash('agora/v1/consensus/leader', u64be(height))
  let x = 0n
  for (const b of h) x = (x << 8n) | BigInt(b)
  let point = x % set.totalPower // 2^256 ≫ total power: the modulo bias is negligible
  for (let i = 0; i < set.validators.length; i++) {
    const p = set.validators[i]!.power
    if (point < p) return i
    point -= p
  }
  throw new Error('unreachable: point beyond total power')
}
