// Each mutation through plain HTTP: the happy path shows up in state (on both nodes) after the next block;
// each bad input gets its typed error and leaves state (and both mempools) unchanged.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import { ONE_REP } from '../../core/amount.ts'
import { cidOfBytes, encode } from '../../core/encoding.ts'
import { toHex, utf8 } from '../../core/bytes.ts'
import { Domain, signEd25519 } from '../../core/crypto/sign.ts'
import { signTransaction, type TxBodyBase } from '../../validator/api/client.ts'
import { signManifest } from '../../registry/manifest.ts'
import { ALL_STATE, API_TOKEN, codeOf, gql, startNet, type Net } from './helpers.ts'

let net: Net
let nonce = 100
const MAX_PAYLOAD = 4096

beforeAll(async () => { net = await startNet({ limits: { maxPayloadBytes: MAX_PAYLOAD } }); net.produce() })
afterAll(async () => { await net?.close() })

const url = () => net.servers[0]!.url
const M = (name: string, extra?: string) =>
  `mutation($tx: SignedTxInput!${extra ? `, $${extra}: String` : ''}) { ${name}(tx: $tx${extra ? `, ${extra}: $${extra}` : ''}) { txId type sender } }`
const SUBMIT = M('submit', 'payload')
const PROPOSE = M('proposeChallenge', 'module')
const rep = (n: number) => (BigInt(n) * ONE_REP).toString()
const userTx = (body: Omit<TxBodyBase, 'sender' | 'nonce'>, who = () => net.user) =>
  signTransaction(who().ed25519Seed, { sender: who().peerId, nonce: ++nonce, ...body } as TxBodyBase)
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64')
const snapshot = async () => (await gql(url(), ALL_STATE, { member: net.user.peerId, post: 'p0', pool: 'pool0', challenge: 'sum', submission: 'x' })).data

/** Sends a mutation that must fail with `code`, and checks that nothing changed anywhere. */
async function expectRefused(query: string, variables: Record<string, unknown>, code: string) {
  const before = await snapshot()
  const r = await gql(url(), query, variables)
  expect(r.errors?.[0]?.message, JSON.stringify(r)).toBeTruthy()
  expect(codeOf(r)).toBe(code)
  expect(r.data).toBeNull()
  for (const n of net.nodes) expect(n.mempoolSize()).toBe(0)
  net.produce()
  const after = await snapshot()
  // Only the block list and chain position move; everything else is byte-for-byte the same.
  for (const k of ['node', 'blocks', 'block']) { delete before[k]; delete after[k] }
  expect(after).toEqual(before)
}

