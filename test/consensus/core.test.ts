// Each upon-rule of the core, driven with real ed25519-signed messages, plus justification checks.
import { describe, expect, it } from 'vitest'
import { buildCertificate, MsgType, roundChangeVote, valueVote, verifyCertificate, verifyEvidence } from '../../validator/consensus/index.ts'
import { broadcasts, deliver, dropped, fixture, h, H, INSTANCE, rules } from './helpers.ts'

// Powers: one validator holds 5 of 8 (62.5%): quorum (> 16/3) needs it plus one small one.
const f = fixture([5n, 1n, 1n, 1n])
const [big, a, b, c] = f.ids as [string, string, string, string]
const leader0 = f.set.leader(H, 0)
const follower = f.ids.find((id) => id !== leader0)!
const pp0 = (value = 'A') => f.msg(leader0, valueVote(INSTANCE, H, 0, MsgType.PRE_PREPARE, h(value)), value)

function acceptedCore(self = follower) {
  const core = f.core(self)
  core.start()
  deliver(core, pp0())
  return core
}

describe('upon-rules', () => {
  it('proposeInitial: the round-0 leader proposes its input', () => {
    const core = f.core(leader0)
    core.start()
    const effects = core.handle({ kind: 'input', value: 'A' })
    expect(rules(effects)).toEqual(['proposeInitial'])
    const [pp] = broadcasts(effects)
    expect(pp?.vote.type).toBe(MsgType.PRE_PREPARE)
    expect(pp?.value).toBe('A')
    expect(f.core(follower).handle({ kind: 'input', value: 'A' }).filter((e) => e.kind === 'broadcast')).toEqual([])
  })

  it('justifiedPrePrepare: a valid proposal from the leader is prepared after validation', () => {
    const core = f.core(follower)
    core.start()
    const first = core.handle({ kind: 'message', message: pp0() })
    expect(first.map((e) => e.kind)).toContain('validate')
    expect(broadcasts(first)).toEqual([])
    const v = first.find((e) => e.kind === 'validate')!
    const effects = core.handle({ kind: 'validated', valueHash: (v as { valueHash: Uint8Array }).valueHash, valid: true })
    expect(rules(effects)).toEqual(['justifiedPrePrepare'])
    expect(broadcasts(effects)[0]?.vote).toMatchObject({ type: MsgType.PREPARE, round: 0, valueHash: h('A') })
  })

  it('an invalid value, a proposal from a non-leader or with a mismatched body is not prepared', () => {
    expect(broadcasts(deliver(f.core(follower), pp0(), false))).toEqual([])
    const notLeader = f.ids.find((id) => id !== leader0 && id !== follower)!
    const fake = f.msg(notLeader, valueVote(INSTANCE, H, 0, MsgType.PRE_PREPARE, h('A')), 'A')
    expect(dropped(deliver(f.core(follower), fake))[0]).toMatch(/not the leader/)
    const mismatched = f.msg(leader0, valueVote(INSTANCE, H, 0, MsgType.PRE_PREPARE, h('A')), 'B')
    expect(dropped(deliver(f.core(follower), mismatched))[0]).toMatch(/does not match/)
  })

  it('quorumPrepares counts power, not heads: three small validators are not a quorum', () => {
    const core = acceptedCore(a)
    let effects = [b, c].flatMap((id) => deliver(core, { kind: 'vote', signed: f.prepare(id, 0, 'A'), justification: [] }))
    effects.push(...deliver(core, { kind: 'vote', signed: f.prepare(a, 0, 'A'), justification: [] }, true))
    expect(rules(effects)).not.toContain('quorumPrepares')
    effects = deliver(core, { kind: 'vote', signed: f.prepare(big, 0, 'A'), justification: [] })
    expect(rules(effects)).toEqual(['quorumPrepares'])
    const kinds = effects.map((e) => e.kind)
    expect(kinds.indexOf('prepared')).toBeLessThan(kinds.indexOf('broadcast')) // persisted before COMMIT
    expect(broadcasts(effects)[0]?.vote.type).toBe(MsgType.COMMIT)
    expect(core.prepared?.round).toBe(0)
  })

  it('quorumCommits decides with a certificate that verifies', () => {
    const core = acceptedCore(a)
    deliver(core, { kind: 'vote', signed: f.commit(b, 0, 'A'), justification: [] })
    const effects = deliver(core, { kind: 'vote', signed: f.commit(big, 0, 'A'), justification: [] })
    expect(rules(effects)).toEqual(['quorumCommits'])
    const d = effects.find((e) => e.kind === 'decide')
    expect(d && d.kind === 'decide' && d.value).toBe('A')
    expect(core.decided && verifyCertificate(h('A'), core.decided.certificate, f.set)).toBe(true)
  })

  it('roundTimeout moves to the next round and reports the prepared value', () => {
    const core = acceptedCore(a)
    for (const id of [big, b]) deliver(core, { kind: 'vote', signed: f.prepare(id, 0, 'A'), justification: [] })
    expect(core.prepared?.round).toBe(0)
    expect(core.handle({ kind: 'timeout', round: 5 })).toEqual([]) // stale timer
    const effects = core.handle({ kind: 'timeout', round: 0 })
    expect(rules(effects)).toEqual(['roundTimeout'])
    const [rc] = broadcasts(effects)
    expect(rc?.vote).toMatchObject({ type: MsgType.ROUND_CHANGE, round: 1, preparedRound: 0, preparedValueHash: h('A') })
    expect(rc?.value).toBe('A')
    expect(rc?.justification.length).toBe(2)
    expect(core.round).toBe(1)
  })

  it('fPlus1RoundChanges jumps only when at least 1/3 of the power is ahead (2 of 8 is not)', () => {
    const core = f.core(a)
    core.start()
    const small = [b, c].flatMap((id) => deliver(core, { kind: 'vote', signed: f.roundChange(id, 3), justification: [] }))
    expect(rules(small)).toEqual([]) // 2 of 8 power
    const effects = deliver(core, { kind: 'vote', signed: f.roundChange(big, 4), justification: [] })
    // {b, c, big} is ahead (min round 3); after that jump big alone (5/8) is still ahead, so on to 4.
    expect(rules(effects)).toEqual(['fPlus1RoundChanges', 'fPlus1RoundChanges'])
    expect(core.round).toBe(4)
    expect(broadcasts(effects).map((x) => x.vote.round)).toEqual([3, 4])
  })

  it('fPlus1RoundChanges jumps to the smallest round of the set that is ahead', () => {
    const eq = fixture([1n, 1n, 1n, 1n])
    const core = eq.core(eq.ids[0]!)
    core.start()
    expect(rules(deliver(core, { kind: 'vote', signed: eq.roundChange(eq.ids[1]!, 5), justification: [] }))).toEqual([])
    const effects = deliver(core, { kind: 'vote', signed: eq.roundChange(eq.ids[2]!, 3), justification: [] })
    expect(rules(effects)).toEqual(['fPlus1RoundChanges'])
    expect(core.round).toBe(3)
  })

  it('quorumRoundChanges: the round leader proposes its input when nobody prepared', () => {
    const r = 1
    const lead = f.set.leader(H, r)
    const core = f.core(lead)
    core.start()
    core.handle({ kind: 'input', value: 'A' })
    core.handle({ kind: 'timeout', round: 0 })
    const others = f.ids.filter((id) => id !== lead)
    const effects = others.flatMap((id) => deliver(core, { kind: 'vote', signed: f.roundChange(id, r), justification: [] }))
    expect(rules(effects)).toContain('quorumRoundChanges')
    const pp = broadcasts(effects).find((x) => x.vote.type === MsgType.PRE_PREPARE)
    expect(pp?.value).toBe('A')
    // Its justification convinces a follower.
    const follow = f.core(others[0]!)
    follow.start()
    const signedPP = f.msg(lead, pp!.vote, 'A', [...pp!.justification])
    expect(rules(deliver(follow, signedPP))).toEqual(['justifiedPrePrepare'])
    expect(follow.round).toBe(r)
  })

  it('quorumRoundChanges re-proposes the highest prepared value', () => {
    const r = 2
    const lead = f.set.leader(H, r)
    const core = f.core(lead)
    core.start()
    core.handle({ kind: 'input', value: 'A' })
    core.handle({ kind: 'timeout', round: 0 })
    core.handle({ kind: 'timeout', round: 1 })
    const prepares = [big, b].map((id) => f.prepare(id, 1, 'B'))
    const others = f.ids.filter((id) => id !== lead)
    const effects = others.flatMap((id, i) => i === 0
      ? deliver(core, f.msg(id, roundChangeVote(INSTANCE, H, r, { round: 1, valueHash: h('B') }), 'B', prepares))
      : deliver(core, { kind: 'vote', signed: f.roundChange(id, r), justification: [] }))
    const pp = broadcasts(effects).find((x) => x.vote.type === MsgType.PRE_PREPARE)
    expect(pp?.value).toBe('B')
  })

  it('roundChangeWhenDecided answers a laggard with the certificate; justifiedDecided lets it decide', () => {
    const core = acceptedCore(a)
    for (const id of [big, b]) deliver(core, { kind: 'vote', signed: f.commit(id, 0, 'A'), justification: [] })
    expect(core.decided).toBeDefined()
    const effects = deliver(core, { kind: 'vote', signed: f.roundChange(c, 1), justification: [] })
    expect(rules(effects)).toEqual(['roundChangeWhenDecided'])
    const reply = effects.find((e) => e.kind === 'broadcastDecided')
    const laggard = f.core(c)
    laggard.start()
    const got = deliver(laggard, (reply as Extract<typeof reply, { kind: "broadcastDecided" }>).message)
    expect(rules(got)).toEqual(['justifiedDecided'])
    expect(laggard.decided?.value).toBe('A')
  })

  it('a decided message with a weak certificate or for another value is ignored', () => {
    const laggard = f.core(c)
    laggard.start()
    const weak = buildCertificate([a, b].map((id) => f.commit(id, 0, 'A')), f.set) // 2 of 8 power
    expect(dropped(deliver(laggard, { kind: 'decided', value: 'A', certificate: weak }))[0]).toMatch(/unjustified decided/)
    const strong = buildCertificate([big, b].map((id) => f.commit(id, 0, 'A')), f.set)
    expect(dropped(deliver(laggard, { kind: 'decided', value: 'B', certificate: strong }))[0]).toMatch(/another value/)
    expect(laggard.decided).toBeUndefined()
  })
})

