// Signing-level equivocation, end to end without a network: a validator's two BLS checkpoint signatures for
// one epoch over different headers reach the ParSigDB (real BLS checks), which refuses the second and hands
// both to the evidence reporter; the Evidence body it submits slashes the offender in the ledger, once.
// Weights signatures (EVM, not verified by the ledger) are not reported.
import { describe, expect, it } from 'vitest'
import { fromHex, toHex, utf8 } from '../../../core/bytes.ts'
import { sha256 } from '../../../core/hash.ts'
import { Domain, signBls, verifyBls } from '../../../core/crypto/sign.ts'
import { createParSigDb, ParSigErrorCode, type ParSigMessage } from '../../../validator/core/parsig.ts'
import { checkpointSigningPayload } from '../../../validator/core/checkpoint.ts'
import { createEvidenceReporter } from '../../../validator/core/evidence-reporter.ts'
import type { OwnTxs } from '../../../validator/core/own-txs.ts'
import type { ValidatorSet } from '../../../validator/consensus/index.ts'
import { chain, ids, keys } from '../../ledger/chain.ts'

const silent = { warn() {}, info() {}, error() {}, debug() {} } as never
const OFFENDER = 1

/** A checkpoint partial signature by key `who` over the header named `header`, as gossip carries it. */
function signed(who: number, header: string, kind: ParSigMessage['kind'] = 'checkpoint'): ParSigMessage {
  const valueHash = toHex(sha256(utf8(header)))
  return { kind, epoch: 0, valueHash, signature: '0x' + toHex(signBls(keys[who]!.blsSecretKey, Domain.checkpoint, checkpointSigningPayload(valueHash))) }
}

function setup() {
  const sent: Record<string, unknown>[] = []
  const own = { submit: async (b: Record<string, unknown>) => { sent.push(b); return undefined } } as unknown as OwnTxs
  const reporter = createEvidenceReporter({ own, log: silent, validatorSet: () => ({ byId: () => undefined }) as unknown as ValidatorSet })
  const member = (s: string) => ids.slice(0, 4).indexOf(s)
  const parsig = createParSigDb({
    powerOf: (_k, s) => (member(s) >= 0 ? 1n : 0n),
    totalPower: () => 4n,
    verify: (_k, s, h, sig) => verifyBls(keys[member(s)]!.blsPublicKey, Domain.checkpoint, checkpointSigningPayload(h), fromHex(sig.replace(/^0x/, ''))),
    onConflict: reporter.onParSigConflict,
  })
  return { sent, parsig }
}

describe('checkpoint equivocation seen in the ParSigDB', () => {
  it('becomes one Evidence tx that the ledger verifies and slashes once', () => {
    const { sent, parsig } = setup()
    const offender = ids[OFFENDER]!
    parsig.add(offender, signed(OFFENDER, 'header-a'))
    const second = signed(OFFENDER, 'header-b')
    expect(parsig.check(offender, second)?.code).toBe(ParSigErrorCode.CONFLICTING)
    parsig.add(offender, second) // delivery checks again (add runs check): still one report
    expect(sent).toHaveLength(1)
    expect(sent[0]).toMatchObject({ type: 'Evidence', kind: 'checkpoint', offender, epoch: 0 })

    const c = chain({ balances: ['100', '100', '100', '100', '10'] })
    const stake = c.s.forum.availability.get(offender as never)!.amount
    const r = c.apply(1, [c.tx(4, sent[0]!), c.tx(0, sent[0]!)])
    expect(r.outcomes.map((o) => o.code ?? 'ok')).toEqual(['ok', 'EVIDENCE_DUPLICATE'])
    expect(c.s.forum.availability.get(offender as never)!.amount).toBe(stake - (stake * BigInt(c.s.forum.params.slashPpm)) / 1_000_000n)
  })

  it('an honest signer (one value) and a weights conflict are not reported', () => {
    const { sent, parsig } = setup()
    parsig.add(ids[0]!, signed(0, 'header-a'))
    parsig.add(ids[0]!, signed(0, 'header-a'))
    parsig.add(ids[2]!, signed(2, 'w-1', 'weights'))
    expect(parsig.check(ids[2]!, signed(2, 'w-2', 'weights'))?.code).toBe(ParSigErrorCode.CONFLICTING)
    expect(sent).toEqual([])
  })
})
