// The append-only journal (signer records): what was appended is read back after reopening, a torn last
// record is dropped (and a record appended over its remains reads back whole), a rewrite replaces the
// content, a synced append survives SIGKILL, and the preallocated file grows by chunks.
import { afterEach, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { frame, JOURNAL_CHUNK_BYTES, openFileJournal, parseJournal } from '../../validator/infra/db/journal.ts'

const dirs: string[] = []
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) })
const tmpFile = () => { const d = mkdtempSync(join(tmpdir(), 'agora-journal-')); dirs.push(d); return join(d, 'j.journal') }
const rec = (n: number, len: number) => new Uint8Array(len).fill(n % 251 + 1)

describe('file journal', () => {
  it('reads back every record appended, in order, after reopening', () => {
    const path = tmpFile()
    const j = openFileJournal(path)
    const want = [rec(1, 10), rec(2, 1), rec(3, 3000), rec(4, 40)]
    want.forEach((r, i) => j.append(r, i % 2 === 0))
    j.close()
    const again = openFileJournal(path)
    expect(again.records).toEqual(want)
    expect(again.size).toBe(want.reduce((n, r) => n + frame(r).length, 0))
    again.close()
  })

  it('drops a torn last record, and a shorter record appended over its remains reads back whole', () => {
    const path = tmpFile()
    const j = openFileJournal(path)
    j.append(rec(1, 20), true)
    j.append(rec(2, 500), true)
    j.close()
    // Tear the second record: its header and half its bytes landed, the rest did not.
    const bytes = new Uint8Array(readFileSync(path))
    const cut = frame(rec(1, 20)).length + 8 + 250
    bytes.fill(0, cut, frame(rec(1, 20)).length + frame(rec(2, 500)).length)
    writeFileSync(path, bytes)
    const torn = openFileJournal(path)
    expect(torn.records).toEqual([rec(1, 20)])
    torn.append(rec(3, 30), true)
    torn.close()
    expect(openFileJournal(path).records).toEqual([rec(1, 20), rec(3, 30)])
  })

  it('a record whose checksum does not match ends the journal (any byte flipped)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 8 + 63 }), (i) => {
      const good = frame(rec(7, 64))
      const bad = good.slice()
      bad[i] = bad[i]! ^ 0x40
      const parsed = parseJournal(new Uint8Array([...frame(rec(1, 5)), ...bad, ...frame(rec(2, 5)), 0, 0, 0, 0]))
      expect(parsed.records).toEqual([rec(1, 5)])
    }))
  })

  it('a rewrite replaces every record, durably, and appends continue after it', () => {
    const path = tmpFile()
    const j = openFileJournal(path)
    for (let i = 0; i < 50; i++) j.append(rec(i, 100), false)
    j.rewrite([rec(100, 5), rec(101, 6)])
    j.append(rec(102, 7), true)
    expect(j.size).toBe(frame(rec(100, 5)).length + frame(rec(101, 6)).length + frame(rec(102, 7)).length)
    j.close()
    expect(openFileJournal(path).records).toEqual([rec(100, 5), rec(101, 6), rec(102, 7)])
  })

  it('is preallocated in chunks: a file grows only when a record does not fit', () => {
    const path = tmpFile()
    const j = openFileJournal(path)
    expect(statSync(path).size).toBe(JOURNAL_CHUNK_BYTES)
    j.append(rec(1, 1000), true)
    expect(statSync(path).size).toBe(JOURNAL_CHUNK_BYTES)
    j.append(rec(2, JOURNAL_CHUNK_BYTES), true) // does not fit: one more chunk (at least its size)
    expect(statSync(path).size).toBeGreaterThan(JOURNAL_CHUNK_BYTES * 2)
    j.close()
    const back = openFileJournal(path).records // compared as buffers: toEqual walks a MiB element by element
    expect(back.map((r) => Buffer.from(r).equals(Buffer.from(rec(r[0]! - 1, r.length))))).toEqual([true, true])
    expect(back.map((r) => r.length)).toEqual([1000, JOURNAL_CHUNK_BYTES])
  })

  it('a synced append survives the process being killed (SIGKILL) right after it', () => {
    const path = tmpFile()
    const script = `
      import { openFileJournal } from ${JSON.stringify(new URL('../../validator/infra/db/journal.ts', import.meta.url).pathname)}
      const j = openFileJournal(${JSON.stringify(path)})
      for (let i = 0; i < 100; i++) j.append(new Uint8Array([i, i, i]), true)
      process.kill(process.pid, 'SIGKILL')`
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 })
    expect(r.signal).toBe('SIGKILL')
    const j = openFileJournal(path)
    expect(j.records).toEqual(Array.from({ length: 100 }, (_, i) => new Uint8Array([i, i, i])))
    j.close()
  })
})
