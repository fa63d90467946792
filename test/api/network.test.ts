// The API on a running local network: two real validator nodes (validator/app/node.ts, libp2p on loopback,
// PBFT) in this process, exercised only through plain HTTP GraphQL. Same data on both nodes; mutations
// show up in state after the next blocks; bad input gets its typed error and changes nothing; limits refuse;
// a subscription receives the next block.
import { userPostId } from '../../ledger/ids.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { deriveNodeKeys, type NodeKeys } from '../../core/crypto/keys.ts'
import { ONE_REP } from '../../core/amount.ts'
import { cidOfBytes } from '../../core/encoding.ts'
import { utf8 } from '../../core/bytes.ts'
import { buildLocalNetwork } from '../../validator/app/genesis-builder.ts'
import { startNode, type RunningNode } from '../../validator/app/node.ts'
import { signTransaction, type TxBodyBase } from '../../validator/api/client.ts'
import { ABANDON, codeOf, gql } from './helpers.ts'

let dir: string
let nodes: RunningNode[] = []
let urls: string[] = []
let validator: NodeKeys // a validator's member key (1000 REP in genesis)
let miner: NodeKeys // 10 REP in genesis
let nonce = 0

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'agora-api-net-'))
  const net = await buildLocalNetwork({
    dir, validators: 2, miners: 1, minerMnemonics: [ABANDON], slotMs: 400, epochSlots: 16, params: { poolDurationSlots: 8 },
    genesisTime: Date.now() + 1500, challenges: [{ id: 'pow', modulePath: join(process.cwd(), 'challenges/build/pow.wasm'), emissionSharePpm: 1_000_000 }],
  })
  validator = await deriveNodeKeys(net.validators[0]!.mnemonic)
  miner = await deriveNodeKeys(ABANDON)
  const a = await startNode({ dataDir: net.validators[0]!.dataDir, genesisPath: net.genesisPath, listen: ['/ip4/127.0.0.1/tcp/0'], apiPort: 0, runtimeWorkers: 1 })
  nodes.push(a)
  nodes.push(await startNode({ dataDir: net.validators[1]!.dataDir, genesisPath: net.genesisPath, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [a.host.multiaddrs()[0]!], apiPort: 0, runtimeWorkers: 1 }))
  urls = nodes.map((n) => n.api.url)
  await heightAtLeast(2)
}, 90_000)

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()))
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const height = async (url: string) => (await gql(url, '{ node { height } }')).data.node.height as number
async function heightAtLeast(h: number, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    if ((await Promise.all(urls.map(height))).every((x) => x >= h)) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`nodes did not reach height ${h} in ${timeoutMs} ms`)
}
/** Wait for a couple of blocks after now on both nodes (a tx accepted now is decided by then). */
const nextBlocks = async (n = 3) => heightAtLeast(Math.max(...(await Promise.all(urls.map(height)))) + n)

const nextNonce = () => Date.now() * 1000 + ++nonce
const sign = (who: NodeKeys, body: Omit<TxBodyBase, 'sender' | 'nonce'>, n = nextNonce()) =>
  signTransaction(who.ed25519Seed, { sender: who.peerId, nonce: n, ...body } as TxBodyBase)
const M = (name: string, extra?: string) =>
  `mutation($tx: SignedTxInput!${extra ? `, $${extra}: String` : ''}) { ${name}(tx: $tx${extra ? `, ${extra}: $${extra}` : ''}) { txId type sender } }`
// One request: the resolvers are synchronous, so the height and root it reports are those of the state it shows.
const STATE = `query($m: String!) { node { height stateRoot } balance(member: $m) { balance locked } posts(first: 100) { total items { id citations { post weightPpm } } }
  pools(first: 100) { total items { id post stakes { member amount inFavor } } } availability(first: 100) { items { member amount } }
  submissions(first: 100) { total items { id miner challenge payloadCid } } challenges { items { id status } } validators { items { peerId power } } }`
