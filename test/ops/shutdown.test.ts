// A clean shutdown never touches a closed database: the RocksDB store is closed while readers, writers and
// range scans are running. The binding would assert and abort this process on a read after close; here
// every loop must end with DB_CLOSED (and nothing else), and the data written before close must reopen.
import { describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RocksStore } from '../../validator/infra/db/rocks.ts'

const key = (i: number) => new TextEncoder().encode(`k${String(i).padStart(6, '0')}`)

describe('RocksStore close under load', () => {
  it('refuses new work with DB_CLOSED, waits for in-flight calls, and never crashes the process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agora-close-'))
    try {
      const db = await RocksStore.open(join(dir, 'db'))
      await db.batch(Array.from({ length: 500 }, (_, i) => ({ type: 'put' as const, key: key(i), value: key(i) })))
      let ops = 0
      const loop = async (step: (i: number) => Promise<unknown>) => {
        for (let i = 0; ; i++) {
          try { await step(i); ops++ } catch (e) { return (e as { code?: string }).code ?? String(e) }
        }
      }
      const loops = [
        loop((i) => db.get(key(i % 500))),
        loop((i) => db.put(key(500 + (i % 100)), key(i))),
        loop((i) => db.batch([{ type: 'put', key: key(600 + (i % 50)), value: key(i) }, { type: 'del', key: key(700) }])),
        loop(async () => { for await (const _ of db.range({ gte: key(0), lt: key(400) })) ops++ }),
      ]
      for (const end = Date.now() + 10_000; ops < 2_000;) {
        if (Date.now() > end) throw new Error(`only ${ops} operations in 10 s`)
        await new Promise((r) => setTimeout(r, 5))
      }
      await db.close()
      expect(await Promise.all(loops)).toEqual(['DB_CLOSED', 'DB_CLOSED', 'DB_CLOSED', 'DB_CLOSED'])
      await expect(db.get(key(1))).rejects.toMatchObject({ code: 'DB_CLOSED' })
      const again = await RocksStore.open(join(dir, 'db'))
      expect(new TextDecoder().decode(await again.get(key(42)))).toBe('k000042')
      await again.close()
    } finally { rmSync(dir, { recursive: true, force: true }) }
  })
})
