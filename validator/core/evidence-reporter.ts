// Accountability: equivocation this node saw becomes an Evidence transaction (ledger/evidence.ts) in our own
// duty lane, so the next proposer includes it and the ledger slashes the offender once: two conflicting
// consensus votes (from consensus), or two checkpoint signatures for one epoch (from the ParSigDB).
import type { Evidence, ValidatorSet } from '../consensus/index.ts'
import { checkpointEvidenceTxBody, evidenceTxBody } from '../../ledger/evidence.ts'
import type { Logger } from '../infra/log.ts'
import type { OwnTxs } from './own-txs.ts'
import type { ParSigConflict } from './parsig.ts'

export interface EvidenceReporter {
  onConsensusEvidence(e: Evidence): void
  /** Only checkpoint (BLS) signatures are slashable: weights and set-update signatures are EVM ones the ledger does not verify. */
  onParSigConflict(c: ParSigConflict): void
}

export function createEvidenceReporter(m: { readonly own: OwnTxs; readonly log: Logger; validatorSet(): ValidatorSet }): EvidenceReporter {
  const reported = new Set<string>()
  // Once per offence: the ParSigDB sees a conflict at the gossip check and again when the message is delivered.
  const once = (key: string) => !reported.has(key) && !!reported.add(key)
  return {
    onConsensusEvidence(e) {
      const v = e.first.vote
      const offender = m.validatorSet().byId(e.signer)
      if (!offender || !once(`${e.signer}/${v.height}/${v.round}/${v.type}`)) return
      m.log.warn({ signer: e.signer, height: v.height, round: v.round }, 'consensus equivocation: submitting evidence')
      void m.own.submit(evidenceTxBody(e, offender.publicKey))
    },
    onParSigConflict(c) {
      if (c.kind !== 'checkpoint' || !once(`${c.signer}/checkpoint/${c.epoch}`)) return
      m.log.warn({ signer: c.signer, epoch: c.epoch }, 'checkpoint equivocation: submitting evidence')
      void m.own.submit(checkpointEvidenceTxBody(c.signer, c.epoch, c.first, c.second))
    },
  }
}
