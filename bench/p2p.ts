// bench p2p: for 5 and 10 hosts on 127.0.0.1 (one process, so they share the machine's cores): gossip
// delivery latency to all subscribers, sustained signed messages per second through validation, DHT
// checkpoint put/get time, and blob transfer throughput for 1 MiB and 16 MiB.
import { performance } from 'node:perf_hooks'
import { report, median, percentile, round } from './report.ts'
import { Topic, type AgoraHost } from '../validator/infra/p2p/index.ts'
import { decode } from '../core/encoding.ts'
import { startNetwork, stopAll, waitFor, sleep, certifiedCheckpoint } from '../test/p2p/helpers.ts'

const B = 'p2p'

function blobOf(size: number, salt: number): Uint8Array {
  const b = new Uint8Array(size)
  let x = salt * 2654435761 >>> 0
  for (let i = 0; i < size; i += 4) { x = (x * 1103515245 + 12345) >>> 0; b[i] = x & 0xff; b[i + 1] = (x >>> 8) & 0xff }
  return b
}

async function gossipLatency(hosts: AgoraHost[], arrivals: Map<number, number[]>, count: number): Promise<void> {
  const sent = new Map<number, number>()
  for (let i = 0; i < count; i++) {
    const id = 1_000_000 + i
    sent.set(id, performance.now())
    await hosts[i % hosts.length]!.gossip.publish(Topic.consensus, { id })
    await sleep(20)
  }
  await waitFor('all latency probes delivered', () => [...sent.keys()].every((id) => (arrivals.get(id)?.length ?? 0) >= hosts.length - 1), 30_000)
  const perDelivery: number[] = []
  const toAll: number[] = []
  for (const [id, t0] of sent) {
    const ts = arrivals.get(id)!.map((t) => t - t0)
    perDelivery.push(...ts)
    toAll.push(Math.max(...ts))
  }
  report(B, `gossip-latency-${hosts.length}-nodes`, {
    messages: count, deliveries: perDelivery.length,
    p50Ms: round(percentile(perDelivery, 50), 2), p99Ms: round(percentile(perDelivery, 99), 2),
    allSubscribersP50Ms: round(percentile(toAll, 50), 2), allSubscribersP99Ms: round(percentile(toAll, 99), 2),
  })
}

async function gossipThroughput(hosts: AgoraHost[], arrivals: Map<number, number[]>, count: number): Promise<void> {
  const ids = Array.from({ length: count }, (_, i) => 2_000_000 + i)
  const deliveries = (): number => ids.reduce((n, id) => n + (arrivals.get(id)?.length ?? 0), 0)
  const t0 = performance.now()
  for (let i = 0; i < count; i++) {
    // Publish from every host in turn so no single sender's queue is the bottleneck.
    await hosts[i % hosts.length]!.gossip.publish(Topic.consensus, { id: ids[i]!, pad: 'x'.repeat(200) })
    if (i % 50 === 49) await sleep(0)
  }
  // Done when everything arrived, or nothing new arrived for 3 s (under overload gossipsub may drop).
  const expected = count * (hosts.length - 1)
  let last = -1
  let lastChange = performance.now()
  for (;;) {
    const n = deliveries()
    if (n !== last) { last = n; lastChange = performance.now() }
    if (n >= expected || performance.now() - lastChange > 3_000) break
    await sleep(50)
  }
  const lastArrival = Math.max(...ids.flatMap((id) => arrivals.get(id) ?? [t0]))
  const secs = (lastArrival - t0) / 1000
  const complete = ids.filter((id) => (arrivals.get(id)?.length ?? 0) >= hosts.length - 1).length
  report(B, `gossip-throughput-${hosts.length}-nodes`, {
    messages: count, payloadBytes: 200, seconds: round(secs, 2), messagesPerSec: round(complete / secs, 1),
    validationsPerSec: round(last / secs, 1), deliveredFraction: round(last / expected, 4),
  })
}

async function dhtCheckpoints(hosts: AgoraHost[], rounds: number): Promise<void> {
  const puts: number[] = []
  const gets: number[] = []
  for (let e = 1; e <= rounds; e++) {
    const t0 = performance.now()
    await hosts[e % hosts.length]!.dht.putCheckpoint(certifiedCheckpoint(e))
    puts.push(performance.now() - t0)
    const t1 = performance.now()
    const got = await hosts[(e + 1) % hosts.length]!.dht.getLatestCheckpoint()
    gets.push(performance.now() - t1)
    if (got?.epoch !== e) throw new Error(`expected epoch ${e}, got ${got?.epoch}`)
  }
  report(B, `dht-checkpoint-${hosts.length}-nodes`, {
    rounds, putMedianMs: round(median(puts), 2), putP99Ms: round(percentile(puts, 99), 2),
    getMedianMs: round(median(gets), 2), getP99Ms: round(percentile(gets, 99), 2),
  })
}

async function blobTransfer(hosts: AgoraHost[], size: number, repeats: number): Promise<void> {
  const times: number[] = []
  const putTimes: number[] = []
  let stored = ''
  for (let r = 0; r < repeats; r++) {
    const bytes = blobOf(size, size + r + hosts.length * 1000)
    const t0 = performance.now()
    const put = await hosts[1]!.dht.putBlob(bytes)
    putTimes.push(performance.now() - t0)
    stored = put.stored
    const t1 = performance.now()
    const got = await hosts[2]!.dht.getBlob(put.cid)
    times.push(performance.now() - t1)
    if (got?.length !== size) throw new Error(`blob of ${size} not fetched`)
  }
  const ms = median(times)
  report(B, `blob-${size >> 20}MiB-${hosts.length}-nodes`, {
    bytes: size, repeats, path: stored, putMedianMs: round(median(putTimes), 1), getMedianMs: round(ms, 1),
    getMiBPerSec: round(size / 1048576 / (ms / 1000), 1),
  })
}

export async function run(args: string[]): Promise<void> {
  const sizes = args.length ? args.map(Number) : [5, 10]
  for (const n of sizes) {
    const hosts = await startNetwork(n, `bench-${n}`)
    try {
      const arrivals = new Map<number, number[]>()
      for (const h of hosts) {
        h.gossip.subscribe(Topic.consensus, {
          onMessage: (env) => {
            const { id } = decode(env.payload) as { id: number }
            const list = arrivals.get(id) ?? []
            list.push(performance.now())
            arrivals.set(id, list)
          },
        })
      }
      await waitFor('mesh', () => hosts.every((h) => h.gossip.meshPeers(Topic.consensus).length >= Math.min(4, n - 1)), 20_000)
      await gossipLatency(hosts, arrivals, 100)
      await gossipThroughput(hosts, arrivals, 1000)
      await dhtCheckpoints(hosts, 10)
      await blobTransfer(hosts, 1 << 20, 5)
      await blobTransfer(hosts, 16 << 20, 3)
    } finally {
      await stopAll(hosts)
    }
  }
}
