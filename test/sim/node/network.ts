// Simulated network for whole nodes: every link delivers through the seeded scheduler with a random
// latency (so messages reorder), drops, duplicates, and partitions; a SimHost per node offers what the
// workflow uses of AgoraHost (gossip with verdicts, block/blob requests, the DHT). Gossip is a full mesh
// without forwarding; envelopes carry the author's real ed25519 key but are not signed (cost: the gossip
// layer's signature checks have their own tests, and no actor here can forge another's key).
import { cidOfBytes, encode } from '../../../core/encoding.ts'
import { ed25519PublicKey } from '../../../core/crypto/sign.ts'
import { toHex } from '../../../core/bytes.ts'
import { sha256 } from '../../../core/hash.ts'
import { ENVELOPE_VERSION, type TopicName } from '../../../validator/infra/p2p/constants.ts'
import type { AgoraHost, GossipEnvelope, TopicHandler, Verdict, VerdictEvent, CheckpointRecord } from '../../../validator/infra/p2p/index.ts'
import type { BlocksSource, BlobSource } from '../../../validator/infra/p2p/sync.ts'
import type { Rng } from '../prng.ts'
import type { Scheduler } from '../scheduler.ts'

/** Freshness window of the real gossip layer (DEFAULT_MAX_MESSAGE_AGE_MS / clock skew), mirrored. */
const MAX_AGE_MS = 5 * 60_000
const MAX_SKEW_MS = 30_000
/** A request whose peer is down or cut off fails after this long (simulated), like a dial timeout. */
const REQUEST_TIMEOUT_MS = 2_000

export interface LinkFaults { dropP: number; dupP: number; minMs: number; maxMs: number }

/** What the network saw: one record per message a node published (the invariants read these). */
export interface Sent { readonly node: string; readonly topic: TopicName; readonly payload: Uint8Array; readonly time: number }

export class SimNetwork {
  readonly hosts = new Map<string, SimHost>()
  readonly sent: Sent[] = []
  readonly verdicts: Record<string, number> = {}
  faults: LinkFaults = { dropP: 0, dupP: 0, minMs: 5, maxMs: 60 }
  /** Node id → partition group; nodes in different groups cannot reach each other. */
  groups = new Map<string, number>()
  readonly dht = new SimDht()
  messages = 0

  constructor(readonly sched: Scheduler, readonly rng: Rng) {}

  host(id: string, ed25519Seed: Uint8Array): SimHost {
    const h = new SimHost(this, id, ed25519PublicKey(ed25519Seed))
    this.hosts.set(id, h)
    return h
  }

  reachable(a: string, b: string): boolean {
    const ha = this.hosts.get(a), hb = this.hosts.get(b)
    if (!ha) return !!hb?.up // an outside client (miner, spammer) reaches every live node
    return ha.up && !!hb?.up && (this.groups.get(a) ?? 0) === (this.groups.get(b) ?? 0)
  }

  /** Deliver `fn` from a to b after a random latency, unless dropped; maybe twice. */
  send(a: string, b: string, fn: (to: SimHost) => void): void {
    const copies = this.rng.chance(this.faults.dropP) ? 0 : this.rng.chance(this.faults.dupP) ? 2 : 1
    for (let i = 0; i < copies; i++) {
      this.sched.after(this.rng.range(this.faults.minMs, this.faults.maxMs), () => {
        const to = this.hosts.get(b)
        if (to && this.reachable(a, b)) { this.messages++; fn(to) }
      })
    }
  }

  /** A request/response round trip: the answer, or a rejection after the timeout when unreachable. */
  request<T>(a: string, b: string, serve: (to: SimHost) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const fail = () => reject(new Error(`request to ${b.slice(-6)} timed out`))
      const there = this.rng.range(this.faults.minMs, this.faults.maxMs)
      this.sched.after(there, () => {
        const to = this.hosts.get(b)
        if (!to || !this.reachable(a, b)) { this.sched.after(REQUEST_TIMEOUT_MS - there, fail); return }
        return serve(to).then((r) => { this.sched.after(this.rng.range(this.faults.minMs, this.faults.maxMs), () => this.reachable(a, b) ? resolve(r) : fail()) }, reject)
      })
    })
  }
}

export class SimHost {
  up = true
  private readonly handlers = new Map<string, TopicHandler>()
  private readonly seen = new Set<string>()
  private readonly verdictListeners = new Set<(e: VerdictEvent) => void>()
  private blocksFn?: BlocksSource
  private blobsFn?: BlobSource
  private seq = 0
  /** Test hook: rewrite or multiply what this node publishes (byzantine wrappers, planted bugs). */
  outgoing?: (topic: TopicName, value: unknown) => { value: unknown; to?: (peer: string) => boolean }[]

  constructor(readonly net: SimNetwork, readonly peerId: string, readonly publicKey: Uint8Array) {}

  /**
   * Publish as this node, or (ext) as an outside client with its own key and sequence numbers, which
   * reaches every live node including this one.
   */
  emit(topic: TopicName, value: unknown, sender = this.publicKey, filter?: (peer: string) => boolean, ext?: { from: string; seq: number }): GossipEnvelope {
    const seq = ext ? ext.seq : (this.seq = Math.max(this.seq + 1, this.net.sched.now))
    const env: GossipEnvelope = { v: ENVELOPE_VERSION, topic, sender, seq, time: this.net.sched.now, payload: encode(value), sig: new Uint8Array(64) }
    const from = ext?.from ?? this.peerId
    if (!ext) {
      this.net.sent.push({ node: this.peerId, topic, payload: env.payload, time: env.time })
      this.seen.add(`${topic}|${toHex(sender)}|${seq}`)
    }
    for (const peer of this.net.hosts.keys()) {
      if (peer !== from && (!filter || filter(peer))) this.net.send(from, peer, (to) => { void to.receive(env, from) })
    }
    return env
  }

