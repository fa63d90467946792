// The registry through signed transactions and blocks: a step whose pool passes is recorded at once and
// takes effect for submissions at the next epoch boundary (activation and deprecation); a proposal whose pool
// fails is withdrawn and a retired name is free, so either may be proposed again; a genesis name is refused.
import { describe, expect, it } from 'vitest'
import { ONE_REP } from '../../core/amount.ts'
import { toHex, utf8 } from '../../core/bytes.ts'
import { cidOfBytes } from '../../core/encoding.ts'
import { sha256 } from '../../core/hash.ts'
import { userPoolId, userPostId } from '../../ledger/ids.ts'
import { signManifest } from '../../registry/manifest.ts'
import { chain, ids } from '../ledger/chain.ts'

const OWNER = 4
const manifest = (name: string, version = '1.0.0') => ({
  name, version, description: name, moduleHash: toHex(sha256(utf8(`${name} ${version}`))), entryPoints: ['evaluate'], emissionSharePpm: 100_000,
  policy: { fuelLimit: 1_000_000, memoryPages: 16, hostFunctions: ['input_read' as const, 'output_write' as const], floats: 'deny' as const },
})

describe('registry lifecycle on the ledger', () => {
  it('steps take effect at the boundary, and a failed or retired name may be proposed again', () => {
    const c = chain({ balances: ['500', '500', '500', '500', '100'], credits: ['0', '0', '0', '0', '100'] })
    const params = c.s.forum.params
    const status = () => c.s.forum.registry.challenges.get('sorting')?.status
    let slot = 1
    /** Post (or propose) as OWNER, open its pool, and have validators 0–2 stake 300 REP each if `support`. */
    const govern = (first: (post: string) => Record<string, unknown>, support: boolean) => {
      const post = userPostId(ids[OWNER]!, c.nextNonce(OWNER))
      const opening = c.tx(OWNER, first(post))
      const pool = userPoolId(ids[OWNER]!, c.nextNonce(OWNER))
      const open = c.tx(OWNER, { type: 'InitiatePool', id: pool, post, fee: params.govMinPoolFee.toString() })
      const votes = support ? [0, 1, 2].map((who) => c.tx(who, { type: 'Stake', pool, amount: (300n * ONE_REP).toString(), inFavor: true })) : []
      const r = c.apply(slot, [opening, open, ...votes])
      expect(r.outcomes.map((o) => o.code ?? 'ok')).toEqual(r.outcomes.map(() => 'ok'))
      // A block every slot: its window's slots and blocks pass together, and the last block resolves it.
      for (let i = 0; i < params.govMinDurationSlots; i++) c.apply(++slot, [])
      slot++
      return c.s.forum.pools.get(pool as never)!.outcome!
    }
    const propose = (name: string, version?: string) => (post: string) => ({ type: 'ProposeChallenge', post, signed: signManifest(new Uint8Array(32).fill(OWNER), manifest(name, version)) })
    const step = (to: string) => (post: string) => ({ type: 'Post', id: post, authors: { [ids[OWNER]!]: 1_000_000 }, citations: {}, payload: { kind: 'challenge', name: 'sorting', to } })
    const submit = (tag: string) => {
      const bytes = utf8(tag)
      return c.apply(slot++, [c.tx(5, { type: 'Submission', challenge: 'sorting', payloadCid: cidOfBytes(bytes), payloadBytes: bytes.length })]).outcomes[0]!
    }
    const toBoundary = () => { slot = (Math.floor(slot / params.epochSlots) + 1) * params.epochSlots; c.apply(slot++, []) }
    // A pool opened 3 slots into an epoch resolves (8 slots later) 1 slot into the next one: mid-epoch.
    const intoNextEpoch = () => { slot = (Math.floor(slot / params.epochSlots) + 1) * params.epochSlots + 3 }
    expect(params.govMinDurationSlots).toBe(8)
    expect(params.epochSlots).toBe(10)

    // A genesis name is refused outright.
    expect(c.apply(slot++, [c.tx(OWNER, propose('pow')(userPostId(ids[OWNER]!, c.nextNonce(OWNER))))]).outcomes[0]).toMatchObject({ ok: false, code: 'GENESIS_NAME' })
    // No support: the pool fails and the proposal is withdrawn; the name is free at once.
    expect(govern(propose('sorting'), false)).toMatchObject({ passed: false })
    expect(status()).toBeUndefined()
    // Proposed again, with support: active in the registry at once ...
    intoNextEpoch()
    expect(govern(propose('sorting', '1.0.1'), true)).toMatchObject({ passed: true })
    expect(status()).toBe('active')
    // ... taking work only from the next boundary (the epoch's table is fixed at its start).
    expect(submit('early')).toMatchObject({ ok: false, code: 'UNKNOWN_CHALLENGE' })
    toBoundary()
    expect(submit('work')).toMatchObject({ ok: true })
    // Deprecated: recorded at once, still taking work until the boundary, refused after it.
    intoNextEpoch()
    expect(govern(step('deprecated'), true)).toMatchObject({ passed: true })
    expect(status()).toBe('deprecated')
    expect(submit('still')).toMatchObject({ ok: true })
    toBoundary()
    expect(submit('late')).toMatchObject({ ok: false, code: 'UNKNOWN_CHALLENGE' })
    // Retired: the name is free for a new proposal.
    expect(govern(step('retired'), true)).toMatchObject({ passed: true })
    expect(status()).toBe('retired')
    const again = c.apply(slot++, [c.tx(OWNER, propose('sorting', '0.1.0')(userPostId(ids[OWNER]!, c.nextNonce(OWNER))))])
    expect(again.outcomes[0]).toMatchObject({ ok: true })
    expect([status(), c.s.forum.registry.challenges.get('sorting')!.manifest.version]).toEqual(['proposed', '0.1.0'])
  })
})
