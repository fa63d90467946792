// The doppelgänger guard's one exemption: keys generated in a data dir that no node has run yet cannot
// be running anywhere else, so their first start is not guarded. Keys restored from a mnemonic may be (a
// twin, or the original still up), and so is any later start of the same data dir.
import { describe, expect, it } from 'vitest'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { NEW_KEY_FILE, initDataDir, takeNewKeyMarker } from '../../validator/app/keys.ts'

const fresh = () => mkdtempSync(join(tmpdir(), 'agora-newkey-'))

describe('new-key marker', () => {
  it('generated keys are exempt on the first start only', async () => {
    const dir = fresh()
    const { mnemonic } = await initDataDir(dir, {})
    expect(existsSync(join(dir, NEW_KEY_FILE))).toBe(true)
    expect(takeNewKeyMarker(dir)).toBe(true)
    expect(takeNewKeyMarker(dir)).toBe(false) // the next start (e.g. after its database was wiped) is guarded
    // The same keys restored from the mnemonic, over a data dir that still had the marker: guarded.
    const other = fresh()
    await initDataDir(other, {})
    await initDataDir(other, { mnemonic, force: true })
    expect(takeNewKeyMarker(other)).toBe(false)
  })
})
