// Challenge registry: signed manifests are checked (signature, hash, policy), and a challenge moves
// proposed → active → deprecated → retired only through pools that pass; a rejected or retired name is
// free to be proposed again.
import { describe, expect, it } from 'vitest'
import { toHex } from '../../core/bytes.ts'
import { sha256 } from '../../core/hash.ts'
import { applyTx, type ForumState, type ForumTx } from '../../forum/index.ts'
import { activeChallenges, rejectProposal } from '../../registry/lifecycle.ts'
import { compareSemver, signManifest, verifySignedManifest, type SignedManifest } from '../../registry/manifest.ts'
import { MIN_METERED_FUEL_PER_MS, backstopFuelLimit } from '../../registry/policy.ts'
import { M, ok, poolTx, postTx, rep, resolveTx, stakeTx, state } from '../forum/helpers.ts'

const ownerSeed = new Uint8Array(32).fill(7)
const otherSeed = new Uint8Array(32).fill(9)
const manifest = (version = '1.0.0', extra: Record<string, unknown> = {}) => ({
  name: 'sorting', version, description: 'sort numbers fast', moduleHash: toHex(sha256(new TextEncoder().encode(`module ${version}`))),
  entryPoints: ['evaluate'], policy: { fuelLimit: 1_000_000, memoryPages: 16, hostFunctions: ['input_read', 'output_write'] as const, floats: 'deny' as const },
  emissionSharePpm: 400_000, ...extra,
}) as Parameters<typeof signManifest>[1]
const limits = { maxFuelLimit: 100_000_000_000, maxMemoryPages: 1024, evaluationBackstopMs: 10_000 }
const propose = (post: string, signed: SignedManifest, sender = 'owner'): ForumTx => ({ type: 'ProposeChallenge', sender: M(sender), post: post as never, signed })

/** Open a pool on `post` where `voter` stakes for or against, and resolve it; returns whether it passed. */
function decide(s: ForumState, pool: string, post: string, inFavor: boolean): boolean {
  const at = s.slot
  // A lifecycle pool is a governance pool: the governed least fee and duration apply.
  ok(s, poolTx(pool, post, BigInt(s.params.govMinPoolFee)), at)
  ok(s, stakeTx(pool, 'voter', rep('50'), inFavor), at) // above the 10 % governance quorum
  const r = ok(s, resolveTx(pool), at + s.params.govMinDurationSlots)
  return (r.events.find((e) => e.type === 'PoolResolved') as { passed: boolean }).passed
}
const status = (s: ForumState) => s.registry.challenges.get('sorting')?.status
const lifecyclePost = (id: string, to: 'active' | 'deprecated' | 'retired') =>
  postTx(id, 'owner', { owner: 1e6 }, { payload: { kind: 'challenge', name: 'sorting', to } })