describe('mutations: happy paths show up in state on both nodes after the next block', () => {
  it('submit (payload inline) and submit (by cid)', async () => {
    const payload = utf8('40 2')
    const r = await gql(url(), SUBMIT, { tx: userTx({ type: 'Submission', challenge: 'sum', payloadCid: cidOfBytes(payload), payloadBytes: payload.length }), payload: b64(payload) })
    expect(r.errors).toBeUndefined()
    expect(r.data.submit).toMatchObject({ type: 'Submission', sender: net.user.peerId })
    expect(r.data.submit.txId).toMatch(/^0x[0-9a-f]{64}$/)
    const byCid = await gql(url(), SUBMIT, { tx: userTx({ type: 'Submission', challenge: 'sum', payloadCid: cidOfBytes(utf8('elsewhere')), payloadBytes: utf8('elsewhere').length }) })
    expect(byCid.errors).toBeUndefined()
    net.produce()
    for (const s of net.servers) {
      const q = await gql(s.url, `query($m: String!) { submissions(miner: $m) { total items { id payloadCid challenge } } }`, { m: net.user.peerId })
      expect(q.data.submissions.total).toBe(2)
      expect(q.data.submissions.items.map((x: { id: string }) => x.id)).toContain(r.data.submit.txId)
    }
  })

  it('post (with a citation) then initiatePool on it', async () => {
    const post = await gql(url(), M('post'), { tx: userTx({ type: 'Post', id: 'p-user-1', authors: { [net.user.peerId]: 1_000_000 }, citations: { p0: 250_000 }, content: 'hello' }) })
    expect(post.errors).toBeUndefined()
    net.produce()
    const pool = await gql(url(), M('initiatePool'), { tx: userTx({ type: 'InitiatePool', id: 'pool-user-1', post: 'p-user-1', fee: rep(5) }) })
    expect(pool.errors).toBeUndefined()
    net.produce()
    for (const s of net.servers) {
      const q = await gql(s.url, `{ post(id: "p-user-1") { content citations { post weightPpm target { content } } } pool(id: "pool-user-1") { post fee resolved } }`)
      expect(q.data.post).toEqual({ content: 'hello', citations: [{ post: 'p0', weightPpm: 250_000, target: { content: 'genesis post' } }] })
      expect(q.data.pool).toEqual({ post: 'p-user-1', fee: '5', resolved: false })
    }
  })

  it('stake, stakeAvailability and businessRequest move the member\'s REP', async () => {
    const before = (await gql(url(), `query($m: String!) { balance(member: $m) { balance locked } }`, { m: net.user.peerId })).data.balance
    for (const [name, body] of [
      ['stake', { type: 'Stake', pool: 'pool0', amount: rep(7), inFavor: true }],
      ['stakeAvailability', { type: 'StakeAvailability', amount: rep(100), epochs: 4 }],
      ['businessRequest', { type: 'BusinessRequest', fee: rep(3), request: 'score my model' }],
    ] as const) {
      const r = await gql(url(), M(name), { tx: userTx(body) })
      expect(r.errors, name).toBeUndefined()
    }
    net.produce()
    for (const s of net.servers) {
      const q = await gql(s.url, `query($m: String!) { balance(member: $m) { balance locked } pool(id: "pool0") { forTotal stakes { member amount inFavor } } availability { items { member amount untilEpoch } } }`, { m: net.user.peerId })
      expect(BigInt(q.data.balance.balance) ).toBe(BigInt(before.balance) - 3n)
      expect(q.data.balance.locked).toBe(String(Number(before.locked) + 107))
      expect(q.data.pool.stakes).toContainEqual({ member: net.user.peerId, amount: '7', inFavor: true })
      expect(q.data.availability.items).toContainEqual(expect.objectContaining({ member: net.user.peerId, amount: '100' }))
    }
  })

  it('proposeChallenge with its module bytes', async () => {
    const module = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])
    const signed = signManifest(net.user.ed25519Seed, {
      name: 'echo', version: '0.1.0', description: 'echoes', moduleHash: createHash('sha256').update(module).digest('hex'),
      entryPoints: ['run'], policy: { fuelLimit: 1000, memoryPages: 1, hostFunctions: [], floats: 'deny' }, emissionSharePpm: 0,
    })
    const r = await gql(url(), PROPOSE, { tx: userTx({ type: 'ProposeChallenge', post: 'p-echo', signed }), module: b64(module) })
    expect(r.errors).toBeUndefined()
    net.produce()
    for (const s of net.servers) {
      const q = await gql(s.url, `{ challenge(id: "echo") { status version owner } post(id: "p-echo") { id } }`)
      expect(q.data).toEqual({ challenge: { status: 'proposed', version: '0.1.0', owner: signed.manifest.owner }, post: { id: 'p-echo' } })
    }
  })

  it('operator mutations need the API token', async () => {
    const q = `mutation { nodeStakeAvailability(amount: "50", epochs: 3) { txId sender } }`
    const anon = await gql(url(), q)
    expect(codeOf(anon)).toBe('UNAUTHENTICATED')
    const wrong = await gql(url(), q, {}, { authorization: 'Bearer nope' })
    expect(codeOf(wrong)).toBe('UNAUTHENTICATED')
    const ok = await gql(url(), q, {}, { authorization: `Bearer ${API_TOKEN}` })
    expect(ok.errors).toBeUndefined()
    expect(ok.data.nodeStakeAvailability.sender).toBe(net.nodes[0]!.peerId)
    net.nodes[0]!.produceBlock()
    const a = await gql(url(), `query($m: String!) { balance(member: $m) { locked } }`, { m: net.nodes[0]!.peerId })
    expect(a.data.balance.locked).toBe('50')
    net.nodes[1]!.produceBlock() // keep both nodes at the same height
  })
})