  private async receive(env: GossipEnvelope, from: string): Promise<void> {
    const ctx = { from, msgId: toHex(sha256(env.payload)) }
    const verdict = await this.judge(env, ctx).catch((): [Verdict, string] => ['ignore', 'validator-error'])
    this.net.verdicts[`${env.topic.split('/').pop()}:${verdict[0]}:${verdict[1]}`] = (this.net.verdicts[`${env.topic.split('/').pop()}:${verdict[0]}:${verdict[1]}`] ?? 0) + 1
    for (const l of this.verdictListeners) l({ ...ctx, topic: env.topic, verdict: verdict[0], reason: verdict[1], sender: toHex(env.sender) })
    if (verdict[0] !== 'accept' || !this.up) return
    try { this.handlers.get(env.topic)?.onMessage(env, ctx) } catch { /* as gossip.ts: a subscriber's bug never breaks the loop */ }
  }

  private async judge(env: GossipEnvelope, ctx: { from: string; msgId: string }): Promise<[Verdict, string]> {
    const now = this.net.sched.now
    if (env.time + MAX_AGE_MS < now) return ['ignore', 'stale']
    if (env.time > now + MAX_SKEW_MS) return ['ignore', 'future']
    const key = `${env.topic}|${toHex(env.sender)}|${env.seq}`
    if (this.seen.has(key)) return ['ignore', 'duplicate']
    this.seen.add(key)
    const h = this.handlers.get(env.topic)
    if (!h) return ['ignore', 'unsubscribed']
    if (h.validate) {
      try {
        const r = await h.validate(env, ctx)
        const v = typeof r === 'string' ? { verdict: r, code: 'content' } : r // a verdict, or one with its code
        if (v.verdict !== 'accept') return [v.verdict, v.code]
      } catch { return ['ignore', 'validator-error'] }
    }
    return ['accept', 'ok']
  }

  private peerList(): string[] { return [...this.net.hosts.keys()].filter((p) => p !== this.peerId && this.net.hosts.get(p)!.up) }

  /** The subset of AgoraHost the workflow uses. */
  asAgoraHost(): AgoraHost {
    const self = this
    const publish = async (topic: TopicName, value: unknown) => {
      if (!self.up) throw new Error('host stopped')
      const outs = self.outgoing ? self.outgoing(topic, value) : [{ value }]
      let envelope!: GossipEnvelope
      for (const o of outs) envelope = self.emit(topic, o.value, self.publicKey, o.to)
      return { envelope, recipients: self.peerList().length }
    }
    const host = {
      peerId: self.peerId,
      gossip: {
        subscribe: (topic: TopicName, h: TopicHandler) => { self.handlers.set(topic, h) },
        unsubscribe: (topic: TopicName) => { self.handlers.delete(topic) },
        publish,
        publishEnvelope: async () => ({ recipients: 0 }),
        onVerdict: (cb: (e: VerdictEvent) => void) => { self.verdictListeners.add(cb); return () => { self.verdictListeners.delete(cb) } },
        peerScore: () => 0,
        meshPeers: () => self.peerList(),
        subscribers: () => self.peerList(),
      },
      dht: {
        putCheckpoint: async (rec: CheckpointRecord) => { self.net.dht.putCheckpoint(rec); return { peersAccepted: 1 } },
        getCheckpoint: async (epoch: number) => self.net.dht.checkpoints.get(epoch)?.at(-1),
        getLatestCheckpoint: async () => self.net.dht.latest(),
        putBlob: async (bytes: Uint8Array) => { self.net.dht.putBlob(bytes); return { cid: cidOfBytes(bytes), peersAccepted: 1, stored: 'dht' as const } },
        getBlob: async (cid: string) => self.net.dht.blobs.get(cid),
      },
      start: async () => {},
      stop: async () => {},
      multiaddrs: () => [],
      peers: () => self.peerList(),
      dial: async () => {},
      handleBlocks: (fn: BlocksSource) => { self.blocksFn = fn },
      handleBlobs: (fn: BlobSource) => { self.blobsFn = fn },
      handleStateChunks: () => {},
      requestBlocks: (peer: string, from: number, to: number) =>
        self.net.request(self.peerId, peer, async (h) => (h.blocksFn ? await h.blocksFn(from, to, self.peerId) : [])),
      requestBlob: (peer: string, cid: string) =>
        self.net.request(self.peerId, peer, async (h) => (h.blobsFn ? await h.blobsFn(cid) : undefined) ?? undefined),
      requestStateChunk: async () => undefined,
    }
    return host as unknown as AgoraHost
  }
}

/** One DHT for the whole network (reachable from every live node): checkpoints verified when read. */
export class SimDht {
  readonly checkpoints = new Map<number, CheckpointRecord[]>()
  readonly blobs = new Map<string, Uint8Array>()
  verify: (rec: CheckpointRecord) => boolean = () => false
  putCheckpoint(rec: CheckpointRecord): void {
    const l = this.checkpoints.get(rec.epoch) ?? []
    l.push(rec)
    this.checkpoints.set(rec.epoch, l)
  }
  putBlob(bytes: Uint8Array): void { this.blobs.set(cidOfBytes(bytes), bytes) }
  /** Newest record that passes the quorum check (the kad-dht record validator's job). */
  latest(): CheckpointRecord | undefined {
    for (const e of [...this.checkpoints.keys()].sort((a, b) => b - a)) {
      for (const r of this.checkpoints.get(e)!) if (this.verify(r)) return r
    }
    return undefined
  }
}

