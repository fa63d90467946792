// Shared fixtures for the p2p tests: deterministic node seeds, a toy checkpoint certificate (an ed25519
// signature by a fixed "committee" key standing in for a BLS quorum certificate), bounded waits, and a
// network of N real hosts on 127.0.0.1 joined through the first one as bootstrap.
import { createHash } from 'node:crypto'
import { signEd25519, verifyEd25519, ed25519PublicKey, Domain } from '../../core/crypto/sign.ts'
import { equalBytes } from '../../core/bytes.ts'
import { createAgoraHost, type AgoraHost, type AgoraHostOptions } from '../../validator/infra/p2p/index.ts'
import type { CheckpointRecord } from '../../validator/infra/p2p/records.ts'
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { gossipsub } from '@libp2p/gossipsub'
import { multiaddr } from '@multiformats/multiaddr'
import { sha256 } from '../../core/hash.ts'
import { libp2pPrivateKey } from '../../core/crypto/keys.ts'

export const seedOf = (label: string): Uint8Array => new Uint8Array(createHash('sha256').update(`agora-test/${label}`).digest())

const COMMITTEE = seedOf('committee')
const COMMITTEE_PUB = ed25519PublicKey(COMMITTEE)

/** A checkpoint whose "certificate" is the committee key's signature over (epoch, header). */
export function certifiedCheckpoint(epoch: number, header = new TextEncoder().encode(`state-root-${epoch}`)): CheckpointRecord {
  return { epoch, header, certificate: signEd25519(COMMITTEE, Domain.checkpoint, { epoch, header }) }
}

export function forgedCheckpoint(epoch: number): CheckpointRecord {
  const header = new TextEncoder().encode(`forged-${epoch}`)
  return { epoch, header, certificate: signEd25519(seedOf('not-the-committee'), Domain.checkpoint, { epoch, header }) }
}

export const verifyToyCheckpoint = (r: CheckpointRecord): boolean =>
  verifyEd25519(COMMITTEE_PUB, Domain.checkpoint, { epoch: r.epoch, header: r.header }, r.certificate)

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Poll `cond` every 50 ms until true or `timeoutMs` passes; throws with `what` on timeout. */
export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs
  for (;;) {
    if (await cond()) return
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(50)
  }
}

export async function startHost(label: string, extra: Partial<AgoraHostOptions> = {}): Promise<AgoraHost> {
  const host = await createAgoraHost({ ed25519Seed: seedOf(label), verifyCheckpoint: verifyToyCheckpoint, ...extra })
  await host.start()
  return host
}

/** N hosts; host 0 is the bootstrap of the others. Waits until every host is connected to all others. */
export async function startNetwork(n: number, prefix: string, extra: Partial<AgoraHostOptions> = {}): Promise<AgoraHost[]> {
  const first = await startHost(`${prefix}-0`, extra)
  const boot = first.multiaddrs()
  const rest = await Promise.all(Array.from({ length: n - 1 }, (_, i) => startHost(`${prefix}-${i + 1}`, { bootstrap: boot, ...extra })))
  const hosts = [first, ...rest]
  await waitFor(`${n} hosts fully connected`, () => hosts.every((h) => h.peers().length >= n - 1), 20_000)
  return hosts
}

/** Stop every host, each bounded, never throwing (afterAll must always finish). */
export async function stopAll(hosts: readonly (AgoraHost | undefined)[]): Promise<void> {
  await Promise.allSettled(hosts.map((h) => h && Promise.race([h.stop(), sleep(5_000)])))
}

export { equalBytes }

// ---- a misbehaving peer: plain libp2p + gossipsub that publishes arbitrary bytes -----------------
export interface RawPeer {
  readonly libp2p: Libp2p
  readonly peerId: string
  /** Publish raw bytes on a topic (no envelope, no checks). */
  publishRaw(topic: string, data: Uint8Array): Promise<number>
  stop(): Promise<void>
}

/** A peer outside Agora's rules, connected only to `target` (it runs no DHT, so nobody else finds it). */
export async function startRawPeer(label: string, target: AgoraHost, topics: readonly string[]): Promise<RawPeer> {
  const libp2p = await createLibp2p({
    privateKey: await libp2pPrivateKey(seedOf(label)),
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(),
      pubsub: gossipsub({ globalSignaturePolicy: 'StrictNoSign', msgIdFn: (m) => sha256(m.data), allowPublishToZeroTopicPeers: true, maxInboundDataLength: 8 << 20 }),
    },
  })
  await libp2p.dial(multiaddr(target.multiaddrs()[0]!), { signal: AbortSignal.timeout(5_000) })
  const ps = libp2p.services.pubsub
  await waitFor('raw peer sees target subscriptions', () => topics.every((t) => ps.getSubscribers(t).some((p) => p.toString() === target.peerId)))
  return {
    libp2p,
    peerId: libp2p.peerId.toString(),
    publishRaw: async (topic, data) => (await ps.publish(topic, data)).recipients.length,
    stop: async () => { await libp2p.stop() },
  }
}