describe('mutations: bad input gets a typed error and changes nothing', () => {
  beforeEach(() => { for (const n of net.nodes) expect(n.mempoolSize()).toBe(0) })

  it('bad signature', async () => {
    const tx = userTx({ type: 'Stake', pool: 'pool0', amount: rep(1), inFavor: true })
    const sig = Buffer.from(tx.signature.slice(2), 'hex'); sig[0]! ^= 1
    await expectRefused(M('stake'), { tx: { ...tx, signature: '0x' + sig.toString('hex') } }, 'BAD_SIGNATURE')
  })

  it('a sender that is not the signing key', async () => {
    const body = { type: 'Stake', sender: net.poor.peerId, nonce: ++nonce, pool: 'pool0', amount: rep(1), inFavor: true }
    await expectRefused(M('stake'), { tx: signTransaction(net.user.ed25519Seed, body) }, 'BAD_SIGNATURE')
  })

  it('unknown challenge (and a retired one)', async () => {
    for (const challenge of ['nope', 'old']) {
      await expectRefused(SUBMIT, { tx: userTx({ type: 'Submission', challenge, payloadCid: cidOfBytes(utf8('x')), payloadBytes: utf8('x').length }) }, 'UNKNOWN_CHALLENGE')
    }
  })

  it('oversized payload', async () => {
    const payload = new Uint8Array(MAX_PAYLOAD + 1)
    await expectRefused(SUBMIT, { tx: userTx({ type: 'Submission', challenge: 'sum', payloadCid: cidOfBytes(payload), payloadBytes: payload.length }), payload: b64(payload) }, 'PAYLOAD_TOO_LARGE')
  })

  it('a payload that does not match its cid', async () => {
    await expectRefused(SUBMIT, { tx: userTx({ type: 'Submission', challenge: 'sum', payloadCid: cidOfBytes(utf8('a')), payloadBytes: utf8('a').length }), payload: b64(utf8('b')) }, 'MALFORMED')
  })

  it('insufficient REP for a stake, an availability lock and a pool fee', async () => {
    await expectRefused(M('stake'), { tx: userTx({ type: 'Stake', pool: 'pool0', amount: rep(2), inFavor: false }, () => net.poor) }, 'INSUFFICIENT_REP')
    await expectRefused(M('stakeAvailability'), { tx: userTx({ type: 'StakeAvailability', amount: rep(1_000_000), epochs: 2 }) }, 'INSUFFICIENT_REP')
    await expectRefused(M('initiatePool'), { tx: userTx({ type: 'InitiatePool', id: 'pool-x', post: 'p0', fee: rep(5) }, () => net.poor) }, 'INSUFFICIENT_REP')
  })

  it('wrong body type for the mutation', async () => {
    await expectRefused(M('post'), { tx: userTx({ type: 'Stake', pool: 'pool0', amount: rep(1), inFavor: true }) }, 'WRONG_TX_TYPE')
  })

  it('unknown pool and unknown cited post', async () => {
    await expectRefused(M('stake'), { tx: userTx({ type: 'Stake', pool: 'no-pool', amount: rep(1), inFavor: true }) }, 'UNKNOWN_POOL')
    await expectRefused(M('post'), { tx: userTx({ type: 'Post', id: 'p-bad', authors: { [net.user.peerId]: 1_000_000 }, citations: { ghost: 1000 } }) }, 'UNKNOWN_POST')
  })

  it('malformed bodies: not CBOR, not canonical, missing fields, float-free amounts only', async () => {
    const good = userTx({ type: 'Stake', pool: 'pool0', amount: rep(1), inFavor: true })
    await expectRefused(M('stake'), { tx: { ...good, body: 'not base64!' } }, 'MALFORMED')
    await expectRefused(M('stake'), { tx: { ...good, body: b64(utf8('{"json": true}')) } }, 'MALFORMED')
    const body = { type: 'Stake', sender: net.user.peerId, nonce: ++nonce, pool: 'pool0', inFavor: true } // no amount
    await expectRefused(M('stake'), { tx: signTransaction(net.user.ed25519Seed, body) }, 'MALFORMED')
    // A signature valid over the value but bytes not in canonical order: refused (no malleable tx ids).
    const full = { type: 'Stake', sender: net.user.peerId, nonce: ++nonce, pool: 'pool0', amount: rep(1), inFavor: true }
    const canonical = encode(full)
    const reordered = swapFirstTwoMapEntries(canonical)
    expect(reordered).not.toEqual(canonical)
    await expectRefused(M('stake'), { tx: { body: b64(reordered), publicKey: good.publicKey, signature: '0x' + toHex(signEd25519(net.user.ed25519Seed, Domain.transaction, full)) } }, 'MALFORMED')
  })

  it('a replayed transaction', async () => {
    const tx = userTx({ type: 'BusinessRequest', fee: rep(1), request: 'once' })
    expect((await gql(url(), M('businessRequest'), { tx })).errors).toBeUndefined()
    net.produce()
    await expectRefused(M('businessRequest'), { tx }, 'REJECTED')
  })
})

/** Re-encode a CBOR map with its first two entries swapped (same value, non-canonical bytes). */
function swapFirstTwoMapEntries(bytes: Uint8Array): Uint8Array {
  // Small maps only (header 0xa0..0xb7); keys and values here are short strings/ints/bools.
  const n = bytes[0]! - 0xa0
  expect(n).toBeGreaterThan(1)
  const items: Uint8Array[] = []
  let o = 1
  const itemLen = (at: number): number => {
    const b = bytes[at]!, major = b >> 5, info = b & 31
    const arg = info < 24 ? [0, info] : info === 24 ? [1, bytes[at + 1]!] : info === 25 ? [2, (bytes[at + 1]! << 8) | bytes[at + 2]!] : [8, Number(Buffer.from(bytes.subarray(at + 1, at + 9)).readBigUInt64BE())]
    const head = 1 + arg[0]!
    if (major === 2 || major === 3) return head + arg[1]!
    return head
  }
  for (let i = 0; i < n; i++) {
    const k = itemLen(o), v = itemLen(o + k)
    items.push(bytes.subarray(o, o + k + v)); o += k + v
  }
  ;[items[0], items[1]] = [items[1]!, items[0]!]
  return new Uint8Array(Buffer.concat([Buffer.from([bytes[0]!]), ...items]))
}
