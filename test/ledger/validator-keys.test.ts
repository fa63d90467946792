// Keys in the validator set: a StakeAvailability with keys registers the BLS key (proof of possession) and
// the EVM address (signature by that key); bad proofs and shared keys are refused with their codes; the
// certification set of the next epoch holds the newcomer with its power; the epoch seed follows the log
// and a submission for another epoch is refused; keys and seed survive a snapshot.
import { describe, expect, it } from 'vitest'
import { proveBlsPossession } from '../../core/crypto/sign.ts'
import { toHex, utf8 } from '../../core/bytes.ts'
import { cidOfBytes } from '../../core/encoding.ts'
import { ONE_REP } from '../../core/amount.ts'
import { applyAt, ids, keys, testGenesis } from './chain.ts'
import { createGenesisLedger, currentCertificationSet, LEDGER_RULES, ledgerStateRoot } from '../../ledger/ledger.ts'
import { signTx, type SignedTx } from '../../ledger/txs.ts'
import { restoreLedger, snapshotLedger } from '../../ledger/snapshot.ts'
import { challengeInstanceSeed } from '../../ledger/evaluations.ts'
import {
  KeyErrorCode, certificationSetFromWire, certificationSetHash, certificationSetToWire, isQuorum, sameEvmSet, validatorKeysInput,
} from '../../ledger/validator-keys.ts'

const NEW = 4
const OTHER = 5

const genesis = testGenesis({
  balances: ids.map(() => '1000'), credits: ids.map(() => '1000'),
  params: { epochSlots: 10, availabilityMinLockEpochs: 1, poolDurationSlots: 5 },
})

let nonce = 1
const tx = (who: number, body: Record<string, unknown>): SignedTx =>
  signTx(keys[who]!.ed25519Seed, keys[who]!.ed25519PublicKey, { ...body, sender: ids[who], nonce: nonce++ })
const apply = applyAt
const stake = (who: number, k = validatorKeysInput(keys[who]!, ids[who]!)) =>
  tx(who, { type: 'StakeAvailability', amount: (200n * ONE_REP).toString(), epochs: 5, keys: k })

