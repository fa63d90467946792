// The evidence reporter turns equivocation seen by consensus into one Evidence transaction per offence,
// only for members of the current set.
import { describe, expect, it } from 'vitest'
import { createEvidenceReporter } from '../../../validator/core/evidence-reporter.ts'
import type { Evidence, ValidatorSet } from '../../../validator/consensus/index.ts'
import type { OwnTxs } from '../../../validator/core/own-txs.ts'

const silent = { warn() {}, info() {}, error() {}, debug() {} } as never
const vote = (valueHash: number) => ({ instance: 'block', height: 7, round: 0, type: 2, valueHash: new Uint8Array(32).fill(valueHash), preparedRound: -1, preparedValueHash: new Uint8Array(32) })
const evidence = (signer: string): Evidence => ({
  kind: 'equivocation', signer,
  first: { vote: vote(1), signer, signature: new Uint8Array(64).fill(1) },
  second: { vote: vote(2), signer, signature: new Uint8Array(64).fill(2) },
} as never)

describe('evidence reporter', () => {
  it('submits one Evidence tx per offence of a set member, none for strangers', () => {
    const sent: Record<string, unknown>[] = []
    const own = { submit: async (b: Record<string, unknown>) => { sent.push(b); return undefined } } as unknown as OwnTxs
    const set = { byId: (id: string) => (id === 'mallory' ? { id, publicKey: new Uint8Array(32).fill(9), power: 1n } : undefined) } as unknown as ValidatorSet
    const r = createEvidenceReporter({ own, log: silent, validatorSet: () => set })
    r.onConsensusEvidence(evidence('mallory'))
    r.onConsensusEvidence(evidence('mallory'))
    r.onConsensusEvidence(evidence('stranger'))
    expect(sent).toHaveLength(1)
    expect(sent[0]).toMatchObject({ type: 'Evidence', offender: 'mallory', publicKey: '09'.repeat(32) })
  })
})
