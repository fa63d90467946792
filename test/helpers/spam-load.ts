// The spam load of issue 15, shared by test/e2e/spam.test.ts and `npm run bench -- node`: fat forum posts
// (32 authors with long ids, ~4.3 KB signed) from fresh keys, sent through nodes' GraphQL APIs and, the
// same, over raw gossip from an outside libp2p peer built with the project's own host (docs/PROTOCOL.md).
import { createHash } from 'node:crypto'
import { ed25519PublicKey } from '../../core/crypto/sign.ts'
import { fromHex } from '../../core/bytes.ts'
import { memberIdOf } from '../../ledger/txs.ts'
import { userPostId } from '../../ledger/ids.ts'
import { graphqlRequest, signTransaction } from '../../validator/api/client.ts'
import { createAgoraHost, Topic } from '../../validator/infra/p2p/index.ts'

const AUTHORS = 32
/** Author ids at the schema's length limit make each post ~4.3 KB, as in the reproduction. */
const AUTHOR_IDS = Array.from({ length: AUTHORS }, (_, i) => `spam-author-${i}-${'x'.repeat(110)}`)

const seedOf = (label: string) => new Uint8Array(createHash('sha256').update(`agora-spam/${label}`).digest())

/** One fat post signed by a fresh key; `bytes` is the signed body's length. */
export function fatPost(label: string, nonce: number): { tx: { body: string; publicKey: string; signature: string }; bytes: number } {
  return fatPostBy(seedOf(label), nonce)
}

/** One fat post signed by the key of `seed` (e.g. a funded member's). */
export function fatPostBy(seed: Uint8Array, nonce: number): { tx: { body: string; publicKey: string; signature: string }; bytes: number } {
  const sender = memberIdOf(ed25519PublicKey(seed))
  const body = {
    type: 'Post', sender, nonce, id: userPostId(sender, nonce),
    // The sender must be an author; 31 more at the id length limit.
    authors: Object.fromEntries([sender, ...AUTHOR_IDS.slice(1)].map((a) => [a, 1_000_000 / AUTHORS])), citations: {},
  }
  const tx = signTransaction(seed, body as never)
  return { tx, bytes: Buffer.from(tx.body, 'base64').length }
}

export interface BurstResult {
  readonly sent: number; readonly accepted: number; readonly refused: number; readonly bytes: number
  /** API refusals by `extensions.code` (NO_ANSWER: no GraphQL answer in time). */
  readonly codes?: Readonly<Record<string, number>>
}

export interface BurstOptions {
  readonly tag: string
  /** Funded members' ed25519 seeds: every other post is signed by one of them (round robin), the rest by fresh keys. */
  readonly funded?: readonly Uint8Array[]
}

/** Post `i` of a burst: odd ones from a funded key when there are any (increasing nonces), else a fresh key. */
function postOf(o: BurstOptions, via: string, i: number, nonce: number): ReturnType<typeof fatPost> {
  const f = o.funded ?? []
  return f.length > 0 && i % 2 === 1 ? fatPostBy(f[(i >> 1) % f.length]!, nonce + i) : fatPost(`${o.tag}-${via}-${i}`, nonce + i)
}

/** At least `minBytes` of fat posts through the APIs (round robin), `concurrency` requests in flight. */
export async function apiBurst(apiUrls: readonly string[], minBytes: number, opts: BurstOptions & { concurrency?: number }): Promise<BurstResult> {
  let sent = 0, accepted = 0, refused = 0, bytes = 0, next = 0
  const nonce = Date.now() * 1000
  const codes: Record<string, number> = {}
  const worker = async () => {
    while (bytes < minBytes) {
      const i = next++
      const p = postOf(opts, 'api', i, nonce)
      bytes += p.bytes
      sent++
      const r = await graphqlRequest<{ post: { txId: string } }>(`${apiUrls[i % apiUrls.length]}/graphql`,
        'mutation($tx: SignedTxInput!) { post(tx: $tx) { txId } }', { tx: p.tx }, { timeoutMs: 20_000 }).catch(() => undefined)
      if (r?.data?.post.txId) accepted++
      else {
        refused++
        const code = String(r?.errors?.[0]?.extensions?.code ?? 'NO_ANSWER')
        codes[code] = (codes[code] ?? 0) + 1
      }
    }
  }
  await Promise.all(Array.from({ length: opts.concurrency ?? 16 }, worker))
  return { sent, accepted, refused, bytes, codes }
}

/**
 * At least `minBytes` of fat posts published on /agora/1/forum by an outside peer that dials `bootstrap`
 * (a node's multiaddrs): signed envelopes with `{ tx }` payloads, exactly as PROTOCOL.md describes.
 */
export async function gossipBurst(bootstrap: readonly string[], minBytes: number, opts: BurstOptions & { waitForMeshMs?: number }): Promise<BurstResult & { recipients: number }> {
  const host = await createAgoraHost({ ed25519Seed: seedOf(`${opts.tag}-outsider`), bootstrap: [...bootstrap], verifyCheckpoint: () => false })
  await host.start()
  try {
    host.gossip.subscribe(Topic.forum, { validate: () => 'ignore', onMessage: () => {} }) // join the topic; relay nothing
    const end = Date.now() + (opts.waitForMeshMs ?? 10_000)
    while (host.gossip.subscribers(Topic.forum).length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 200))
    let sent = 0, bytes = 0, recipients = 0, refused = 0
    const nonce = Date.now() * 1000
    for (let i = 0; bytes < minBytes; i++) {
      const p = postOf(opts, 'gossip', i, nonce)
      const tx = { body: new Uint8Array(Buffer.from(p.tx.body, 'base64')), publicKey: fromHex(p.tx.publicKey.slice(2)), signature: fromHex(p.tx.signature.slice(2)) }
      const r = await host.gossip.publish(Topic.forum, { tx }).catch(() => undefined)
      if (r) recipients += r.recipients; else refused++
      bytes += p.bytes
      sent++
    }
    return { sent, accepted: sent - refused, refused, bytes, recipients }
  } finally {
    await host.stop().catch(() => undefined)
  }
}
