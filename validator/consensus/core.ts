// The QBFT state machine for one instance (one height): a pure, deterministic reducer over local state,
// driven by events (input | message | timeout | validated) and answering with effects (broadcast, timer,
// validate, persist, decide, evidence). No I/O, no clock: the driver (instance.ts) and the simulator
// execute the effects. Upon-rules are named after the QBFT paper (Moniz, arXiv:2002.03613).
import { toHex } from '../../core/bytes.ts'
import { buildCertificate, certificateError } from './certificate.ts'
import { conflicting, makeEvidence } from './evidence.ts'
import { highestPrepared, type JustifyContext, prePrepareUnjustified, roundChangeUnjustified } from './justification.ts'
import { roundChangeVote, valueVote, type VoteVerifier } from './signing.ts'
import {
  type CommitCertificate, type DecidedMessage, type Evidence, LIMITS, MsgType, NO_ROUND, type PreparedState,
  type SignedVote, type Vote, type VoteMessage, type VoteType, type ConsensusMessage,
} from './types.ts'
import type { ValidatorSet } from './validator-set.ts'

export type UponRule =
  | 'proposeInitial' //        Algorithm 1:11, the round-0 leader proposes its input
  | 'justifiedPrePrepare' //   2:1  accept a justified, valid proposal: PREPARE
  | 'quorumPrepares' //        2:4  prepared: persist, COMMIT
  | 'quorumCommits' //         2:8  decide
  | 'roundTimeout' //          3:1  next round: ROUND_CHANGE
  | 'fPlus1RoundChanges' //    3:5  > 1/3 power is ahead: jump to the smallest such round
  | 'quorumRoundChanges' //    3:11 leader of the round: propose the highest prepared value (or input)
  | 'roundChangeWhenDecided' // 3:17 help a laggard: send the DECIDED message
  | 'justifiedDecided' //      a laggard decides from a commit certificate

export interface CoreOptions<V> {
  readonly instance: string
  readonly height: number
  /** Our validator id (a non-member runs as an observer: it follows and decides but never votes). */
  readonly self: string
  readonly set: ValidatorSet
  readonly leader?: (height: number, round: number) => string
  readonly hashValue: (value: V) => Uint8Array
  readonly verify: VoteVerifier
  /** State persisted before a restart: the round reached and what was prepared. */
  readonly resume?: { readonly round: number; readonly prepared?: PreparedState<V> }
}

export type CoreEvent<V> =
  | { readonly kind: 'input'; readonly value: V }
  | { readonly kind: 'message'; readonly message: ConsensusMessage<V>; readonly local?: boolean }
  | { readonly kind: 'timeout'; readonly round: number }
  | { readonly kind: 'validated'; readonly valueHash: Uint8Array; readonly valid: boolean }

export type Effect<V> =
  | { readonly kind: 'broadcast'; readonly vote: Vote; readonly value?: V; readonly justification: readonly SignedVote[] }
  | { readonly kind: 'broadcastDecided'; readonly message: DecidedMessage<V> }
  | { readonly kind: 'timer'; readonly round: number }
  | { readonly kind: 'stopTimer' }
  | { readonly kind: 'validate'; readonly value: V; readonly valueHash: Uint8Array }
  | { readonly kind: 'prepared'; readonly prepared: PreparedState<V> }
  | { readonly kind: 'decide'; readonly value: V; readonly certificate: CommitCertificate }
  | { readonly kind: 'evidence'; readonly evidence: Evidence }
  | { readonly kind: 'rule'; readonly rule: UponRule; readonly round: number }
  | { readonly kind: 'dropped'; readonly reason: string }

export interface Core<V> {
  /** Effects of starting (or resuming) the instance: the round timer, maybe a proposal. */
  start(): Effect<V>[]
  handle(event: CoreEvent<V>): Effect<V>[]
  readonly round: number
  readonly prepared: PreparedState<V> | undefined
  readonly decided: { readonly value: V; readonly certificate: CommitCertificate } | undefined
}

