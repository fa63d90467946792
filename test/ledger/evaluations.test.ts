// A submission no committee member had a result for (every report ok = false, or none revealed) is final
// at its deadline but has no score: the ledger leaves it out of the weights and the API says "no-result"
// with a null finalScore, where a real 0 (a deterministic trap, agreed by a quorum) stays a score of 0.
import { describe, expect, it } from 'vitest'
import { addCommit, addReport, addSubmission, computeEpochResult, emptyEvalState, finalizeReady, submissionOutcome, type EvalState } from '../../ledger/evaluations.ts'
import { reportCommitment, type EvaluationReport } from '../../ledger/txs.ts'
import { dtoSubmission } from '../../validator/core/node-view.ts'

const COMMITTEE = ['val-a', 'val-b', 'val-c'].map((validator) => ({ validator, power: 10n }))
const hex = (c: string) => c.repeat(64)
// Block heights: the windows count blocks (a block's slot is only recorded; here it is 10 slots on).
const REVEAL = 14
const DEADLINE = 19
const at = (height: number) => ({ height, slot: height + 10 })

function submit(s: EvalState, id: string, miner: string): void {
  addSubmission(s, { id, miner, challenge: 'sorter', payloadCid: `cid-${id}`, payloadBytes: 10, height: 1, slot: 10, epoch: 0, seed: hex('0'), revealHeight: REVEAL, deadlineHeight: DEADLINE, committee: COMMITTEE })
}

/** Each member commits inside the window, then reveals: `ok` false is "no result" (score 0 by convention). */
function reportAll(s: EvalState, id: string, r: { score: number; outputHash: string; ok: boolean }): void {
  const reports = COMMITTEE.map((m, i): [string, EvaluationReport] => [m.validator, { submission: id, score: r.score, fuelUsed: 0n, outputHash: r.outputHash, ok: r.ok, salt: hex(String(i + 1)) }])
  for (const [v, rep] of reports) expect(addCommit(s, v, { submission: id, commitment: reportCommitment(v, rep) }, REVEAL - 1)).toBe('recorded')
  for (const [v, rep] of reports) expect(addReport(s, v, rep, at(REVEAL))).toBe('recorded')
}

describe('evaluation outcomes', () => {
  it('a submission with no result anywhere is final without a score; a real 0 is a score', () => {
    const s = emptyEvalState()
    const none = hex('a'), zero = hex('b'), scored = hex('c')
    submit(s, none, 'miner-1')
    submit(s, zero, 'miner-2')
    submit(s, scored, 'miner-3')
    reportAll(s, none, { score: 0, outputHash: hex('d'), ok: false }) // e.g. every member's backstop fired
    reportAll(s, zero, { score: 0, outputHash: hex('e'), ok: true }) // the program trapped: a deterministic 0
    reportAll(s, scored, { score: 500_000, outputHash: hex('f'), ok: true })

    // Before the deadline only the quorums finalize; "no result" reports are not votes.
    expect(finalizeReady(s, at(REVEAL), 0).map((f) => f.submission.id).sort()).toEqual([zero, scored].sort())
    expect(submissionOutcome(s.submissions.get(none)!)).toBe('pending')
    expect(finalizeReady(s, at(DEADLINE), 0).map((f) => f.submission.id)).toEqual([none])

    const dto = (id: string) => dtoSubmission(s.submissions.get(id)!)
    expect(dto(none)).toMatchObject({ final: true, outcome: 'no-result', finalScore: null })
    expect(dto(none).reports.every((r) => !r.ok)).toBe(true)
    expect(dto(zero)).toMatchObject({ final: true, outcome: 'quorum', finalScore: '0' })
    expect(dto(zero).reports.every((r) => r.ok)).toBe(true)
    expect(dto(scored)).toMatchObject({ final: true, outcome: 'quorum', finalScore: '500000' })

    // Only the scored miner has a weight; the no-result one is not ranked (not even at 0).
    const r = computeEpochResult(s, 0, [{ id: 'sorter', emissionSharePpm: 1_000_000 }])
    expect(r.uids.map((u) => r.miners[u])).toEqual(['miner-3'])
  })
})
