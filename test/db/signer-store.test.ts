// The RocksDB signer store (slashing protection) against the in-memory model: the same answers for any
// sequence of records, prepared states, resumes and restarts, also for heights it dropped from memory;
// and on a real RocksDB what it recorded survives reopening.
import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { RocksStore } from '../../validator/infra/db/rocks.ts'
import { MemoryStore } from '../../validator/infra/db/memory.ts'
import { rocksSignerStore, SIGNER_HEIGHTS_KEPT } from '../../validator/infra/db/signer-store.ts'
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

describe('rocksSignerStore', () => {
  it('a prepared state with no signed row at its height survives a restart (the lock is kept)', async () => {
    const db = new MemoryStore()
    await rocksSignerStore(db).savePrepared(1, preparedAt(1, 0, 1))
    const store = rocksSignerStore(db)
    expect(await store.recordSigned(1, 0, TYPES[0]!, hash(1))).toBe(true)
    expect((await store.loadResume(1))?.prepared?.round).toBe(0)
  })

  it('answers like the in-memory model across restarts and heights dropped from memory', async () => {
    await fc.assert(fc.asyncProperty(fc.array(opArb, { maxLength: 120 }), async (ops) => {
      const db = new MemoryStore()
      const model = memorySignerStore<Block>()
      let store = rocksSignerStore(db)
      for (const o of ops) {
        if (o.op === 'restart') { store = rocksSignerStore(db); continue }
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
    const s = rocksSignerStore(db)
    expect(await s.recordSigned(5, 1, MsgType.PREPARE, hash(1))).toBe(true)
    await s.savePrepared(5, preparedAt(5, 1, 1))
    expect(await s.recordSigned(5, 1, MsgType.COMMIT, hash(1))).toBe(true) // synced: the prepared state with it
    await db.close()
    const again = await RocksStore.open(dir)
    const s2 = rocksSignerStore(again)
    expect(await s2.recordSigned(5, 1, MsgType.PREPARE, hash(2))).toBe(false)
    expect(await s2.recordSigned(5, 1, MsgType.PREPARE, hash(1))).toBe(true)
    const r = await s2.loadResume(5)
    expect(r?.round).toBe(1)
    expect(r?.prepared?.valueHash).toEqual(hash(1))
    expect(r?.prepared?.value.proposer).toBe('p1')
    await again.close()
  })
})
