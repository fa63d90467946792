// The dashboard in a real browser: Debian's chromium (headless, driven by playwright-core) opens `/` on a
// node of a running `agora devnet` and must show the live height rising and an epoch's weights in the
// heatmap, at desktop and phone width. Screenshots go to test-results/dashboard/ (gitignored). The devnet is
// the README's 3-epoch run, which the devnet test then checks (test/helpers/readme-devnet.ts): the e2e lane
// starts one devnet for both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { until } from '../helpers/e2e.ts'
import { runningReadmeDevnet, type ReadmeDevnet } from '../helpers/readme-devnet.ts'

const CHROMIUM = process.env.AGORA_CHROMIUM ?? '/usr/bin/chromium'
const SHOTS = join(import.meta.dirname, '..', '..', 'test-results', 'dashboard')
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
const hasChromium = existsSync(CHROMIUM)
if (!hasChromium) console.warn(`test/dashboard: skipped — no chromium at ${CHROMIUM} (apt-get install -y chromium; .ci/run installs it)`)

describe.skipIf(!hasChromium)('dashboard in chromium against a devnet', () => {
  let devnet: ReadmeDevnet | undefined
  let base = ''
  let context: BrowserContext
  let profile = ''

  beforeAll(async () => {
    const run = await runningReadmeDevnet(150_000)
    devnet = run.devnet
    base = `http://127.0.0.1:${run.node.apiPort}`
    profile = mkdtempSync(join(tmpdir(), 'agora-chromium-'))
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: FLAGS, headless: true, viewport: { width: 1280, height: 900 } })
    mkdirSync(SHOTS, { recursive: true })
  }, 180_000)

  afterAll(async () => {
    await context?.close()
    if (profile) rmSync(profile, { recursive: true, force: true })
    // The run ends by itself after its epochs (the devnet test, if it runs next, reads how).
    await devnet?.done
  }, 420_000)

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
