// `agora gov policy` edits the node's voting-policy file and the node reads back what it wrote; bad edits
// (bad ranges: test/workflow/pool-voter.test.ts) and bad `gov propose --set` values are one error line, exit 1, before anything is sent.
// The first edit runs the real bin/agora.js; the rest run the same program in process (test/helpers/cli.ts).
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadVotePolicy } from '../../validator/app/vote-policy.ts'
import { agoraInProcess, runCli } from '../helpers/cli.ts'

describe('agora gov', () => {
  it('gov policy --param/--range/--default writes the file the node loads; "none" removes an entry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agora-gov-'))
    const set = runCli(['gov', 'policy', '--data-dir', dir, '--param', 'slotMs=against', '--param', 'committeeSize=for', '--range', 'committeeSize=4:16', '--default', 'against', '--json'])
    expect(set.status, set.stderr).toBe(0)
    expect(JSON.parse(set.stdout).policy).toEqual(loadVotePolicy(dir))
    expect(loadVotePolicy(dir)).toMatchObject({ default: 'against', params: { slotMs: 'against', committeeSize: 'for' }, envelope: { committeeSize: [4, 16] } })
    expect((await agoraInProcess(['gov', 'policy', '--data-dir', dir, '--param', 'slotMs=none'])).status).toBe(0)
    expect(loadVotePolicy(dir).params).toEqual({ committeeSize: 'for' })
  })

  it('refuses a bad choice and a bad --set value with one error line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agora-gov-'))
    for (const [args, msg] of [
      [['gov', 'policy', '--data-dir', dir, '--default', 'maybe'], /--default must be for, against or abstain/],
      [['gov', 'propose', '--set', 'committeeSize=eight', '--node', 'http://127.0.0.1:9/graphql'], /value must be an integer or true\/false/],
    ] as [string[], RegExp][]) {
      const r = await agoraInProcess(args, { AGORA_MNEMONIC: 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about' })
      expect(r.status, args.join(' ')).toBe(1)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toMatch(msg)
    }
  })
})
