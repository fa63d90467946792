import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import fc from 'fast-check'
import { RocksStore } from '../../validator/infra/db/rocks.ts'
import { MemoryStore } from '../../validator/infra/db/memory.ts'
import type { KvStore } from '../../validator/infra/db/kv.ts'
import { Bucket, Repository, cborValue, uintKey, stringKey } from '../../validator/infra/db/repository.ts'
import { utf8 } from '../../core/bytes.ts'

const dirs: string[] = []
const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'agora-db-')); dirs.push(d); return d }
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) })

describe('RocksStore', () => {
  it('data written with sync survives closing and reopening', async () => {
    const dir = tmp()
    const db = await RocksStore.open(dir)
    const repo = new Repository<number, { v: string }>(db, Bucket.test, uintKey, cborValue())
    await repo.put(1, { v: 'one' }, { sync: true })
    await db.batch([repo.putOp(2, { v: 'two' })], { sync: true })
    await db.close()
    const again = await RocksStore.open(dir)
    const repo2 = new Repository<number, { v: string }>(again, Bucket.test, uintKey, cborValue())
    expect(await repo2.get(1)).toEqual({ v: 'one' })
    expect(await repo2.get(2)).toEqual({ v: 'two' })
    expect(await repo2.get(3)).toBeUndefined()
    await again.close()
  })

  it('a synced write survives the process being killed (SIGKILL) before close', async () => {
    const dir = tmp()
    const script = `
      import { RocksStore } from ${JSON.stringify(new URL('../../validator/infra/db/rocks.ts', import.meta.url).pathname)}
      const db = await RocksStore.open(${JSON.stringify(dir)})
      await db.put(new Uint8Array([1]), new Uint8Array([42]), { sync: true })
      process.kill(process.pid, 'SIGKILL')`
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 })
    expect(r.signal).toBe('SIGKILL')
    const db = await RocksStore.open(dir)
    expect(await db.get(new Uint8Array([1]))).toEqual(new Uint8Array([42]))
    await db.close()
  })

  it('a write without sync survives SIGKILL too (in the OS once it resolves: decided blocks rely on it)', async () => {
    const dir = tmp()
    const script = `
      import { RocksStore } from ${JSON.stringify(new URL('../../validator/infra/db/rocks.ts', import.meta.url).pathname)}
      const db = await RocksStore.open(${JSON.stringify(dir)})
      for (let i = 0; i < 50; i++) await db.put(new Uint8Array([2, i]), new Uint8Array(4096).fill(i))
      process.kill(process.pid, 'SIGKILL')`
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 })
    expect(r.signal).toBe('SIGKILL')
    const db = await RocksStore.open(dir)
    for (let i = 0; i < 50; i++) expect((await db.get(new Uint8Array([2, i])))?.[0]).toBe(i)
    await db.close()
  })

  it('a batch is all-or-nothing: an op the store refuses makes nothing of it land', async () => {
    const db = await RocksStore.open(tmp())
    await expect(db.batch([
      { type: 'put', key: utf8('a'), value: utf8('1') },
      { type: 'put', key: new Uint8Array(0), value: utf8('2') },
    ])).rejects.toThrow()
    expect(await db.get(utf8('a'))).toBeUndefined()
    await db.close()
  })

  it('a batch interrupted by SIGKILL lands whole or not at all', async () => {
    const dir = tmp()
    const script = `
      import { RocksStore } from ${JSON.stringify(new URL('../../validator/infra/db/rocks.ts', import.meta.url).pathname)}
      const db = await RocksStore.open(${JSON.stringify(dir)})
      const ops = Array.from({ length: 20000 }, (_, i) => ({ type: 'put', key: new Uint8Array([i >> 8, i & 255, 7]), value: new Uint8Array(64) }))
      db.batch(ops, { sync: true })
      setTimeout(() => process.kill(process.pid, 'SIGKILL'), 1)`
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 })
    expect(r.signal).toBe('SIGKILL')
    const db = await RocksStore.open(dir)
    let n = 0
    for await (const _ of db.range({})) n++
    expect([0, 20000]).toContain(n)
    await db.close()
  })
})

for (const [name, make] of [['RocksStore', async () => RocksStore.open(tmp())], ['MemoryStore', async () => new MemoryStore()]] as const) {
  describe(`${name} ordering`, () => {
    it('range scans come back in numeric key order (big-endian keys), forward and reverse, within a bucket', async () => {
      const db: KvStore = await make()
      const repo = new Repository<number, number>(db, Bucket.block, uintKey, cborValue())
      const other = new Repository<string, string>(db, Bucket.epochResult, stringKey, cborValue())
      await other.put('x', 'not a block')
      await fc.assert(fc.asyncProperty(fc.uniqueArray(fc.nat(1_000_000), { minLength: 1, maxLength: 50 }), async (ns) => {
        await db.batch(ns.map((n) => repo.putOp(n, n)))
        const sorted = [...new Set([...ns])].sort((a, b) => a - b)
        const got = (await repo.entries()).map(([k]) => k)
        expect(got.filter((k) => ns.includes(k))).toEqual(sorted)
        expect(got).toEqual([...got].sort((a, b) => a - b))
        const rev = (await repo.entries({ reverse: true, limit: 3 })).map(([k]) => k)
        expect(rev).toEqual([...got].reverse().slice(0, 3))
        const mid = sorted[sorted.length >> 1]!
        expect((await repo.entries({ gte: mid })).every(([k]) => k >= mid)).toBe(true)
        expect((await repo.entries({ lt: mid })).every(([k]) => k < mid)).toBe(true)
      }), { numRuns: 20 })
      expect(await other.entries()).toEqual([['x', 'not a block']])
      await db.close()
    })
  })
}
