// The Agora libp2p host: TCP + Noise + Yamux, identify, ping, bootstrap, gossipsub (signed envelopes,
// scoring) and a private Kademlia DHT (/agora/kad/1.0.0, server mode, loopback/private addresses kept),
// plus the sync protocols. Built from the node's ed25519 seed, so the peer id follows from the mnemonic.
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { bootstrap } from '@libp2p/bootstrap'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import type { Registry } from 'prom-client'
import { gossipsub } from '@libp2p/gossipsub'
import { kadDHT, passthroughMapper, type KadDHT } from '@libp2p/kad-dht'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { PeerId } from '@libp2p/interface'
import { libp2pPrivateKey } from '../../../core/crypto/keys.ts'
import { systemClock, type Clock, type Timer } from '../../../core/clock.ts'
import { AgoraError, errorMessage } from '../../../core/errors.ts'
import { ALL_TOPICS, DEFAULT_REQUEST_RATE, DHT_PROTOCOL, DEFAULT_TOPIC_SIZE_CAP } from './constants.ts'
import { agoraScoreParams, agoraScoreThresholds } from './scoring.ts'
import { createAgoraGossip, gossipMessageId, type AgoraGossip, type GossipOptions, type GossipsubService } from './gossip.ts'
import { agoraRecordRules, createAgoraDht, type AgoraDht } from './dht.ts'
import { selectBlob, selectCheckpoint, type VerifyCheckpoint } from './records.ts'
import { createMemoryBlobStore, type BlobStore } from './blob-store.ts'
import { createRateLimiter, type RateLimit } from './rate-limit.ts'
import { openKvDatastore, type BoundedDatastore, type DhtStoreLimits } from './datastore.ts'
import type { KvStore } from '../db/kv.ts'
import { MemoryStore } from '../db/memory.ts'
import { Bucket } from '../db/repository.ts'
import type { KadDHTComponents } from '@libp2p/kad-dht'
import { requestBlob, requestBlocks, requestStateChunk, serveSync, type BlobSource, type BlocksSource, type StateChunkSource, type SyncSources } from './sync.ts'
import type { RequestOptions } from './reqresp.ts'

export interface AgoraHostOptions {
  /** ed25519 seed of the node (NodeKeys.ed25519Seed): libp2p identity and gossip signing key. */
  readonly ed25519Seed: Uint8Array
  /** Listen addresses; default one ephemeral TCP port on 127.0.0.1. */
  readonly listen?: readonly string[]
  /** Addresses to announce instead of the listen addresses (e.g. behind NAT). */
  readonly announce?: readonly string[]
  /** Multiaddrs with /p2p/<peer id> of nodes to join through. */
  readonly bootstrap?: readonly string[]
  readonly maxConnections?: number
  /** Keep looking for peers (DHT lookups, then dials) while connected to fewer than this. Default 16. */
  readonly targetPeers?: number
  /** Checks a checkpoint's quorum certificate (supplied by consensus). */
  readonly verifyCheckpoint: VerifyCheckpoint
  readonly gossip?: Pick<GossipOptions, 'sizeCaps' | 'submissionRate' | 'signerRates' | 'peerRates' | 'maxMessageAgeMs' | 'maxClockSkewMs'>
  /** Inbound request rate per peer and protocol. */
  readonly requestRate?: RateLimit
  /** IPs exempt from gossipsub's IP-colocation penalty (default: loopback). */
  readonly colocationWhitelist?: readonly string[]
  /** Multiaddr networks exempt from inbound connection limits (default: loopback, for local devnets). */
  readonly allowInbound?: readonly string[]
  /** Bounds of the DHT's datastore (see DEFAULT_DHT_STORE_LIMITS). */
  readonly dhtStoreLimits?: Partial<DhtStoreLimits>
}

export interface AgoraHostModules {
  readonly clock?: Clock
  /** Where blobs we put or fetched are kept and served from; default in memory (256 MiB). */
  readonly blobs?: BlobStore
  /** Where the DHT keeps records and provider entries (bucket `dhtStore`); default in memory. Bounded either way. */
  readonly db?: KvStore
  /** Where libp2p's own metrics go (the node's /metrics registry); none when absent. */
  readonly metricsRegistry?: Registry
}

