// The evaluator under backpressure: a submission the runtime refuses with QUEUE_FULL is not lost, it is
// tried again at the next drain (the next slot) and then reported.
import { describe, expect, it } from 'vitest'
import { AgoraError } from '../../../core/errors.ts'
import { createEvaluator } from '../../../validator/core/evaluator.ts'
import type { SubmissionRecord } from '../../../ledger/evaluations.ts'

const silent = { warn() {}, info() {}, error() {}, debug() {} } as never
const sub = { id: 'ab'.repeat(32), challenge: 'pow', payloadCid: 'cid', seed: '00'.repeat(32), revealHeight: 9 } as unknown as SubmissionRecord

describe('evaluator', () => {
  it('retries a submission refused by a full runtime queue at the next drain', async () => {
    let calls = 0
    const runtime = {
      evaluate: async () => {
        if (calls++ === 0) throw new AgoraError('QUEUE_FULL', 'queue full')
        return { ok: false, noResult: false, error: { code: 'TRAP_UNREACHABLE', message: 'trap' }, output: new Uint8Array(0), fuelUsed: 5n }
      },
    } as never
    const ev = createEvaluator({ runtime, log: silent, challenge: async () => ({ module: new Uint8Array(1), policy: {} as never }), payload: async () => new Uint8Array(1) })
    ev.assign(sub)
    await ev.idle()
    expect(ev.drain()).toEqual([]) // refused: nothing to report yet, queued for a retry
    await ev.idle()
    const reports = ev.drain()
    expect(calls).toBe(2)
    expect(reports.map((r) => [r.report.submission, r.report.ok, r.revealHeight])).toEqual([[sub.id, true, 9]])
  })
})
