// A running node rereads its vote policy file when it changes; an invalid edit keeps the last good policy.
import { describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_VOTE_POLICY } from '../../../validator/core/pool-voter.ts'
import { saveVotePolicy, votePolicyPath, votePolicyReader } from '../../../validator/app/vote-policy.ts'

describe('votePolicyReader', () => {
  it('follows edits, keeps the last good policy on a bad one, and is the default once the file is gone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agora-policy-'))
    const errors: unknown[] = []
    const read = votePolicyReader(dir, (e) => errors.push(e))
    expect(read()).toEqual(DEFAULT_VOTE_POLICY)
    saveVotePolicy(dir, { version: 1, params: { txFee: 'for' }, stakePpm: 500_000 })
    expect(read().params).toEqual({ txFee: 'for' })
    writeFileSync(votePolicyPath(dir), '{"version": 2, "padding": "changes the size"}')
    expect(read().params).toEqual({ txFee: 'for' })
    expect(read().stakePpm).toBe(500_000)
    expect(errors).toHaveLength(1) // once per change, not once per slot
    rmSync(votePolicyPath(dir))
    expect(read()).toEqual(DEFAULT_VOTE_POLICY)
    rmSync(dir, { recursive: true, force: true })
  })
})