export interface AgoraHost {
  readonly peerId: string
  readonly libp2p: Libp2p
  readonly gossip: AgoraGossip
  readonly dht: AgoraDht
  /** The DHT's bounded datastore (usage for metrics and tests). */
  readonly dhtStore: BoundedDatastore
  start(): Promise<void>
  stop(): Promise<void>
  multiaddrs(): string[]
  /** Peer ids we hold an open connection to. */
  peers(): string[]
  dial(addr: string): Promise<void>
  handleBlocks(fn: BlocksSource): void
  /** Extra blob source consulted after the host's own blob store (e.g. the node's database). */
  handleBlobs(fn: BlobSource): void
  handleStateChunks(fn: StateChunkSource): void
  requestBlocks(peer: string, from: number, to: number, opts?: RequestOptions): Promise<Uint8Array[]>
  requestBlob(peer: string, cid: string, opts?: RequestOptions): Promise<Uint8Array | undefined>
  requestStateChunk(peer: string, epoch: number, index: number, opts?: RequestOptions): Promise<{ chunk: Uint8Array; total: number } | undefined>
}

const maxCap = Math.max(...Object.values(DEFAULT_TOPIC_SIZE_CAP))

export async function createAgoraHost(opts: AgoraHostOptions, modules: AgoraHostModules = {}): Promise<AgoraHost> {
  const clock = modules.clock ?? systemClock
  const blobs = modules.blobs ?? createMemoryBlobStore()
  const rules = agoraRecordRules(opts.verifyCheckpoint)
  const maxConnections = opts.maxConnections ?? 100
  const gossipCap = Math.max(maxCap, ...Object.values(opts.gossip?.sizeCaps ?? {}))
  const dhtStore = await openKvDatastore(modules.db ?? new MemoryStore(), { bucket: Bucket.dhtStore, limits: opts.dhtStoreLimits }, { clock })

  const libp2p = await createLibp2p({
    privateKey: await libp2pPrivateKey(opts.ed25519Seed),
    addresses: { listen: [...(opts.listen ?? ['/ip4/127.0.0.1/tcp/0'])], announce: opts.announce ? [...opts.announce] : undefined },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // Into the node's registry, kept as is (the plugin clears a registry unless told) and without a second
    // copy of the process metrics the node already collects.
    ...(modules.metricsRegistry ? { metrics: prometheusMetrics({ registry: modules.metricsRegistry, preserveExistingMetrics: true, collectDefaultMetrics: false }) } : {}),
    peerDiscovery: opts.bootstrap?.length ? [bootstrap({ list: [...opts.bootstrap], timeout: 50 })] : [],
    // libp2p refuses more than 5 new inbound connections per second per IP by default: a devnet of ten
    // nodes on 127.0.0.1 would lose joiners, so loopback is exempt.
    connectionManager: { maxConnections, inboundConnectionThreshold: 20, allow: [...(opts.allowInbound ?? ['/ip4/127.0.0.0/ipcidr/8', '/ip6/::1/ipcidr/128'])] },
    services: {
      identify: identify(),
      // The DHT pings peers to check its routing table; the default of one outbound stream collides.
      ping: ping({ maxOutboundStreams: 16, maxInboundStreams: 16 }),
      dht: (components: KadDHTComponents) => kadDHT({
        protocol: DHT_PROTOCOL,
        clientMode: false,
        peerInfoMapper: passthroughMapper,
        validators: rules.validators,
        selectors: { 'agora-ckpt': selectCheckpoint, 'agora-blob': selectBlob },
      })(dhtComponents(components, dhtStore)),
      pubsub: gossipsub({
        globalSignaturePolicy: 'StrictNoSign',
        msgIdFn: (msg) => gossipMessageId(msg.data),
        allowPublishToZeroTopicPeers: true,
        allowedTopics: [...ALL_TOPICS],
        scoreParams: agoraScoreParams({ whitelistIps: opts.colocationWhitelist }),
        scoreThresholds: agoraScoreThresholds,
        // Let oversize messages (up to 2x the largest cap) reach our validator so they are Rejected
        // (and scored) rather than silently dropped by the decoder.
        maxInboundDataLength: 2 * gossipCap + 4096,
      }),
    },
    start: false,
  })

  const pubsub = libp2p.services.pubsub as unknown as GossipsubService
  const kad = libp2p.services.dht as KadDHT
  const sources: SyncSources = {}
  let extraBlobs: BlobSource | undefined
  sources.blob = async (cid) => (await blobs.get(cid)) ?? (extraBlobs ? await extraBlobs(cid) : undefined)
  const limiter = createRateLimiter(opts.requestRate ?? DEFAULT_REQUEST_RATE, clock)

  const gossip = createAgoraGossip({ seed: opts.ed25519Seed, clock, ...opts.gossip }, { pubsub })
  const dht = createAgoraDht({ validateCheckpoint: rules.validateCheckpoint }, {
    dht: kad,
    blobs,
    selfId: libp2p.peerId,
    fetchBlob: async (peer, cid, signal) => {
      const b = await requestBlob(libp2p, peer, cid, { signal })
      if (!b) throw new AgoraError('BLOB_NOT_FOUND', `provider ${peer.toString()} has no ${cid}`)
      return b
    },
  })

  // Dial peers we learn of (bootstrap list, DHT answers) until the connection budget is used: libp2p v3
  // does not auto-dial, and gossipsub only meshes with peers it is connected to.
  const onDiscovery = (evt: CustomEvent<{ id: PeerId }>): void => {
    const id = evt.detail.id
    if (id.equals(libp2p.peerId) || libp2p.getConnections(id).length > 0) return
    if (libp2p.getConnections().length >= maxConnections / 2) return
    libp2p.dial(id, { signal: AbortSignal.timeout(5_000) }).catch(() => { /* unreachable peers are normal */ })
  }

  // libp2p's own self-lookup runs once at start, when a joining node may know only its bootstrap peer;
  // repeat a lookup with backoff while we are below the target peer count.
  const targetPeers = opts.targetPeers ?? 16
  const dialBootstrap = () => Promise.allSettled((opts.bootstrap ?? []).map(async (a) => {
    const id = /\/p2p\/([^/]+)/.exec(a)?.[1]
    if (id && libp2p.getConnections(peerIdFromString(id)).length > 0) return
    await libp2p.dial(multiaddr(a), { signal: AbortSignal.timeout(5_000) })
  }))
  let refreshTimer: Timer | undefined
  let refreshDelay = 1_000
  const refresh = (): void => {
    refreshTimer = clock.setTimer(refreshDelay, async () => {
      refreshDelay = Math.min(refreshDelay * 2, 30_000)
      if (libp2p.getPeers().length < targetPeers) {
        await dialBootstrap()
        try {
          for await (const _ of kad.getClosestPeers(libp2p.peerId.toMultihash().bytes, { signal: AbortSignal.timeout(5_000) })) { /* discovery events do the dialing */ }
        } catch { /* nobody to ask yet */ }
      }
      if (libp2p.status === 'started') refresh()
    })
  }

  const toPeer = (peer: string): PeerId => {
    try {
      return peerIdFromString(peer)
    } catch (e) {
      throw new AgoraError('BAD_PEER_ID', `invalid peer id ${JSON.stringify(peer.slice(0, 80))}: ${errorMessage(e)}`)
    }
  }

  return {
    peerId: libp2p.peerId.toString(),
    libp2p,
    gossip,
    dht,
    dhtStore,
    async start() {
      await libp2p.start()
      libp2p.addEventListener('peer:discovery', onDiscovery)
      await serveSync(libp2p, sources, limiter)
      await dialBootstrap()
      refresh()
    },
    async stop() {
      refreshTimer?.cancel()
      libp2p.removeEventListener('peer:discovery', onDiscovery)
      await libp2p.stop()
    },
    multiaddrs: () => libp2p.getMultiaddrs().map((m) => m.toString()),
    peers: () => libp2p.getPeers().map((p) => p.toString()),
    async dial(addr) {
      await libp2p.dial(multiaddr(addr), { signal: AbortSignal.timeout(10_000) })
    },
    handleBlocks: (fn) => { sources.blocks = fn },
    handleBlobs: (fn) => { extraBlobs = fn },
    handleStateChunks: (fn) => { sources.state = fn },
    requestBlocks: (peer, from, to, o) => requestBlocks(libp2p, toPeer(peer), from, to, o),
    requestBlob: (peer, cid, o) => requestBlob(libp2p, toPeer(peer), cid, o),
    requestStateChunk: (peer, epoch, index, o) => requestStateChunk(libp2p, toPeer(peer), epoch, index, o),
  }
}

/**
 * The DHT sees its own datastore (bounded, persistent) instead of libp2p's, and its inbound streams run
 * as their remote peer, so the datastore can charge each put to the peer that sent it.
 */
function dhtComponents(c: KadDHTComponents, store: BoundedDatastore): KadDHTComponents {
  const registrar = new Proxy(c.registrar, {
    get(target, prop, receiver) {
      if (prop !== 'handle') return Reflect.get(target, prop, receiver)
      return (protocol: string, handler: Parameters<typeof target.handle>[1], o?: Parameters<typeof target.handle>[2]) =>
        target.handle(protocol, protocol === DHT_PROTOCOL ? (stream, conn) => store.runAsPeer(conn.remotePeer.toString(), () => handler(stream, conn)) : handler, o)
    },
  })
  return new Proxy(c, { get: (target, prop, receiver) => (prop === 'datastore' ? store : prop === 'registrar' ? registrar : Reflect.get(target, prop, receiver)) })
}
