import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RocksStore } from '../../validator/infra/db/rocks.ts'
import { createDutyDb } from '../../validator/infra/db/dutydb.ts'

const dirs: string[] = []
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) })
const h = (n: number) => new Uint8Array(32).fill(n)

describe('DutyDB (slashing protection)', () => {
  it('one value per (duty, key): same value is idempotent, a different one is refused, across reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agora-duty-')); dirs.push(dir)
    let store = await RocksStore.open(dir)
    let db = createDutyDb(store)
    const duty = { type: 'WEIGHTS' as const, slot: 40 }
    await db.decide(duty, 'epoch-4', h(1))
    await db.decide(duty, 'epoch-4', h(1))
    await expect(db.decide(duty, 'epoch-4', h(2))).rejects.toThrow(/refusing to sign WEIGHTS/)
    await db.decide(duty, 'epoch-5', h(2))
    await db.decide({ type: 'CHECKPOINT', slot: 40 }, 'epoch-4', h(3))
    await store.close()
    store = await RocksStore.open(dir)
    db = createDutyDb(store)
    await expect(db.decide(duty, 'epoch-4', h(9))).rejects.toMatchObject({ code: 'DUTY_CONFLICT' })
    expect(await db.get(duty, 'epoch-4')).toEqual(h(1))
    await store.close()
  })

  it('concurrent decisions for one duty: exactly one value wins', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agora-duty-')); dirs.push(dir)
    const store = await RocksStore.open(dir)
    const db = createDutyDb(store)
    const duty = { type: 'CONSENSUS' as const, slot: 7 }
    const results = await Promise.allSettled([1, 2, 3, 4].map((i) => db.decide(duty, 'h7/r0/commit', h(i))))
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    await store.close()
  })
})
