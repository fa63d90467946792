// The node's signer stores (slashing protection) against the in-memory model: the journal one and the
// RocksDB-bucket one give the same answers for any sequence of records, prepared states, resumes and
// restarts; on a real RocksDB what was recorded survives reopening and SIGKILL; the journal keeps the
// newest heights through a compaction and takes over what a node recorded in the buckets before it.
import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { RocksStore } from '../../validator/infra/db/rocks.ts'
import { MemoryStore } from '../../validator/infra/db/memory.ts'
import { spawnSync } from 'node:child_process'
import { bucketSignerStore, rocksSignerStore, SIGNER_HEIGHTS_KEPT, SIGNER_JOURNAL } from '../../validator/infra/db/signer-store.ts'
import { JOURNAL_HEIGHTS_KEPT, JOURNAL_PREPARED_KEPT, journalSignerStore } from '../../validator/infra/db/signer-journal.ts'
import { memorySignerStore, MsgType, type PreparedState, type VoteType } from '../../validator/consensus/index.ts'
import type { Block } from '../../ledger/block.ts'

const dirs: string[] = []
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) })

const hash = (n: number) => new Uint8Array(32).fill(n)
const ZERO = '0'.repeat(64)
const preparedAt = (height: number, round: number, v: number): PreparedState<Block> => ({
  round, valueHash: hash(v), justification: [],
  value: { height, slot: height, prevHash: ZERO, prevStateRoot: ZERO, proposer: `p${v}`, txs: [] },
})
const TYPES: VoteType[] = [MsgType.PRE_PREPARE, MsgType.PREPARE, MsgType.COMMIT, MsgType.ROUND_CHANGE]

type Op =
  | { op: 'record'; height: number; round: number; type: number; v: number }
  | { op: 'prepared'; height: number; round: number; v: number }
  | { op: 'resume'; height: number }
  | { op: 'restart' }

const height = fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 * SIGNER_HEIGHTS_KEPT }))
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('record' as const), height, round: fc.integer({ min: 0, max: 3 }), type: fc.integer({ min: 0, max: 3 }), v: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ op: fc.constant('prepared' as const), height, round: fc.integer({ min: 0, max: 3 }), v: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ op: fc.constant('resume' as const), height }),
  fc.constant({ op: 'restart' as const }),
)

const IMPLEMENTATIONS = [['journal', rocksSignerStore], ['buckets', bucketSignerStore]] as const

for (const [name, open] of IMPLEMENTATIONS) describe(`signer store on ${name}`, () => {
  it('a prepared state with no signed row at its height survives a restart (the lock is kept)', async () => {
    const db = new MemoryStore()
    await open(db).savePrepared(1, preparedAt(1, 0, 1))
    const store = open(db)
    expect(await store.recordSigned(1, 0, TYPES[0]!, hash(1))).toBe(true)
    expect((await store.loadResume(1))?.prepared?.round).toBe(0)
  })

  it('answers like the in-memory model across restarts and heights dropped from memory', async () => {
    await fc.assert(fc.asyncProperty(fc.array(opArb, { maxLength: 120 }), async (ops) => {
      const db = new MemoryStore()
      const model = memorySignerStore<Block>()
      let store = open(db)
      for (const o of ops) {
        if (o.op === 'restart') { store = open(db); continue }
        if (o.op === 'record') {
          const t = TYPES[o.type]!
          expect(await store.recordSigned(o.height, o.round, t, hash(o.v))).toBe(await model.recordSigned(o.height, o.round, t, hash(o.v)))
        } else if (o.op === 'prepared') {
          await store.savePrepared(o.height, preparedAt(o.height, o.round, o.v))
          await model.savePrepared(o.height, preparedAt(o.height, o.round, o.v))
        } else {
          const [got, want] = [await store.loadResume(o.height), await model.loadResume(o.height)]
          expect(got?.round).toBe(want?.round)
          expect(got?.prepared?.round).toBe(want?.prepared?.round)
          expect(got?.prepared?.valueHash).toEqual(want?.prepared?.valueHash)
        }
      }
    }), { numRuns: 150 })
  })

  it('refuses a conflicting vote after a real RocksDB is closed and reopened', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agora-signer-')); dirs.push(dir)
    const db = await RocksStore.open(dir)
    const s = open(db)
    expect(await s.recordSigned(5, 1, MsgType.PREPARE, hash(1))).toBe(true)
    await s.savePrepared(5, preparedAt(5, 1, 1))
    expect(await s.recordSigned(5, 1, MsgType.COMMIT, hash(1))).toBe(true) // synced: the prepared state with it
    await db.close()
    const again = await RocksStore.open(dir)
    const s2 = open(again)
    expect(await s2.recordSigned(5, 1, MsgType.PREPARE, hash(2))).toBe(false)
    expect(await s2.recordSigned(5, 1, MsgType.PREPARE, hash(1))).toBe(true)
    const r = await s2.loadResume(5)
    expect(r?.round).toBe(1)
    expect(r?.prepared?.valueHash).toEqual(hash(1))
    expect(r?.prepared?.value.proposer).toBe('p1')
    await again.close()
  })
})