const state = (url: string, m: string) => gql(url, STATE, { m }).then((r) => { expect(r.errors).toBeUndefined(); return r.data })
/** A page's items other than the system's (evidence and dispute posts and their pools: ids from ledger/ids.ts). */
const memberItems = (page: { items: { id: string }[] }) => page.items.filter((i) => !/^(pool-)?(evidence|dispute)-/.test(i.id))
/** Both nodes' state taken at one height (consistency is per height): polled until the two answers name the same one. */
async function bothAtSameHeight(m: string, timeoutMs = 30_000) {
  const seen: number[][] = []
  for (const end = Date.now() + timeoutMs; Date.now() < end;) {
    const [s0, s1] = await Promise.all(urls.map((u) => state(u, m)))
    if (s0.node.height === s1.node.height) return [s0, s1] as const
    seen.push([s0.node.height, s1.node.height])
    await new Promise((r) => setTimeout(r, 50)) // a block is being imported on one of them
  }
  throw new Error(`nodes never answered at the same height in ${timeoutMs} ms (heights seen: ${JSON.stringify(seen.slice(-10))})`)
}

describe('API on a running two-node network', () => {
  it('every query answers and both nodes agree on blocks and state', async () => {
    const q = `{ node { networkId height synced } blocks(first: 5) { total items { height } }
      validators { total items { peerId power } } balances { total } posts { total } pools { total } availability { total }
      params { current { name value } pending { name } } challenges { items { id status moduleHash } } submissions { total }
      epochs { total } checkpoints { total } }`
    let a, b
    for (let i = 0; i < 100; i++) { // until both block stores list a block
      ;[a, b] = await Promise.all(urls.map((u) => gql(u, q)))
      expect(a!.errors).toBeUndefined()
      expect(b!.errors).toBeUndefined()
      if (a!.data.blocks.items.length && b!.data.blocks.items.length) break
      await new Promise((r) => setTimeout(r, 100))
    }
    // The same decided block at a height both nodes have.
    const h = Math.min(a!.data.blocks.items[0].height, b!.data.blocks.items[0].height)
    const blockQ = `query($h: Int!) { block(height: $h) { height slot epoch hash prevHash prevStateRoot stateRoot proposer txCount } }`
    const [ba, bb] = await Promise.all(urls.map((u) => gql(u, blockQ, { h })))
    expect(ba!.data.block).not.toBeNull()
    expect(ba!.data.block).toEqual(bb!.data.block)
    expect(a!.data.validators).toEqual(b!.data.validators)
    expect(a!.data.challenges).toEqual(b!.data.challenges)
    expect(a!.data.challenges.items[0]).toMatchObject({ id: 'pow', status: 'active' })
    const [s0, s1] = await bothAtSameHeight(validator.peerId)
    expect(s0).toEqual(s1)
  })

  it('mutations are decided and show up on both nodes; bad input is refused with typed errors and changes nothing', async () => {
    const payload = utf8('miner work 1')
    const sub = await gql(urls[0]!, M('submit', 'payload'), { tx: sign(miner, { type: 'Submission', challenge: 'pow', payloadCid: cidOfBytes(payload), payloadBytes: payload.length }), payload: Buffer.from(payload).toString('base64') })
    expect(sub.errors).toBeUndefined()
    // A member's post id derives from its sender and nonce (ledger/ids.ts).
    const postNonce = nextNonce()
    const postId = userPostId(validator.peerId, postNonce)
    const post = await gql(urls[1]!, M('post'), { tx: sign(validator, { type: 'Post', id: postId, authors: { [validator.peerId]: 1_000_000 }, citations: {}, content: 'hello from the API' }, postNonce) })
    expect(post.errors).toBeUndefined()
    const avail = await gql(urls[0]!, M('stakeAvailability'), { tx: sign(validator, { type: 'StakeAvailability', amount: (5n * ONE_REP).toString(), epochs: 4 }) })
    expect(avail.errors).toBeUndefined()
    await nextBlocks()

    const [s0, s1] = await bothAtSameHeight(validator.peerId)
    expect(s0).toEqual(s1)
    expect(s0.submissions.items).toContainEqual({ id: expect.any(String), miner: miner.peerId, challenge: 'pow', payloadCid: cidOfBytes(payload) })
    expect(s0.posts.items.map((p: { id: string }) => p.id)).toContain(postId)
    expect(s0.balance.locked).toBe('105') // 100 genesis availability stake + 5

    // Refusals: each typed, nothing in state moves (compared after more blocks).
    const before = s0
    const refusals: [string, Record<string, unknown>, string][] = [
      [M('stakeAvailability'), { tx: sign(miner, { type: 'StakeAvailability', amount: (500n * ONE_REP).toString(), epochs: 4 }) }, 'INSUFFICIENT_REP'],
      [M('initiatePool'), { tx: sign(validator, { type: 'InitiatePool', id: 'pool-api', post: postId, fee: (200n * ONE_REP).toString() }) }, 'INSUFFICIENT_CREDITS'], // fee above its 100 genesis credits
      [M('initiatePool'), { tx: sign(validator, { type: 'InitiatePool', id: 'pool-x', post: 'no-such-post', fee: '0' }) }, 'UNKNOWN_POST'],
      [M('stake'), { tx: sign(validator, { type: 'Stake', pool: 'no-such-pool', amount: ONE_REP.toString(), inFavor: true }) }, 'UNKNOWN_POOL'],
      [M('submit', 'payload'), { tx: sign(miner, { type: 'Submission', challenge: 'nope', payloadCid: cidOfBytes(payload), payloadBytes: payload.length }), payload: Buffer.from(payload).toString('base64') }, 'UNKNOWN_CHALLENGE'],
      [M('post'), { tx: sign(validator, { type: 'Stake', pool: 'no-such-pool', amount: ONE_REP.toString(), inFavor: true }) }, 'WRONG_TX_TYPE'],
      [M('post'), { tx: { ...sign(validator, { type: 'Post', id: 'p-forged', authors: { [validator.peerId]: 1_000_000 }, citations: {} }), publicKey: '0x' + Buffer.from(miner.ed25519PublicKey).toString('hex') } }, 'BAD_SIGNATURE'],
    ]
    for (const [q, v, code] of refusals) {
      const r = await gql(urls[0]!, q, v)
      expect(codeOf(r), JSON.stringify(r.errors)).toBe(code)
    }
    await nextBlocks()
    const [after0, after1] = await bothAtSameHeight(validator.peerId)
    expect(after0).toEqual(after1)
    // An epoch may close meanwhile: the system then adds each validator's evidence post and pool, and the
    // pools pay REP to their authors (CI saw 3 posts against 1). The members' own objects must not move.
    expect(memberItems(after0.posts)).toEqual(memberItems(before.posts))
    expect(memberItems(after0.pools)).toEqual(memberItems(before.pools))
    expect(after0.balance.locked).toBe(before.balance.locked)
    expect(after0.submissions).toEqual(before.submissions)
    expect((await gql(urls[0]!, `query($m: String!) { balance(member: $m) { balance locked } }`, { m: miner.peerId })).data.balance.locked).toBe('0')
  })

  it('a query deeper than the limit is refused', async () => {
    const deep = await gql(urls[1]!, `{ pools { items { target { citations { target { citations { target { citations { target { id } } } } } } } } } }`)
    expect(codeOf(deep)).toBe('QUERY_TOO_DEEP')
  })

  it('a subscription receives the next block', async () => {
    const abort = new AbortController()
    const res = await fetch(urls[0]!, { method: 'POST', signal: abort.signal, headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify({ query: 'subscription { newBlocks { height stateRoot } }' }) })
    const reader = res.body!.getReader()
    let buf = ''
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) throw new Error('stream ended')
        buf += new TextDecoder().decode(value)
        const m = /event: next\ndata: (.*)\n/.exec(buf)
        if (m) {
          const b = JSON.parse(m[1]!).data.newBlocks
          expect(b.height).toBeGreaterThan(0)
          // The other node may not have decided this height yet: poll it (bounded), then compare roots.
          let other: string | undefined
          for (const end = Date.now() + 20_000; !other && Date.now() < end;) {
            other = (await gql(urls[1]!, `query($h: Int!) { block(height: $h) { stateRoot } }`, { h: b.height })).data.block?.stateRoot
            if (!other) await new Promise((r) => setTimeout(r, 100))
          }
          expect(other).toBe(b.stateRoot)
          break
        }
      }
    } finally {
      abort.abort()
    }
  })
})
