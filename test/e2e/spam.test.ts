// Spam on a real devnet (issue 15): a burst of fat posts (32 authors, ~4.3 KB each) from fresh keys and from
// funded members' keys through every node's GraphQL API (≥ 2 MiB), and the same over raw gossip from an
// outside libp2p peer. Blocks keep being decided in ≥ 80 % of the slots during and after the burst (counted
// from the decided blocks' slots), all nodes agree (equal state roots at equal heights), and the miner's
// honest submissions still get final scores.
import { afterAll, describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { deriveNodeKeys } from '../../core/crypto/keys.ts'
import { gql, startDevnet, until, type Devnet } from '../helpers/e2e.ts'
import { apiBurst, gossipBurst } from '../helpers/spam-load.ts'
import type { NodeRecord } from '../../tools/devnet/registry.ts'

const MiB = 1024 * 1024
/** Slots watched after the burst ends: the mempools drain into blocks meanwhile. */
const AFTER_SLOTS = 10
/** The bar: blocks decided in at least this share of the slots, during and after the burst. */
const MIN_DECIDED = 0.8

type BlockRow = { height: number; slot: number; stateRoot: string }
const info = (n: NodeRecord) => gql<{ node: { height: number; slot: number } }>(n, '{ node { height slot } }').then((d) => d.node)
const blocksFrom = (n: NodeRecord, from: number) =>
  gql<{ blocks: { items: BlockRow[] } }>(n, 'query($h: Int!) { blocks(fromHeight: $h, first: 100) { items { height slot stateRoot } } }', { h: from }).then((d) => d.blocks.items)

describe('a devnet under a burst of fat posts', () => {
  let d: Devnet | undefined
  afterAll(() => d?.stop(), 60_000)

  it('keeps deciding blocks in ≥ 80 % of slots, agrees, and still finalizes honest submissions', async () => {
    d = await startDevnet({ validators: 4, miners: 1, slotMs: 1000, epochSlots: 8, extraArgs: ['--spares', '2'] })
    const nodes = d.running()
    const spares = (JSON.parse(readFileSync(join(d.dir, 'mnemonics.json'), 'utf8')) as { spares: string[] }).spares
    const [viaApi, viaGossip] = await Promise.all(spares.map(async (m) => (await deriveNodeKeys(m)).ed25519Seed))
    const start = await info(nodes[0]!)
    const t0 = Date.now()

    const tag = `t${Date.now()}`
    const [api, raw] = await Promise.all([
      apiBurst(nodes.map((n) => `http://127.0.0.1:${n.apiPort}`), 2 * MiB, { tag, funded: [viaApi!] }),
      gossipBurst(nodes[0]!.multiaddrs, 2 * MiB, { tag, funded: [viaGossip!] }),
    ])
    const burstMs = Date.now() - t0
    // The load really reached the network: some posts admitted through the APIs, the raw ones delivered to peers.
    expect(api.accepted, JSON.stringify(api)).toBeGreaterThan(0)
    expect(raw.recipients, JSON.stringify(raw)).toBeGreaterThan(0)
    const burstEnd = await info(nodes[0]!)
    const end = await until(`${AFTER_SLOTS} slots after the burst`, 60_000, async () => {
      const n = await info(nodes[0]!)
      return n.slot >= burstEnd.slot + AFTER_SLOTS && n
    })

    // Slots with a decided block, from the burst's start to AFTER_SLOTS after its end, from the blocks' own slots.
    // The slot `end` was read in is still running (its block may not be decided yet): it is not counted
    // (runs ended with that slot as their only empty one: 0.97 instead of 1).
    const last = end.slot - 1
    const decided = (await blocksFrom(nodes[0]!, start.height + 1)).filter((b) => b.slot > start.slot && b.slot <= last)
    const slots = last - start.slot
    const ratio = decided.length / slots
    // The devnet's directory stays behind: with AGORA_LOG_LEVEL=debug its node logs give each height's timeline.
    const summary = { dir: d.dir, burstMs, api, raw, slots, burstSlots: burstEnd.slot - start.slot, blocks: decided.length, ratio, emptySlots: missing(decided, start.slot, last) }
    console.log(JSON.stringify(summary))
    expect(ratio, `${JSON.stringify(summary)}\n${d.output().slice(-3000)}`).toBeGreaterThanOrEqual(MIN_DECIDED)

    // All nodes agree: the same state root at every height from the burst's start to the lowest head among
    // the nodes' block lists (a node's API lists a block a moment after its ledger height counts it, so the
    // heads come from the lists themselves, not from `node { height }`). A block stored but not yet applied
    // is listed with an empty state root (node-view.ts): a head only counts once it has its root (a run
    // failed on "34:" against the others' root, the share at 0.97).
    const lists = await Promise.all(nodes.map((n) => blocksFrom(n, start.height + 1)))
    const common = Math.min(...lists.map((l) => l.filter((b) => b.stateRoot !== '').at(-1)?.height ?? 0))
    const roots = lists.map((l) => l.filter((b) => b.height <= common).map((b) => `${b.height}:${b.stateRoot}`))
    expect(roots[0]!.length).toBeGreaterThan(0)
    for (const r of roots.slice(1)) expect(r).toEqual(roots[0])

    // The devnet's miner keeps submitting: a submission decided after the burst began gets a final score on every node.
    await until('an honest submission from after the burst is final on every node', 60_000, async () => {
      const finals = await Promise.all(nodes.map(async (n) =>
        (await gql<{ submissions: { items: { id: string; height: number; final: boolean }[] } }>(n, '{ submissions(first: 100) { items { id height final } } }'))
          .submissions.items.filter((s) => s.height > start.height && s.final).map((s) => s.id)))
      return finals[0]!.find((id) => finals.every((f) => f.includes(id)))
    })
  }, 240_000)
})

/** The slots in (from, to] without a decided block (for the failure message). */
function missing(blocks: readonly BlockRow[], from: number, to: number): number[] {
  const have = new Set(blocks.map((b) => b.slot))
  return Array.from({ length: to - from }, (_, i) => from + 1 + i).filter((s) => !have.has(s))
}