describe('justifications', () => {
  const r = 1
  const lead = f.set.leader(H, r)
  const follow = f.ids.find((id) => id !== lead)!
  const ppVote = (value: string) => valueVote(INSTANCE, H, r, MsgType.PRE_PREPARE, h(value))

  it('ignores a round>0 pre-prepare without a quorum of round changes', () => {
    const core = f.core(follow)
    core.start()
    const few = f.ids.filter((id) => id !== big).map((id) => f.roundChange(id, r)) // 3 of 8 power
    expect(dropped(deliver(core, f.msg(lead, ppVote('A'), 'A', few)))[0]).toMatch(/unjustified pre-prepare: no quorum of round changes/)
    expect(dropped(deliver(core, f.msg(lead, ppVote('A'), 'A', [])))[0]).toMatch(/unjustified pre-prepare/)
  })

  it('ignores a pre-prepare that does not re-propose the highest prepared value', () => {
    const core = f.core(follow)
    core.start()
    const prepares = [big, b].map((id) => f.prepare(id, 0, 'B'))
    const rcs = [f.roundChange(big, r, { round: 0, value: 'B' }), f.roundChange(a, r), f.roundChange(b, r)]
    expect(dropped(deliver(core, f.msg(lead, ppVote('A'), 'A', [...rcs, ...prepares])))[0]).toMatch(/highest prepared/)
    // the same justification with the right value is accepted
    expect(rules(deliver(core, f.msg(lead, ppVote('B'), 'B', [...rcs, ...prepares])))).toEqual(['justifiedPrePrepare'])
  })

  it('ignores a round change claiming a prepared value without a quorum of prepares', () => {
    const core = f.core(follow)
    core.start()
    const rcVote = roundChangeVote(INSTANCE, H, 3, { round: 1, valueHash: h('B') })
    const weak = [f.prepare(b, 1, 'B'), f.prepare(c, 1, 'B')]
    expect(dropped(deliver(core, f.msg(big, rcVote, 'B', weak)))[0]).toMatch(/unjustified round change/)
    const otherValue = [f.prepare(big, 1, 'C'), f.prepare(b, 1, 'C')]
    expect(dropped(deliver(core, f.msg(big, rcVote, 'B', otherValue)))[0]).toMatch(/unjustified round change/)
    const forged = [{ ...f.prepare(big, 1, 'C'), vote: f.prepare(big, 1, 'B').vote }, f.prepare(b, 1, 'B')]
    expect(dropped(deliver(core, f.msg(big, rcVote, 'B', forged)))[0]).toMatch(/unjustified round change/)
    expect(core.round).toBe(0) // none of them counted toward a jump
  })

  it('drops votes with bad signatures or from non-members', () => {
    const core = f.core(follow)
    core.start()
    const good = f.prepare(b, 0, 'A')
    const bad = { ...good, signature: f.prepare(c, 0, 'A').signature }
    expect(dropped(deliver(core, { kind: 'vote', signed: bad, justification: [] }))[0]).toMatch(/bad signature/)
    expect(dropped(deliver(core, { kind: 'vote', signed: { ...good, signer: 'mallory' }, justification: [] }))[0]).toMatch(/not a validator/)
  })
})