describe('validator keys', () => {
  it('genesis validators certify epoch 0 with their genesis keys and powers', () => {
    const set = currentCertificationSet(createGenesisLedger(genesis))
    expect(set.members.map((m) => m.member)).toEqual([...ids.slice(0, 4)].sort())
    expect(set.total).toBe(400n * ONE_REP)
    expect(set.members.find((m) => m.member === ids[0])!.evmAddress).toBe(keys[0]!.evmAddress.toLowerCase())
  })

  it('a stake with keys puts the newcomer in the next epoch\'s certification set; the hand-over names it', () => {
    const s = createGenesisLedger(genesis)
    const r = apply(s, 1, [stake(NEW)])
    expect(r.outcomes[0]).toMatchObject({ ok: true })
    expect(currentCertificationSet(s).members.map((m) => m.member)).not.toContain(ids[NEW]) // power is fixed per epoch
    const closed = apply(s, 10, []).events.find((e) => e.type === 'epochClosed')
    if (closed?.type !== 'epochClosed') throw new Error('epoch 0 did not close')
    expect(closed.set.members.map((m) => m.member)).not.toContain(ids[NEW])
    const newcomer = closed.nextSet.members.find((m) => m.member === ids[NEW])
    expect(newcomer).toMatchObject({ power: 200n * ONE_REP, blsPublicKey: '0x' + toHex(keys[NEW]!.blsPublicKey) })
    expect(certificationSetHash(closed.nextSet)).toBe(certificationSetHash(currentCertificationSet(s)))
    expect(certificationSetHash(closed.nextSet)).not.toBe(certificationSetHash(closed.set))
    expect(sameEvmSet(closed.set, closed.nextSet)).toBe(false)
    // The wire form round-trips to the same hash (a checkpoint record carries the next set).
    expect(certificationSetHash(certificationSetFromWire(certificationSetToWire(closed.nextSet)))).toBe(certificationSetHash(closed.nextSet))
  })

  it('refuses a bad BLS proof, a bad EVM proof, a key another member holds, and a change of keys', () => {
    const s = createGenesisLedger(genesis)
    const good = validatorKeysInput(keys[NEW]!, ids[NEW]!)
    const otherProof = validatorKeysInput(keys[OTHER]!, ids[OTHER]!)
    const cases: [SignedTx, string][] = [
      [stake(NEW, { ...good, blsProof: otherProof.blsProof }), KeyErrorCode.BAD_BLS_PROOF],
      [stake(NEW, { ...good, evmProof: otherProof.evmProof }), KeyErrorCode.BAD_EVM_PROOF],
      // OTHER proves possession of genesis validator 0's BLS key (its secret leaked): still one key, one member.
      [stake(OTHER, { ...otherProof, blsPublicKey: '0x' + toHex(keys[0]!.blsPublicKey), blsProof: '0x' + toHex(proveBlsPossession(keys[0]!.blsSecretKey)) }), KeyErrorCode.KEY_TAKEN],
      [stake(0, good), KeyErrorCode.KEYS_FIXED],
    ]
    const r = apply(s, 1, cases.map(([t]) => t))
    expect(r.outcomes.map((o) => o.code)).toEqual(cases.map(([, code]) => code))
    // Nothing was registered or locked by the refused stakes.
    expect(s.validatorKeys.has(ids[NEW]!)).toBe(false)
    expect(s.forum.accounts.get(ids[NEW] as never)?.locked ?? 0n).toBe(0n)
  })

  it('seeds each epoch with the last block of the one before and refuses a submission for another epoch', () => {
    const s = createGenesisLedger(genesis)
    const seed0 = s.epochSeed
    apply(s, 3, [])
    const lastOfEpoch0 = s.lastBlockHash
    apply(s, 11, [])
    expect(s.epochSeed).toBe(lastOfEpoch0)
    expect(s.epochSeed).not.toBe(seed0)
    const payload = utf8('nonce')
    const sub = (epoch: number) => tx(NEW, { type: 'Submission', challenge: 'pow', payloadCid: cidOfBytes(payload), payloadBytes: payload.length, epoch })
    // Past epoch 0's grace: the grace's blocks (the first of epoch 1 at slot 11 included) have come.
    for (let i = 1; i < LEDGER_RULES.lateWorkGraceBlocks; i++) apply(s, 11 + i, [])
    const r = apply(s, 11 + LEDGER_RULES.lateWorkGraceBlocks, [sub(0), sub(1)])
    expect(r.outcomes.map((o) => o.code ?? 'ok')).toEqual(['STALE_EPOCH', 'ok'])
    expect([...s.evals.submissions.values()][0]!.seed).toBe(challengeInstanceSeed(lastOfEpoch0, 'pow'))
    expect(challengeInstanceSeed(lastOfEpoch0, 'pow')).not.toBe(challengeInstanceSeed(seed0, 'pow'))
  })

  it('accepts late work for the previous epoch in its grace blocks (however many slots they span), with that epoch\'s seed, and not after', () => {
    const s = createGenesisLedger(genesis)
    apply(s, 3, [])
    const seedOfEpoch1 = s.lastBlockHash
    apply(s, 12, []) // epoch 1 starts at slot 10
    const lastOfEpoch1 = s.lastBlockHash
    const start2 = 20
    apply(s, start2, []) // the first block of epoch 2
    expect(s.prevEpochSeed).toBe(seedOfEpoch1)
    expect(s.epochSeed).toBe(lastOfEpoch1)
    const sub = (epoch: number, text: string) => {
      const payload = utf8(text)
      return tx(NEW, { type: 'Submission', challenge: 'pow', payloadCid: cidOfBytes(payload), payloadBytes: payload.length, epoch })
    }
    // In grace: epoch 1's work counts, with epoch 1's seed; epoch 0's is stale. The epoch's second block
    // comes 5 slots after its first (a slow chain): counted in slots (4), the grace was over before it.
    const inGrace = apply(s, start2 + 5, [sub(1, 'late'), sub(0, 'older'), sub(2, 'fresh')])
    expect(inGrace.outcomes.map((o) => o.code ?? 'ok')).toEqual(['ok', 'STALE_EPOCH', 'ok'])
    const seeds = [...s.evals.submissions.values()].map((x) => x.seed)
    expect(seeds).toEqual([challengeInstanceSeed(s.prevEpochSeed, 'pow'), challengeInstanceSeed(s.epochSeed, 'pow')])
    expect(s.prevEpochSeed).not.toBe(s.epochSeed)
    // After the grace's blocks (the epoch's first two and the empty ones): refused.
    for (let i = 2; i < LEDGER_RULES.lateWorkGraceBlocks; i++) apply(s, start2 + 4 + i, [])
    const after = apply(s, start2 + 4 + LEDGER_RULES.lateWorkGraceBlocks, [sub(1, 'too late')])
    expect(s.forum.epoch).toBe(2)
    expect(after.outcomes.map((o) => o.code ?? 'ok')).toEqual(['STALE_EPOCH'])
  })

  it('keys and the epoch seed survive a snapshot (same state root)', () => {
    const s = createGenesisLedger(genesis)
    apply(s, 1, [stake(NEW)])
    apply(s, 10, [])
    const restored = restoreLedger(snapshotLedger(s))
    expect(ledgerStateRoot(restored)).toBe(ledgerStateRoot(s))
    expect(restored.validatorKeys.get(ids[NEW]!)).toEqual(s.validatorKeys.get(ids[NEW]!))
    expect(restored.epochSeed).toBe(s.epochSeed)
    expect(restored.prevEpochSeed).toBe(s.prevEpochSeed)
  })

  it('a quorum is strictly more than 2/3 of the power', () => {
    for (const [signed, total] of [[2n, 3n], [3n, 4n], [0n, 0n], [67n, 100n]] as const) {
      expect(isQuorum(signed, total)).toBe(total > 0n && signed * 3n > total * 2n)
    }
  })
})
