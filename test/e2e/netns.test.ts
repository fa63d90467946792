// Faults across hosts: four `agora node` processes, each in its own Linux network namespace with its own
// address on a bridge (ip netns, veth, bridge — made and removed here). One node is cut off (link down)
// for an epoch and catches up after healing; a 2 | 2 split makes no progress and no fork, then progresses
// once healed. Needs root and `ip netns`; skipped with the reason otherwise.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AGORA_BIN } from '../helpers/cli.ts'
import { gql as gqlAt, sleep, until } from '../helpers/e2e.ts'
import { buildLocalNetwork } from '../../validator/app/genesis-builder.ts'
import { BUILD_DIR } from '../../challenges/build.ts'

const SLOT_MS = 1000
const EPOCH_SLOTS = 8
const N = 4
const sfx = (process.pid % 10_000).toString()
const subnet = `10.213.${process.pid % 200}`
const bridge = `agbr${sfx}`
const ns = (i: number) => `agns${sfx}-${i}`
const hostVeth = (i: number) => `agv${sfx}-${i}`
const ip = (i: number) => `${subnet}.${i}`
const API_PORT = 8080 // inside each namespace: ports do not collide across namespaces
const PROXY_PORT = 8081 // on the namespace's bridge address, forwarding to its API on 127.0.0.1

function sh(...args: string[]): { ok: boolean; out: string } {
  const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8', timeout: 10_000 })
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}` }
}
const must = (...args: string[]) => { const r = sh(...args); if (!r.ok) throw new Error(`${args.join(' ')}: ${r.out}`) }

/** Why namespaces cannot be used here, or undefined when they can (probed with a throwaway namespace). */
function unavailable(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux'
  if (process.getuid?.() !== 0) return 'not root (ip netns needs CAP_SYS_ADMIN)'
  if (!sh('ip', '-V').ok) return '`ip` (iproute2) not installed'
  const probe = `agprobe${sfx}`
  const r = sh('ip', 'netns', 'add', probe)
  if (!r.ok) return `ip netns add failed: ${r.out.trim()}`
  sh('ip', 'netns', 'del', probe)
  return undefined
}
const skipReason = unavailable()
if (skipReason) console.warn(`netns e2e skipped: ${skipReason}`)

// The API through the namespace's forwarder; a short timeout, so a cut-off node reads as "not answering".
const gql = <T>(i: number, query: string, variables: Record<string, unknown> = {}) => gqlAt<T>(`http://${ip(i)}:${PROXY_PORT}`, query, variables, 2_000)
const heightOf = (i: number) => gql<{ node: { height: number } }>(i, '{ node { height } }').then((d) => d.node.height, () => -1)
const hashAt = (i: number, h: number) => gql<{ block: { hash: string } | null }>(i, 'query($h: Int!) { block(height: $h) { hash } }', { h }).then((d) => d.block?.hash)
const heights = () => Promise.all([1, 2, 3, 4].map(heightOf))

// A TCP forwarder run inside a namespace: the API listens on that namespace's loopback only.
const PROXY = `const net=require('net');net.createServer((c)=>{const s=net.connect(${API_PORT},'127.0.0.1');c.pipe(s).pipe(c);c.on('error',()=>s.destroy());s.on('error',()=>c.destroy())}).listen(${PROXY_PORT},process.argv[1])`