describe('equivocation evidence', () => {
  it('two prepares from one signer for one round with different values yield verifiable evidence', () => {
    const core = f.core(a)
    core.start()
    deliver(core, { kind: 'vote', signed: f.prepare(b, 0, 'A'), justification: [] })
    expect(deliver(core, { kind: 'vote', signed: f.prepare(b, 0, 'A'), justification: [] })).toEqual([]) // duplicate
    const effects = deliver(core, { kind: 'vote', signed: f.prepare(b, 0, 'B'), justification: [] })
    const ev = effects.find((e) => e.kind === 'evidence')
    expect(ev && ev.kind === 'evidence' && ev.evidence.signer).toBe(b)
    const evidence = (ev as { evidence: Parameters<typeof verifyEvidence>[0] }).evidence
    expect(verifyEvidence(evidence, f.set)).toBe(true)
    expect(verifyEvidence({ ...evidence, second: f.prepare(b, 0, 'A') }, f.set)).toBe(false) // same value
    expect(verifyEvidence({ ...evidence, second: { ...evidence.second, signature: f.prepare(c, 0, 'B').signature } }, f.set)).toBe(false)
    expect(verifyEvidence({ ...evidence, second: f.prepare(b, 1, 'B') }, f.set)).toBe(false) // other round
  })

  it('an equivocation quoted inside a justification is detected too', () => {
    const core = f.core(a)
    core.start()
    deliver(core, { kind: 'vote', signed: f.prepare(big, 0, 'A'), justification: [] })
    const rc = f.msg(c, roundChangeVote(INSTANCE, H, 1, { round: 0, valueHash: h('B') }), 'B', [f.prepare(big, 0, 'B'), f.prepare(b, 0, 'B')])
    const ev = deliver(core, rc).find((e) => e.kind === 'evidence')
    expect(ev && ev.kind === 'evidence' && ev.evidence.signer).toBe(big)
  })

  it('certificates are built in validator-set order', () => {
    const cert = buildCertificate([f.commit(b, 0, 'A'), f.commit(big, 0, 'A')], f.set)
    expect(cert.commits.map((x) => x.signer)).toEqual([big, b])
  })
})