interface Tally { power: bigint; votes: SignedVote[] }

export function createCore<V>(opts: CoreOptions<V>): Core<V> {
  const { instance, height, self, set, verify } = opts
  const leader = opts.leader ?? set.leader
  const isMember = set.byId(self) !== undefined

  let round = opts.resume?.round ?? 0
  let prepared = opts.resume?.prepared
  let input: V | undefined
  let decided: { value: V; certificate: CommitCertificate } | undefined
  let repliedDecidedRound = NO_ROUND
  let out: Effect<V>[] = []

  const values = new Map<string, V>() // value bodies seen, by hash
  const validity = new Map<string, boolean>()
  const pendingPrePrepares = new Map<number, VoteMessage<V>>() // justified, awaiting validation
  const accepted = new Map<number, string>() // round -> hash of the pre-prepare we prepared
  const votes = new Map<string, SignedVote>() // first vote per (type, round, signer)
  const tallies = new Map<string, Tally>() // PREPARE/COMMIT per (type, round, value hash)
  const roundChanges = new Map<number, Map<string, VoteMessage<V>>>()
  const commitQuorumsWithoutBody = new Map<string, Tally>()
  const sent = new Set<string>() // (type, round) we already broadcast: each upon-rule fires once a round
  const authenticCache = new Map<string, boolean>()
  const evidenced = new Set<string>() // (type, round, signer) already reported
  const hashCache = new WeakMap<object, Uint8Array>()
  if (prepared) values.set(toHex(prepared.valueHash), prepared.value)

  const ctx: JustifyContext = { instance, height, set, isAuthentic }

  function isAuthentic(sv: SignedVote): boolean {
    const member = set.byId(sv.signer)
    if (!member) return false
    const v = sv.vote
    const key = `${sv.signer}|${v.instance}|${v.height}|${v.round}|${v.type}|${toHex(v.valueHash)}|${v.preparedRound}|${toHex(v.preparedValueHash)}|${toHex(sv.signature)}`
    let ok = authenticCache.get(key)
    if (ok === undefined) {
      ok = verify(member.publicKey, v, sv.signature)
      authenticCache.set(key, ok)
    }
    return ok
  }

  function hashOf(value: V): Uint8Array {
    if (typeof value !== 'object' || value === null) return opts.hashValue(value)
    let h = hashCache.get(value)
    if (!h) { h = opts.hashValue(value); hashCache.set(value, h) }
    return h
  }

  const emit = (e: Effect<V>) => { out.push(e) }
  const rule = (r: UponRule) => emit({ kind: 'rule', rule: r, round })
  const drop = (reason: string) => emit({ kind: 'dropped', reason })

  function broadcast(type: VoteType, r: number, vote: Vote, value: V | undefined, justification: readonly SignedVote[]): void {
    const key = `${type}/${r}`
    if (!isMember || sent.has(key)) return
    sent.add(key)
    emit({ kind: 'broadcast', vote, ...(value === undefined ? {} : { value }), justification })
  }

  function broadcastRoundChange(): void {
    const vote = roundChangeVote(instance, height, round, prepared)
    broadcast(MsgType.ROUND_CHANGE, round, vote, prepared?.value, prepared?.justification ?? [])
  }

  function changeRound(r: number): void {
    round = r
    emit({ kind: 'timer', round })
    for (const k of pendingPrePrepares.keys()) if (k < r) pendingPrePrepares.delete(k)
    for (const k of roundChanges.keys()) if (k < r) roundChanges.delete(k)
  }

  /** The round made progress (its proposal accepted, then prepared): its timer runs again from now. A silent
   *  leader still costs one timeout; a live but slow round (its messages hundreds of ms apart under load)
   *  gets up to three timeouts before a round change, which would cost it more than waiting does. Liveness
   *  only: each of the two restarts happens once a round, and safety never reads the timer. */
  function restartTimer(): void {
    emit({ kind: 'timer', round })
  }

  function decide(value: V, certificate: CommitCertificate, r: UponRule): void {
    decided = { value, certificate }
    rule(r)
    emit({ kind: 'stopTimer' })
    emit({ kind: 'decide', value, certificate })
  }

  // ---- message intake -------------------------------------------------------------------------
  function onVote(msg: VoteMessage<V>, local: boolean): void {
    const sv = msg.signed
    const v = sv.vote
    if (v.instance !== instance || v.height !== height) return drop('other instance or height')
    if (!set.byId(sv.signer)) return drop(`${sv.signer} is not a validator`)
    const malformed = malformedVote(v)
    if (malformed) return drop(malformed)
    if (v.round > round + LIMITS.maxRoundsAhead) return drop('round too far ahead')
    if (msg.justification.length > LIMITS.maxJustification) return drop('justification too large')
    if (decided) {
      // Algorithm 3:17: a peer still changing rounds has not decided; hand it the certificate.
      if (v.type === MsgType.ROUND_CHANGE && sv.signer !== self && v.round > repliedDecidedRound && (local || isAuthentic(sv))) {
        repliedDecidedRound = v.round
        rule('roundChangeWhenDecided')
        emit({ kind: 'broadcastDecided', message: { kind: 'decided', value: decided.value, certificate: decided.certificate } })
      }
      return
    }
    if (!local && !isAuthentic(sv)) return drop(`bad signature from ${sv.signer}`)
    const key = `${v.type}/${v.round}/${sv.signer}`
    const prev = votes.get(key)
    if (prev && !conflicting(prev.vote, v)) return // duplicate

    let bodyHash: Uint8Array | undefined
    if (msg.value !== undefined) bodyHash = hashOf(msg.value)
    if (v.type === MsgType.PRE_PREPARE) {
      if (leader(height, v.round) !== sv.signer) return drop(`pre-prepare from ${sv.signer}, not the leader of round ${v.round}`)
      if (!bodyHash || toHex(bodyHash) !== toHex(v.valueHash)) return drop('pre-prepare value does not match its hash')
      const why = prePrepareUnjustified(ctx, v, msg.justification)
      if (why) return drop(`unjustified pre-prepare: ${why}`)
    } else if (v.type === MsgType.ROUND_CHANGE) {
      const why = roundChangeUnjustified(ctx, v, msg.justification, bodyHash)
      if (why) return drop(`unjustified round change: ${why}`)
    } else if (msg.value !== undefined || msg.justification.length > 0) {
      return drop('prepare/commit carry no value or justification')
    }
    if (prev) return reportEquivocation(key, prev, sv)
    votes.set(key, sv)
    // Votes quoted in a justification can expose an equivocation nobody saw directly.
    for (const j of msg.justification) {
      const jk = `${j.vote.type}/${j.vote.round}/${j.signer}`
      const first = votes.get(jk)
      if (first && conflicting(first.vote, j.vote) && isAuthentic(j)) reportEquivocation(jk, first, j)
    }

    if (msg.value !== undefined && bodyHash) values.set(toHex(bodyHash), msg.value)
    switch (v.type) {
      case MsgType.PRE_PREPARE: onPrePrepare(msg); break
      case MsgType.PREPARE: addToTally(sv); break
      case MsgType.COMMIT: {
        const t = addToTally(sv)
        if (set.hasQuorum(t.power)) commitQuorumsWithoutBody.set(toHex(v.valueHash), t)
        break
      }
      case MsgType.ROUND_CHANGE: {
        if (v.round < round) return
        let m = roundChanges.get(v.round)
        if (!m) roundChanges.set(v.round, (m = new Map()))
        m.set(sv.signer, msg)
        break
      }
    }
  }

  function reportEquivocation(key: string, first: SignedVote, second: SignedVote): void {
    if (evidenced.has(key)) return
    evidenced.add(key)
    emit({ kind: 'evidence', evidence: makeEvidence(first, second) })
  }

  function addToTally(sv: SignedVote): Tally {
    const key = `${sv.vote.type}/${sv.vote.round}/${toHex(sv.vote.valueHash)}`
    let t = tallies.get(key)
    if (!t) tallies.set(key, (t = { power: 0n, votes: [] }))
    t.power += set.byId(sv.signer)!.power
    t.votes.push(sv)
    return t
  }

  function onPrePrepare(msg: VoteMessage<V>): void {
    const v = msg.signed.vote
    if (v.round < round) return drop('pre-prepare for a past round')
    const h = toHex(v.valueHash)
    const valid = validity.get(h)
    if (valid === undefined) {
      if (![...pendingPrePrepares.values()].some((p) => toHex(p.signed.vote.valueHash) === h)) {
        emit({ kind: 'validate', value: msg.value as V, valueHash: v.valueHash })
      }
      pendingPrePrepares.set(v.round, msg)
      return
    }
    if (!valid) return drop('pre-prepare of an invalid value')
    uponJustifiedPrePrepare(msg)
  }

  function onValidated(valueHash: Uint8Array, valid: boolean): void {
    const h = toHex(valueHash)
    validity.set(h, valid)
    for (const [r, msg] of [...pendingPrePrepares]) {
      if (toHex(msg.signed.vote.valueHash) !== h) continue
      pendingPrePrepares.delete(r)
      if (!valid) drop('pre-prepare of an invalid value')
      else if (r >= round) uponJustifiedPrePrepare(msg)
    }
  }

  // ---- upon-rules -----------------------------------------------------------------------------
  function uponJustifiedPrePrepare(msg: VoteMessage<V>): void {
    const v = msg.signed.vote
    if (accepted.has(v.round)) return
    if (v.round > round) changeRound(v.round) // justified, so we may jump ahead
    else restartTimer()
    accepted.set(v.round, toHex(v.valueHash))
    rule('justifiedPrePrepare')
    broadcast(MsgType.PREPARE, round, valueVote(instance, height, round, MsgType.PREPARE, v.valueHash), undefined, [])
  }

  function uponQuorumPrepares(): void {
    const h = accepted.get(round)
    if (h === undefined || sent.has(`${MsgType.COMMIT}/${round}`)) return
    const t = tallies.get(`${MsgType.PREPARE}/${round}/${h}`)
    if (!t || !set.hasQuorum(t.power)) return
    const valueHash = t.votes[0]!.vote.valueHash
    if (prepared?.round !== round) restartTimer() // once a round (an observer sends no COMMIT and comes back here)
    prepared = { round, valueHash, value: values.get(h) as V, justification: [...t.votes] }
    rule('quorumPrepares')
    emit({ kind: 'prepared', prepared })
    broadcast(MsgType.COMMIT, round, valueVote(instance, height, round, MsgType.COMMIT, valueHash), undefined, [])
  }

  function uponQuorumCommits(): void {
    for (const [h, t] of commitQuorumsWithoutBody) {
      if (!values.has(h)) continue
      commitQuorumsWithoutBody.delete(h)
      return decide(values.get(h) as V, buildCertificate(t.votes, set), 'quorumCommits')
    }
  }

  function uponFPlus1RoundChanges(): boolean {
    let rmin = Infinity
    const ahead = new Set<string>()
    for (const [r, m] of roundChanges) {
      if (r <= round) continue
      for (const signer of m.keys()) ahead.add(signer)
      rmin = Math.min(rmin, r)
    }
    if (ahead.size === 0 || !set.hasFPlus1(set.powerOf(ahead))) return false
    changeRound(rmin)
    rule('fPlus1RoundChanges')
    broadcastRoundChange()
    return true
  }

  function uponQuorumRoundChanges(): void {
    if (round === 0 || leader(height, round) !== self || sent.has(`${MsgType.PRE_PREPARE}/${round}`)) return
    const m = roundChanges.get(round)
    if (!m || !set.hasQuorum(set.powerOf(m.keys()))) return
    const rcs = [...m.values()].sort((a, b) => set.indexOf(a.signed.signer) - set.indexOf(b.signed.signer))
    const hp = highestPrepared(rcs.map((x) => x.signed.vote))
    let value: V | undefined
    let justification = rcs.map((x) => x.signed)
    if (hp) {
      const best = rcs.find((x) => x.signed.vote.preparedRound === hp.round)!
      value = best.value
      justification = [...justification, ...best.justification]
    } else {
      value = input
    }
    if (value === undefined) return // wait for our input
    rule('quorumRoundChanges')
    const vote = valueVote(instance, height, round, MsgType.PRE_PREPARE, hashOf(value))
    broadcast(MsgType.PRE_PREPARE, round, vote, value, justification)
  }

  function proposeInitial(): void {
    if (round !== 0 || input === undefined || leader(height, 0) !== self || sent.has(`${MsgType.PRE_PREPARE}/0`)) return
    rule('proposeInitial')
    broadcast(MsgType.PRE_PREPARE, 0, valueVote(instance, height, 0, MsgType.PRE_PREPARE, hashOf(input)), input, [])
  }

  function uponRoundTimeout(r: number): void {
    if (r !== round) return
    changeRound(round + 1)
    rule('roundTimeout')
    broadcastRoundChange()
  }

  function uponDecided(msg: DecidedMessage<V>): void {
    const c = msg.certificate
    if (c.instance !== instance || c.height !== height) return drop('decided for another instance or height')
    const why = certificateError(hashOf(msg.value), c, set, verify)
    if (why) return drop(`unjustified decided: ${why}`)
    decide(msg.value, c, 'justifiedDecided')
  }

  /** Re-check the state-based rules until none fires (a jump may enable a proposal, and so on). */
  function evaluate(): void {
    while (!decided && uponFPlus1RoundChanges()) { /* keep jumping while > 1/3 is ahead */ }
    if (decided) return
    uponQuorumCommits()
    if (decided) return
    proposeInitial()
    uponQuorumRoundChanges()
    uponQuorumPrepares()
  }

  return {
    start() {
      out = []
      emit({ kind: 'timer', round })
      evaluate()
      return out
    },
    handle(event) {
      out = []
      switch (event.kind) {
        case 'input': if (input === undefined) input = event.value; break
        case 'timeout': if (!decided) uponRoundTimeout(event.round); break
        case 'validated': onValidated(event.valueHash, event.valid); break
        case 'message':
          if (event.message.kind === 'decided') { if (!decided) uponDecided(event.message) }
          else onVote(event.message, event.local === true)
          break
      }
      if (!decided) evaluate()
      return out
    },
    get round() { return round },
    get prepared() { return prepared },
    get decided() { return decided },
  }
}

function malformedVote(v: Vote): string | undefined {
  if (!Number.isSafeInteger(v.round) || v.round < 0 || v.round > LIMITS.maxRound) return 'bad round'
  if (v.type === MsgType.ROUND_CHANGE) {
    if (v.valueHash.length !== 0) return 'round change carries a value hash'
    if (!Number.isSafeInteger(v.preparedRound) || v.preparedRound < NO_ROUND || v.preparedRound >= v.round) return 'bad prepared round'
    if ((v.preparedRound === NO_ROUND) !== (v.preparedValueHash.length === 0)) return 'prepared round and value disagree'
    return undefined
  }
  if (v.type !== MsgType.PRE_PREPARE && v.type !== MsgType.PREPARE && v.type !== MsgType.COMMIT) return 'bad type'
  if (v.valueHash.length === 0 || v.valueHash.length > 64) return 'bad value hash'
  if (v.preparedRound !== NO_ROUND || v.preparedValueHash.length !== 0) return 'only round changes carry a prepared value'
  return undefined
}