describe('signer journal', () => {
  it('after a compaction keeps the newest heights (signed rows; prepared states of the newest two) and refuses conflicts there', async () => {
    const db = new MemoryStore()
    const opts = { compactBytes: 20_000 }
    let s = journalSignerStore(db.journal(SIGNER_JOURNAL), db, opts)
    const top = 4 * JOURNAL_HEIGHTS_KEPT
    for (let h = 1; h <= top; h++) {
      expect(await s.recordSigned(h, 0, MsgType.PREPARE, hash(1))).toBe(true)
      await s.savePrepared(h, preparedAt(h, 0, 1))
      expect(await s.recordSigned(h, 0, MsgType.COMMIT, hash(1))).toBe(true)
    }
    const journal = db.journal(SIGNER_JOURNAL)
    expect(journal.size).toBeLessThan(opts.compactBytes + 2_000) // compacted (uncompacted: ~4× that)
    s = journalSignerStore(journal, db, opts)
    for (let h = top - JOURNAL_HEIGHTS_KEPT; h <= top; h++) {
      expect(await s.recordSigned(h, 0, MsgType.PREPARE, hash(2))).toBe(false)
      expect(await s.recordSigned(h, 0, MsgType.COMMIT, hash(1))).toBe(true)
    }
    expect((await s.loadResume(top))?.prepared?.valueHash).toEqual(hash(1))
    expect((await s.loadResume(top - JOURNAL_PREPARED_KEPT))?.prepared?.round).toBe(0)
  })

  it('takes over the newest heights a node recorded in the RocksDB buckets before it had a journal', async () => {
    const db = new MemoryStore()
    const old = bucketSignerStore(db)
    for (let h = 1; h <= 100; h++) expect(await old.recordSigned(h, 2, MsgType.PREPARE, hash(1))).toBe(true)
    await old.savePrepared(100, preparedAt(100, 2, 1))
    const s = rocksSignerStore(db)
    for (let h = 100 - JOURNAL_HEIGHTS_KEPT; h <= 100; h++) expect(await s.recordSigned(h, 2, MsgType.PREPARE, hash(2))).toBe(false)
    const r = await s.loadResume(100)
    expect(r?.round).toBe(2)
    expect(r?.prepared?.value.proposer).toBe('p1')
    // Copied once: what the buckets get later is not the journal's business (nothing writes them any more).
    await bucketSignerStore(db).recordSigned(101, 0, MsgType.PREPARE, hash(1))
    expect(await rocksSignerStore(db).recordSigned(101, 0, MsgType.PREPARE, hash(2))).toBe(true)
  })

  it('never lets a vote acknowledged before SIGKILL be signed with another value after the restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agora-signer-kill-')); dirs.push(dir)
    const mod = (p: string) => JSON.stringify(new URL(p, import.meta.url).pathname)
    // Each vote's height is printed once its record resolved (stdout to a pipe is synchronous on Linux).
    const script = `
      import { RocksStore } from ${mod('../../validator/infra/db/rocks.ts')}
      import { rocksSignerStore } from ${mod('../../validator/infra/db/signer-store.ts')}
      const db = await RocksStore.open(${JSON.stringify(dir)})
      const s = rocksSignerStore(db)
      const last = 50 + Math.floor(Math.random() * 200) // the journal answers without yielding: no timer
      for (let h = 1; ; h++) {
        if (h === last) process.kill(process.pid, 'SIGKILL')
        await s.savePrepared(h, { round: 0, valueHash: new Uint8Array(32).fill(1), justification: [], value: { height: h, slot: h, prevHash: '0'.repeat(64), prevStateRoot: '0'.repeat(64), proposer: 'p1', txs: [] } })
        await s.recordSigned(h, 0, 3, new Uint8Array(32).fill(1))
        process.stdout.write(h + '\\n')
      }`
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 })
    expect(r.signal).toBe('SIGKILL')
    const acked = r.stdout.split('\n').filter((l) => l !== '').map(Number)
    expect(acked.length).toBeGreaterThan(0)
    const db = await RocksStore.open(dir)
    const s = rocksSignerStore(db)
    for (const h of acked.slice(-JOURNAL_HEIGHTS_KEPT)) {
      expect(await s.recordSigned(h, 0, MsgType.COMMIT, hash(2))).toBe(false)
      expect((await s.loadResume(h))?.prepared?.valueHash).toEqual(hash(1))
    }
    await db.close()
  })
})
