// Accountability: equivocation our consensus saw becomes an Evidence transaction (ledger/evidence.ts) in our
// own duty lane, so the next proposer includes it and the ledger slashes the offender once.
import type { Evidence, ValidatorSet } from '../consensus/index.ts'
import { evidenceTxBody } from '../../ledger/evidence.ts'
import type { Logger } from '../infra/log.ts'
import type { OwnTxs } from './own-txs.ts'

export interface EvidenceReporter { onConsensusEvidence(e: Evidence): void }

export function createEvidenceReporter(m: { readonly own: OwnTxs; readonly log: Logger; validatorSet(): ValidatorSet }): EvidenceReporter {
  const reported = new Set<string>()
  return {
    onConsensusEvidence(e) {
      const v = e.first.vote
      const key = `${e.signer}/${v.height}/${v.round}/${v.type}`
      const offender = m.validatorSet().byId(e.signer)
      if (reported.has(key) || !offender) return
      reported.add(key)
      m.log.warn({ signer: e.signer, height: v.height, round: v.round }, 'consensus equivocation: submitting evidence')
      void m.own.submit(evidenceTxBody(e, offender.publicKey))
    },
  }
}