describe('manifest verification', () => {
  it('accepts a manifest signed by its owner and refuses tampering or a foreign signature', () => {
    const signed = signManifest(ownerSeed, manifest())
    expect(verifySignedManifest(signed, limits).manifest.name).toBe('sorting')
    const tampered = { ...signed, manifest: { ...signed.manifest, emissionSharePpm: 1_000_000 } }
    expect(() => verifySignedManifest(tampered, limits)).toThrow(/signature does not verify/)
    const foreign = { ...signed, signature: signManifest(otherSeed, manifest()).signature }
    expect(() => verifySignedManifest(foreign, limits)).toThrow(/signature does not verify/)
  })
  it('refuses a bad module hash, a bad version, unknown host functions and policies over the limits', () => {
    expect(() => signManifest(ownerSeed, manifest('1.0.0', { moduleHash: 'abc' }))).toThrow()
    expect(() => signManifest(ownerSeed, manifest('1.0'))).toThrow()
    expect(() => signManifest(ownerSeed, manifest('1.0.0', { policy: { ...manifest().policy, hostFunctions: ['fs_open'] } }))).toThrow()
    const big = signManifest(ownerSeed, manifest('1.0.0', { policy: { ...manifest().policy, fuelLimit: 200_000_000_000 } }))
    expect(() => verifySignedManifest(big, limits)).toThrow(/fuelLimit .* above maxFuelLimit/)
    const mem = signManifest(ownerSeed, manifest('1.0.0', { policy: { ...manifest().policy, memoryPages: 2000 } }))
    expect(() => verifySignedManifest(mem, limits)).toThrow(/memoryPages/)
  })
  it('refuses a fuelLimit that cannot finish within the evaluation backstop at the slowest metered rate', () => {
    // 10 s of backstop at 90k fuel/ms: 900M fuel. One more, and every honest node's backstop could fire first.
    expect(backstopFuelLimit(limits.evaluationBackstopMs)).toBe(limits.evaluationBackstopMs * MIN_METERED_FUEL_PER_MS)
    const withFuel = (fuelLimit: number) => signManifest(ownerSeed, manifest('1.0.0', { policy: { ...manifest().policy, fuelLimit } }))
    const most = backstopFuelLimit(limits.evaluationBackstopMs)
    expect(verifySignedManifest(withFuel(most), limits).manifest.policy.fuelLimit).toBe(most)
    expect(() => verifySignedManifest(withFuel(most + 1), limits)).toThrow(/fuelLimit 900000001 cannot finish within the evaluation backstop \(10000 ms/)
    // A shorter backstop lowers the ceiling: the same manifest is refused under 2 s.
    expect(() => verifySignedManifest(withFuel(most), { ...limits, evaluationBackstopMs: 2_000 })).toThrow(/cannot finish within the evaluation backstop/)
  })
  it('orders semver', () => {
    expect(compareSemver('1.2.0', '1.10.0')).toBe(-1)
    expect(compareSemver('2.0.0-rc.1', '2.0.0')).toBe(-1)
    expect(compareSemver('1.0.1', '1.0.1')).toBe(0)
  })
})

describe('challenge lifecycle only through passed pools', () => {
  it('goes proposed → active → deprecated → retired, and not otherwise', () => {
    const s = state({ voter: '100', owner: '1' })
    ok(s, propose('C-propose', signManifest(ownerSeed, manifest())))
    expect(status(s)).toBe('proposed')
    // No shortcut: deprecating a proposed challenge is not a lifecycle step, refused when posted.
    expect(applyTx(s, lifecyclePost('X', 'deprecated'), { slot: s.slot })).toMatchObject({ ok: false, code: 'REGISTRY' })
    // A failed pool changes nothing.
    expect(decide(s, 'V0', 'C-propose', false)).toBe(false)
    expect(status(s)).toBe('proposed')
    // A second pool on the proposal post passes: active.
    expect(decide(s, 'V1', 'C-propose', true)).toBe(true)
    expect(status(s)).toBe('active')
    expect(activeChallenges(s.registry).map((e) => e.name)).toEqual(['sorting'])

    ok(s, lifecyclePost('C-dep', 'deprecated'))
    expect(status(s)).toBe('active') // posting alone does nothing
    expect(decide(s, 'V2', 'C-dep', true)).toBe(true)
    expect(status(s)).toBe('deprecated')

    ok(s, lifecyclePost('C-ret', 'retired'))
    expect(decide(s, 'V3', 'C-ret', true)).toBe(true)
    expect(status(s)).toBe('retired')
    // No step leads out of retired, but the name is free again: a new proposal (any owner) starts over.
    expect(applyTx(s, lifecyclePost('C-back', 'active'), { slot: s.slot })).toMatchObject({ ok: false, code: 'REGISTRY' })
    ok(s, propose('C-again', signManifest(otherSeed, manifest('0.1.0'))))
    expect([status(s), s.registry.challenges.get('sorting')!.manifest.version]).toEqual(['proposed', '0.1.0'])
  })

  it('a rejected proposal frees its name and a rejected upgrade is dropped', () => {
    const s = state({ voter: '100', owner: '1' })
    ok(s, propose('P1', signManifest(ownerSeed, manifest())))
    // While proposed, the name is taken.
    expect(applyTx(s, propose('P1b', signManifest(otherSeed, manifest())), { slot: s.slot })).toMatchObject({ ok: false, code: 'REGISTRY' })
    expect(rejectProposal(s.registry, 'sorting', '2.0.0')).toBe(false) // another version: untouched
    expect(rejectProposal(s.registry, 'sorting', '1.0.0')).toBe(true)
    expect(status(s)).toBeUndefined()
    ok(s, propose('P1c', signManifest(otherSeed, manifest())))
    decide(s, 'V1', 'P1c', true)
    ok(s, propose('P2', signManifest(otherSeed, manifest('1.1.0'))))
    expect(rejectProposal(s.registry, 'sorting', '1.1.0')).toBe(true)
    const e = s.registry.challenges.get('sorting')!
    expect([e.status, e.manifest.version, e.upgrade]).toEqual(['active', '1.0.0', undefined])
  })

  it('upgrades an active challenge only through a passed pool, by the same owner, to a newer version', () => {
    const s = state({ voter: '100', owner: '1' })
    ok(s, propose('P1', signManifest(ownerSeed, manifest())))
    decide(s, 'V1', 'P1', true)
    expect(applyTx(s, propose('P2', signManifest(ownerSeed, manifest('0.9.0'))), { slot: s.slot })).toMatchObject({ ok: false, code: 'REGISTRY' })
    expect(applyTx(s, propose('P2', signManifest(otherSeed, manifest('1.1.0'))), { slot: s.slot })).toMatchObject({ ok: false, code: 'REGISTRY' })
    ok(s, propose('P2', signManifest(ownerSeed, manifest('1.1.0'))))
    expect(s.registry.challenges.get('sorting')!.manifest.version).toBe('1.0.0')
    decide(s, 'V2', 'P2', true)
    const e = s.registry.challenges.get('sorting')!
    expect([e.status, e.manifest.version, e.upgrade]).toEqual(['active', '1.1.0', undefined])
  })

  it('refuses activation that would push active emission shares above 100 %', () => {
    const s = state({ voter: '100', owner: '1' })
    ok(s, propose('P1', signManifest(ownerSeed, manifest('1.0.0', { emissionSharePpm: 700_000 }))))
    decide(s, 'V1', 'P1', true)
    ok(s, propose('P2', signManifest(ownerSeed, manifest('1.0.0', { name: 'hashing', emissionSharePpm: 400_000 }))))
    const at = s.slot
    ok(s, poolTx('V2', 'P2', BigInt(s.params.govMinPoolFee)), at)
    ok(s, stakeTx('V2', 'voter', rep('50')), at)
    const r = ok(s, resolveTx('V2'), at + s.params.govMinDurationSlots)
    expect(r.events.find((e) => e.type === 'PoolResolved')).toMatchObject({ passed: true, effect: expect.stringMatching(/rejected: .*emission shares/) })
    expect(s.registry.challenges.get('hashing')!.status).toBe('proposed')
  })

  it('refuses activation of a manifest the backstop in force can no longer run (it shrank since the proposal)', () => {
    const s = state({ voter: '100', owner: '1' }, { params: { evaluationBackstopMs: 10_000 } })
    const fuelLimit = backstopFuelLimit(10_000)
    ok(s, propose('P1', signManifest(ownerSeed, manifest('1.0.0', { policy: { ...manifest().policy, fuelLimit } }))))
    s.params = { ...s.params, evaluationBackstopMs: 2_000 } // as a passed parameter change would, at a boundary
    const at = s.slot
    ok(s, poolTx('V1', 'P1', BigInt(s.params.govMinPoolFee)), at)
    ok(s, stakeTx('V1', 'voter', rep('50')), at)
    const r = ok(s, resolveTx('V1'), at + s.params.govMinDurationSlots)
    expect(r.events.find((e) => e.type === 'PoolResolved')).toMatchObject({ passed: true, effect: expect.stringMatching(/rejected: .*cannot finish within the evaluation backstop \(2000 ms/) })
    expect(status(s)).toBe('proposed')
  })

  it('refuses a proposal with an invalid signature without touching the state', () => {
    const s = state({ owner: '1' })
    const signed = signManifest(ownerSeed, manifest())
    const bad = { ...signed, signature: signed.signature.replace(/^../, signed.signature.startsWith('00') ? '11' : '00') }
    expect(applyTx(s, propose('P1', bad), { slot: 0 })).toMatchObject({ ok: false, code: 'BAD_MANIFEST' })
    expect([s.registry.challenges.size, s.posts.size]).toEqual([0, 0])
  })
})