describe.skipIf(!!skipReason)('validators in separate network namespaces', () => {
  const dir = mkdtempSync(join(tmpdir(), 'agora-netns-'))
  const procs: ChildProcess[] = []
  const logs = new Map<number, string>()

  beforeAll(async () => {
    // As `agora devnet` builds it (short pools fit the short epochs), without a chain.
    const local = await buildLocalNetwork({
      dir, validators: N, slotMs: SLOT_MS, epochSlots: EPOCH_SLOTS, genesisTime: Date.now() + 5_000,
      params: { poolDurationSlots: EPOCH_SLOTS / 2, availabilityMinLockEpochs: 1 },
      challenges: [{ id: 'pow', modulePath: join(BUILD_DIR, 'pow.wasm'), emissionSharePpm: 1_000_000 }],
    })
    const net = { genesis: local.genesisPath, validators: local.validators }
    must('ip', 'link', 'add', bridge, 'type', 'bridge')
    must('ip', 'addr', 'add', `${ip(254)}/24`, 'dev', bridge)
    must('ip', 'link', 'set', bridge, 'up')
    const addr = (i: number) => `/ip4/${ip(i)}/tcp/4001/p2p/${net.validators[i - 1]!.peerId}`
    for (let i = 1; i <= N; i++) {
      must('ip', 'netns', 'add', ns(i))
      must('ip', 'link', 'add', hostVeth(i), 'type', 'veth', 'peer', 'name', `agp${sfx}-${i}`)
      must('ip', 'link', 'set', `agp${sfx}-${i}`, 'netns', ns(i))
      must('ip', '-n', ns(i), 'link', 'set', `agp${sfx}-${i}`, 'name', 'eth0')
      must('ip', '-n', ns(i), 'addr', 'add', `${ip(i)}/24`, 'dev', 'eth0')
      must('ip', '-n', ns(i), 'link', 'set', 'eth0', 'up')
      must('ip', '-n', ns(i), 'link', 'set', 'lo', 'up')
      must('ip', 'link', 'set', hostVeth(i), 'master', bridge)
      must('ip', 'link', 'set', hostVeth(i), 'up')
    }
    for (let i = 1; i <= N; i++) {
      const others = [1, 2, 3, 4].filter((j) => j !== i).map(addr).join(',')
      const node = spawn('ip', ['netns', 'exec', ns(i), process.execPath, AGORA_BIN, 'node', '--data-dir', net.validators[i - 1]!.dataDir, '--genesis', net.genesis,
        '--listen', `/ip4/${ip(i)}/tcp/4001`, '--bootstrap', others, '--api-port', String(API_PORT)], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] })
      const keep = (d: Buffer) => { logs.set(i, ((logs.get(i) ?? '') + d.toString()).slice(-20_000)) }
      node.stdout!.on('data', keep)
      node.stderr!.on('data', keep)
      procs.push(node)
      procs.push(spawn('ip', ['netns', 'exec', ns(i), process.execPath, '-e', PROXY, ip(i)], { stdio: 'ignore' }))
    }
  }, 60_000)

  afterAll(async () => {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGTERM')
    const end = Date.now() + 8_000
    while (procs.some((p) => p.exitCode === null && p.signalCode === null) && Date.now() < end) await sleep(100)
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL')
    for (let i = 1; i <= N; i++) sh('ip', 'netns', 'del', ns(i)) // removes its veth pair too
    for (let i = 1; i <= N; i++) sh('ip', 'link', 'del', hostVeth(i))
    sh('ip', 'link', 'del', bridge)
  }, 30_000)

  const logTail = () => [...logs].map(([i, l]) => `--- node ${i}\n${l.slice(-1500)}`).join('\n')

  it('a node cut off for an epoch catches up; a 2 | 2 split neither progresses nor forks, and heals', async () => {
    try {
      await until('4 nodes at height 2', 45_000, async () => (await heights()).every((h) => h >= 2))

      // 1. Link down on node 4 for an epoch: the other three (3/4 of the power) keep deciding.
      must('ip', 'link', 'set', hostVeth(4), 'down')
      const cutAt = Math.max(...(await heights()).slice(0, 3))
      await until('three nodes decide an epoch without node 4', 30_000, async () => (await heights()).slice(0, 3).every((h) => h >= cutAt + EPOCH_SLOTS))
      must('ip', 'link', 'set', hostVeth(4), 'up')
      const healedAt = Math.max(...(await heights()))
      await until('node 4 catches up', 30_000, async () => (await heightOf(4)) >= healedAt + 1)

      // 2. Split 2 | 2: each side blackholes the other's addresses. Neither half holds > 2/3.
      const split = [[1, 2], [3, 4]] as const
      for (const [mine, theirs] of [[split[0], split[1]], [split[1], split[0]]] as const) {
        for (const i of mine) for (const j of theirs) must('ip', '-n', ns(i), 'route', 'add', 'blackhole', `${ip(j)}/32`)
      }
      await sleep(1_500) // lint-ok: let a block that was already being committed land before measuring
      const before = await heights()
      await sleep(4 * SLOT_MS) // lint-ok: a window of 4 slots in which a split network must not decide
      const during = await heights()
      expect(during, 'no progress while split').toEqual(before)
      for (const [mine, theirs] of [[split[0], split[1]], [split[1], split[0]]] as const) {
        for (const i of mine) for (const j of theirs) must('ip', '-n', ns(i), 'route', 'del', 'blackhole', `${ip(j)}/32`)
      }
      const top = Math.max(...during)
      await until('all four progress after healing', 45_000, async () => (await heights()).every((h) => h >= top + 2))

      // No fork: every node has the same block at every height up to the lowest common one.
      const common = Math.min(...(await heights()))
      for (let h = 1; h <= common; h++) {
        const hashes = await Promise.all([1, 2, 3, 4].map((i) => hashAt(i, h)))
        expect(new Set(hashes).size, `height ${h}: ${hashes.join(' ')}`).toBe(1)
      }
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${logTail()}`)
    }
  }, 150_000)
})
