// The dashboard in a real browser: Debian's chromium (headless, driven by playwright-core) opens `/` on a
// node of a running `agora devnet` and must show the live height rising and an epoch's weights in the
// heatmap, at desktop and phone width. Screenshots go to test-results/dashboard/ (gitignored).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { AGORA_BIN } from '../helpers/cli.ts'

const CHROMIUM = process.env.AGORA_CHROMIUM ?? '/usr/bin/chromium'
const SHOTS = join(import.meta.dirname, '..', '..', 'test-results', 'dashboard')
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
const hasChromium = existsSync(CHROMIUM)
if (!hasChromium) console.warn(`test/dashboard: skipped — no chromium at ${CHROMIUM} (apt-get install -y chromium; .ci/run installs it)`)

async function until<T>(what: string, deadlineMs: number, probe: () => Promise<T | null | undefined> | T | null | undefined): Promise<T> {
  const end = Date.now() + deadlineMs
  for (;;) {
    const v = await probe()
    if (v !== null && v !== undefined) return v
    if (Date.now() > end) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

describe.skipIf(!hasChromium)('dashboard in chromium against a devnet', () => {
  let devnet: ChildProcess
  let output = ''
  let dir = ''
  let base = ''
  let context: BrowserContext
  let profile = ''

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'agora-dash-'))
    devnet = spawn(process.execPath, [AGORA_BIN, 'devnet', '--validators', '2', '--miners', '1', '--slot-ms', '500', '--epoch-slots', '6', '--dir', join(dir, 'net')],
      { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] })
    devnet.stdout!.on('data', (d) => { output += d })
    devnet.stderr!.on('data', (d) => { output += d })
    // Generous: on a loaded 2-core machine a cold start (tsx transform, EVM, two nodes) can take a minute or two.
    const api = await until('a ready node in nodes.json', 150_000, async () => {
      try {
        const reg = JSON.parse(readFileSync(join(dir, 'net', 'nodes.json'), 'utf8')) as { nodes: { status: string; apiUrl: string }[] }
        const n = reg.nodes.find((x) => x.status === 'running')
        if (!n) return null
        const res = await fetch(n.apiUrl.replace(/\/graphql$/, '/readyz'))
        return res.ok ? n.apiUrl : null
      } catch { return null }
    }).catch((e: Error) => { throw new Error(`${e.message}\n${output.slice(-2000)}`) })
    base = api.replace(/\/graphql$/, '')
    profile = mkdtempSync(join(tmpdir(), 'agora-chromium-'))
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: FLAGS, headless: true, viewport: { width: 1280, height: 900 } })
    mkdirSync(SHOTS, { recursive: true })
  }, 180_000)

  afterAll(async () => {
    await context?.close()
    if (devnet && devnet.exitCode === null) {
      const exited = new Promise((r) => devnet.once('exit', r))
      devnet.kill('SIGINT')
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))])
      if (devnet.exitCode === null) devnet.kill('SIGKILL')
    }
    if (profile) rmSync(profile, { recursive: true, force: true })
    if (dir) rmSync(dir, { recursive: true, force: true })
  }, 30_000)

  const height = async (page: Page) => Number(await page.locator('[data-testid=height]').textContent())

  it('shows the live height rising and an epoch’s weights; usable at phone width', async () => {
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(`${base}/`)
    const first = await until('a height on the page', 30_000, async () => { const h = await height(page); return Number.isFinite(h) && h > 0 ? h : null })
    // The height moves with the subscription, without reloading the page.
    const later = await until(`the height to pass ${first}`, 30_000, async () => { const h = await height(page); return h > first ? h : null })
    expect(later).toBeGreaterThan(first)
    await until('live subscription badge', 15_000, async () => ((await page.locator('#live').textContent()) === 'live' ? true : null))
    // An epoch's weights: a heatmap cell carrying a weight (the devnet's miner scores in its first epochs).
    const cells = await until('a weighted heatmap cell', 90_000, async () => {
      const n = await page.locator('#heatmap rect[data-value]:not([data-value=""])').count()
      return n > 0 ? n : null
    }).catch(async (e: Error) => { await page.screenshot({ path: join(SHOTS, 'failed.png'), fullPage: true }); throw e })
    expect(cells).toBeGreaterThan(0)
    expect(await page.locator('#chain-state').getAttribute('data-stalled')).toBe('false')
    expect(await page.locator('#validator-table tbody tr').count()).toBeGreaterThanOrEqual(2)
    await page.screenshot({ path: join(SHOTS, 'desktop.png'), fullPage: true })

    await page.setViewportSize({ width: 390, height: 844 })
    // Phone width: nothing wider than the screen but the cards' own sideways scroll.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    expect(overflow).toBeLessThanOrEqual(0)
    await page.screenshot({ path: join(SHOTS, 'phone.png'), fullPage: true })
    expect(errors).toEqual([])
  }, 180_000)
})
