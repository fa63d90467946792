// Spam on a real devnet (issue 15): a burst of fat posts (32 authors, ~4.3 KB each, fresh keys) through
// every node's API (≥ 2 MiB) and the same over raw gossip from an outside libp2p peer. Blocks keep being
// decided in ≥ 80 % of the slots during and after the burst, all nodes agree, honest submissions still
// get final scores.
import { afterAll, describe, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AGORA_BIN } from '../helpers/cli.ts'
import { apiBurst, gossipBurst } from '../helpers/spam-load.ts'
import { readRegistry, type NodeRecord } from '../../tools/devnet/registry.ts'

const SLOT_MS = 1000
const EPOCH_SLOTS = 8
const MiB = 1024 * 1024
const AFTER_SLOTS = 10
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function gql<T>(rec: NodeRecord, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const r = await fetch(`http://127.0.0.1:${rec.apiPort}/graphql`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }), signal: AbortSignal.timeout(10_000),
  })
  const j = (await r.json()) as { data?: T; errors?: { message: string }[] }
  if (!j.data) throw new Error(j.errors?.[0]?.message ?? 'no data')
  return j.data
}
const info = (rec: NodeRecord) => gql<{ node: { height: number; slot: number } }>(rec, '{ node { height slot } }').then((d) => d.node)

async function until<T>(what: string | (() => string), timeoutMs: number, probe: () => Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await probe().catch(() => undefined)
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${typeof what === 'string' ? what : what()}`)
    await sleep(500)
  }
}

describe('a devnet under a burst of fat posts', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'agora-spam-')), 'net')
  let devnet: ChildProcess | undefined
  let out = ''

  afterAll(async () => {
    if (devnet && devnet.exitCode === null) {
      devnet.kill('SIGINT')
      await new Promise((r) => devnet!.once('exit', r))
    }
  }, 60_000)

  it('keeps deciding blocks in ≥ 80 % of slots, agrees, and still finalizes honest submissions', async () => {
    devnet = spawn(process.execPath, [AGORA_BIN, 'devnet', '--validators', '4', '--miners', '1', '--slot-ms', String(SLOT_MS), '--epoch-slots', String(EPOCH_SLOTS), '--dir', dir], {
      env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
    })
    devnet.stdout!.on('data', (d) => { out = (out + d).slice(-20_000) })
    devnet.stderr!.on('data', (d) => { out = (out + d).slice(-20_000) })
    const nodes = await until(() => `4 nodes at height 3\n${out.slice(-2000)}`, 120_000, async () => {
      const r = readRegistry(dir)
      const running = r?.nodes.filter((n) => n.status === 'running') ?? []
      return running.length === 4 && (await Promise.all(running.map(info))).every((n) => n.height >= 3) ? running : undefined
    })
    const start = await info(nodes[0]!)

    const [api, raw] = await Promise.all([
      apiBurst(nodes.map((n) => `http://127.0.0.1:${n.apiPort}`), 2 * MiB, { tag: `t${Date.now()}` }),
      gossipBurst(nodes[0]!.multiaddrs, 2 * MiB, { tag: `t${Date.now()}` }),
    ])
    expect(api.bytes).toBeGreaterThanOrEqual(2 * MiB)
    expect(raw.bytes).toBeGreaterThanOrEqual(2 * MiB)
    const burstEnd = await info(nodes[0]!)
    await until(`${AFTER_SLOTS} slots after the burst`, 60_000, async () => (await info(nodes[0]!)).slot >= burstEnd.slot + AFTER_SLOTS)
    const end = await info(nodes[0]!)

    // Slots with a decided block, from the burst's start to AFTER_SLOTS after its end.
    const page = await gql<{ blocks: { items: { height: number; slot: number; hash: string }[] } }>(nodes[0]!,
      'query($h: Int!) { blocks(fromHeight: $h, first: 500) { items { height slot hash } } }', { h: start.height + 1 })
    const inWindow = page.blocks.items.filter((b) => b.slot > start.slot && b.slot <= end.slot)
    const ratio = inWindow.length / (end.slot - start.slot)
    console.log(JSON.stringify({ api, raw: { ...raw }, slots: end.slot - start.slot, blocks: inWindow.length, ratio }))
    expect(ratio, `blocks in ${inWindow.length} of ${end.slot - start.slot} slots\n${out.slice(-3000)}`).toBeGreaterThanOrEqual(0.8)

    // All nodes agree on the same block at a common height.
    const common = Math.min(...(await Promise.all(nodes.map(info))).map((n) => n.height))
    const hashes = await Promise.all(nodes.map((n) => gql<{ block: { hash: string } | null }>(n, 'query($h: Int!) { block(height: $h) { hash } }', { h: common })))
    expect(new Set(hashes.map((h) => h.block?.hash)).size).toBe(1)

    // The devnet's miner keeps submitting: a submission decided after the burst began gets a final score.
    await until('an honest submission from after the burst is final', 90_000, async () => {
      const d = await gql<{ submissions: { items: { height: number; final: boolean }[] } }>(nodes[0]!, '{ submissions(first: 200) { items { height final } } }')
      return d.submissions.items.some((s) => s.height > start.height && s.final)
    })
  }, 420_000)
})
