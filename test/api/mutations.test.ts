// Each mutation through plain HTTP against four real nodes (test/api/real-node.ts: composeNode over the
// simulator's in-memory network): the happy path shows up in every node's state once a block decides it;
// each refusal code the API can return comes from the real admission path and leaves every node unchanged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import { parseRep } from '../../core/amount.ts'
import { cidOfBytes, encode } from '../../core/encoding.ts'
import { toHex, utf8 } from '../../core/bytes.ts'
import { Domain, signEd25519 } from '../../core/crypto/sign.ts'
import { userPoolId, userPostId } from '../../ledger/ids.ts'
import { LEDGER_RULES } from '../../ledger/ledger.ts'
import { submissionIdOf } from '../../ledger/evaluations.ts'
import { createApiServer } from '../../validator/api/server.ts'
import { signTransaction, type TxBodyBase } from '../../validator/api/client.ts'
import { signManifest } from '../../registry/manifest.ts'
import type { NodeKeys } from '../../core/crypto/keys.ts'
import { ALL_STATE, API_TOKEN, codeOf, gql, type GqlResult } from './helpers.ts'
import { startRealNet, type RealNet } from './real-node.ts'

let net: RealNet
let nonce = 0
const MAX_PAYLOAD = 4096
/**
 * Governed parameters the test relies on: no epoch boundary mid-test (fees are distributed there), one
 * fee-waived tx, and pools as short as 2 slots (one closes within the test; the others ask for 5,000).
 */
const PARAMS = { epochSlots: 10_000, freeTxsPerSender: 1, poolDurationSlots: 2 }
let P0 = '', POOL0 = ''

const url = () => net.url
const M = (name: string, extra?: string) =>
  `mutation($tx: SignedTxInput!${extra ? `, $${extra}: String` : ''}) { ${name}(tx: $tx${extra ? `, ${extra}: $${extra}` : ''}) { txId type sender } }`
const SUBMIT = M('submit', 'payload')
const PROPOSE = M('proposeChallenge', 'module')
const rep = (n: number | string) => parseRep(String(n)).toString()
const sign = (who: NodeKeys, body: Omit<TxBodyBase, 'sender' | 'nonce'>, n = ++nonce) =>
  signTransaction(who.ed25519Seed, { sender: who.peerId, nonce: n, ...body } as TxBodyBase)
const userTx = (body: Omit<TxBodyBase, 'sender' | 'nonce'>) => sign(net.user, body)
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64')
const accepted = (r: GqlResult, what = '') => { expect(r.errors, `${what} ${JSON.stringify(r.errors)}`).toBeUndefined(); return r }
const BALANCE = `query($m: String!) { balance(member: $m) { balance locked free credits } }`
const balanceOf = async (m: string, at = url()) => (await gql(at, BALANCE, { m })).data.balance

/** ALL_STATE on every node, without what moves every block (chain position). */
async function snapshot() {
  return Promise.all(net.nodes.map(async (n) => {
    const d = (await gql(n.server.url, ALL_STATE, { member: net.user.peerId, post: P0, pool: POOL0, challenge: 'pow', submission: 'x' })).data
    for (const k of ['node', 'blocks', 'block']) delete d[k]
    return d
  }))
}

/** A mutation that must fail with `code` (and a message matching `why`). */
async function refused(query: string, variables: Record<string, unknown>, code: string, why?: RegExp, at = url()) {
  const r = await gql(at, query, variables)
  expect(codeOf(r), JSON.stringify(r)).toBe(code)
  if (why) expect(r.errors![0]!.message).toMatch(why)
  expect(r.data).toBeNull()
}

/** Runs `refusals`, then decides a block and checks that no node's state changed. */
async function unchangedBy(refusals: () => Promise<void>) {
  const before = await snapshot()
  for (const other of before.slice(1)) expect(other).toEqual(before[0]) // gossip and blocks kept the four nodes equal
  await refusals()
  await net.produce() // a tx that slipped into any mempool would be decided before this returns
  expect(await snapshot()).toEqual(before)
}

beforeAll(async () => {
  net = await startRealNet({ validators: 4, limits: { maxPayloadBytes: MAX_PAYLOAD }, params: PARAMS })
  await net.produce(1)
  // A post and a long pool on it, by the user: ids derive from (sender, nonce).
  const n1 = ++nonce, n2 = ++nonce
  P0 = userPostId(net.user.peerId, n1)
  POOL0 = userPoolId(net.user.peerId, n2)
  accepted(await gql(url(), M('post'), { tx: sign(net.user, { type: 'Post', id: P0, authors: { [net.user.peerId]: 1_000_000 }, content: 'genesis post' }, n1) }))
  await net.produce(1)
  accepted(await gql(url(), M('initiatePool'), { tx: sign(net.user, { type: 'InitiatePool', id: POOL0, post: P0, fee: rep(10), durationSlots: 5_000 }, n2) }))
  await net.produce(3) // the validators' POOL_VOTE duty stakes on it within a block or two
}, 60_000)
afterAll(async () => { await net?.close() })

describe('mutations: happy paths show up in every node\'s state after the next block', () => {
  it('submit with its payload inline; the committee finalizes it', async () => {
    const payload = utf8('40 2')
    const r = accepted(await gql(url(), SUBMIT, { tx: userTx({ type: 'Submission', challenge: 'pow', payloadCid: cidOfBytes(payload), payloadBytes: payload.length }), payload: b64(payload) }))
    expect(r.data.submit).toMatchObject({ type: 'Submission', sender: net.user.peerId })
    expect(r.data.submit.txId).toMatch(/^[0-9a-f]{64}$/)
    // The submission's id is not the tx id: it derives from (challenge, payload cid), so the first committer owns it.
    const id = submissionIdOf('pow', cidOfBytes(payload))
    expect(id).not.toBe(r.data.submit.txId)
    // Final once committed and revealed: later snapshots must not see its reports move.
    await net.until('the submission final on every node', () => net.nodes.every((n) => n.node.view.submission(id)?.final === true))
    for (const n of net.nodes) {
      const q = await gql(n.server.url, `query($m: String!) { submissions(miner: $m) { total items { id payloadCid challenge committee final } } }`, { m: net.user.peerId })
      expect(q.data.submissions.items).toContainEqual(expect.objectContaining({ id, payloadCid: cidOfBytes(payload), challenge: 'pow', final: true }))
    }
  })

  it('post (with a citation) then initiatePool on it', async () => {
    const n1 = ++nonce, n2 = ++nonce
    const postId = userPostId(net.user.peerId, n1), poolId = userPoolId(net.user.peerId, n2)
    accepted(await gql(url(), M('post'), { tx: sign(net.user, { type: 'Post', id: postId, authors: { [net.user.peerId]: 1_000_000 }, citations: { [P0]: 250_000 }, content: 'hello' }, n1) }))
    await net.produce()
    accepted(await gql(url(), M('initiatePool'), { tx: sign(net.user, { type: 'InitiatePool', id: poolId, post: postId, fee: rep(5), durationSlots: 5_000 }, n2) }))
    await net.produce()
    for (const n of net.nodes) {
      const q = await gql(n.server.url, `query($p: String!, $q: String!) { post(id: $p) { content citations { post weightPpm target { content } } } pool(id: $q) { post fee resolved } }`, { p: postId, q: poolId })
      expect(q.data.post).toEqual({ content: 'hello', citations: [{ post: P0, weightPpm: 250_000, target: { content: 'genesis post' } }] })
      expect(q.data.pool).toEqual({ post: postId, fee: '5', resolved: false })
    }
  })

  it('stake and stakeAvailability lock REP; businessRequest pays its fee in credits, not REP', async () => {
    const before = await balanceOf(net.user.peerId)
    for (const [name, body] of [
      ['stake', { type: 'Stake', pool: POOL0, amount: rep(7), inFavor: true }],
      ['stakeAvailability', { type: 'StakeAvailability', amount: rep(100), epochs: 4 }],
      ['businessRequest', { type: 'BusinessRequest', fee: rep(3), request: 'score my model' }],
    ] as const) accepted(await gql(url(), M(name), { tx: userTx(body) }), name)
    await net.produce()
    const txFee = BigInt(net.nodes[0]!.node.ledger.forum.params.txFee)
    for (const n of net.nodes) {
      const q = await gql(n.server.url, `query($m: String!, $p: String!) { balance(member: $m) { balance locked credits } pool(id: $p) { stakes { member amount inFavor } } availability { items { member amount exiting } } }`, { m: net.user.peerId, p: POOL0 })
      expect(q.data.balance.balance).toBe(before.balance) // REP: only locked, never spent
      expect(parseRep(q.data.balance.locked)).toBe(parseRep(before.locked) + parseRep('107'))
      expect(parseRep(q.data.balance.credits)).toBe(parseRep(before.credits) - parseRep('3') - 3n * txFee)
      expect(q.data.pool.stakes).toContainEqual({ member: net.user.peerId, amount: '7', inFavor: true })
      expect(q.data.availability.items).toContainEqual({ member: net.user.peerId, amount: '100', exiting: false })
    }
  })

  it('unstakeAvailability: an exit before the unlock epoch; a second one is refused', async () => {
    accepted(await gql(url(), M('unstakeAvailability'), { tx: userTx({ type: 'UnstakeAvailability' }) }))
    await net.produce()
    for (const n of net.nodes) {
      const q = await gql(n.server.url, `{ availability { items { member amount exiting } } }`)
      expect(q.data.availability.items).toContainEqual({ member: net.user.peerId, amount: '100', exiting: true })
    }
    await unchangedBy(async () => {
      await refused(M('unstakeAvailability'), { tx: userTx({ type: 'UnstakeAvailability' }) }, 'LOCKED', /exiting and locked until epoch/)
      await refused(M('unstakeAvailability'), { tx: sign(net.poor, { type: 'UnstakeAvailability' }) }, 'NO_STAKE', /has no availability stake/)
    })
  })

  it('proposeChallenge with its module bytes', async () => {
    const module = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])
    const signed = signManifest(net.user.ed25519Seed, {
      name: 'echo', version: '0.1.0', description: 'echoes', moduleHash: createHash('sha256').update(module).digest('hex'),
      entryPoints: ['run'], policy: { fuelLimit: 1000, memoryPages: 1, hostFunctions: [], floats: 'deny' }, emissionSharePpm: 0,
    })
    const n = ++nonce
    const post = userPostId(net.user.peerId, n)
    accepted(await gql(url(), PROPOSE, { tx: sign(net.user, { type: 'ProposeChallenge', post, signed }, n), module: b64(module) }))
    await net.produce()
    for (const s of net.nodes) {
      const q = await gql(s.server.url, `query($p: String!) { challenge(id: "echo") { status version owner } post(id: $p) { id } }`, { p: post })
      expect(q.data).toEqual({ challenge: { status: 'proposed', version: '0.1.0', owner: signed.manifest.owner }, post: { id: post } })
    }
  })

  it('operator mutations: nodeStakeAvailability and nodeStake with the API token', async () => {
    const self = net.nodes[0]!.keys.peerId
    const avail = `mutation { nodeStakeAvailability(amount: "50", epochs: 3) { txId sender } }`
    const before = (await gql(url(), `{ availability { items { member amount } } }`)).data.availability.items.find((a: { member: string }) => a.member === self)
    const a = accepted(await gql(url(), avail, {}, { authorization: `Bearer ${API_TOKEN}` }))
    expect(a.data.nodeStakeAvailability.sender).toBe(self)
    const s = accepted(await gql(url(), `mutation($p: String!) { nodeStake(pool: $p, amount: "2", inFavor: false) { sender } }`, { p: POOL0 }, { authorization: `Bearer ${API_TOKEN}` }))
    expect(s.data.nodeStake.sender).toBe(self)
    await net.produce()
    for (const n of net.nodes) {
      const q = await gql(n.server.url, `query($p: String!) { availability { items { member amount } } pool(id: $p) { stakes { member amount inFavor } } }`, { p: POOL0 })
      expect(q.data.availability.items).toContainEqual({ member: self, amount: String(Number(before?.amount ?? 0) + 50) })
      expect(q.data.pool.stakes).toContainEqual({ member: self, amount: expect.stringMatching(/^\d/), inFavor: false })
    }
  })
})

describe('mutations: every refusal code, from the real admission path, changes nothing', () => {
  it('BAD_SIGNATURE: a flipped signature bit, and a sender that is not the signing key', () => unchangedBy(async () => {
    const tx = userTx({ type: 'Stake', pool: POOL0, amount: rep(1), inFavor: true })
    const sig = Buffer.from(tx.signature.slice(2), 'hex'); sig[0]! ^= 1
    await refused(M('stake'), { tx: { ...tx, signature: '0x' + sig.toString('hex') } }, 'BAD_SIGNATURE')
    const body = { type: 'Stake', sender: net.poor.peerId, nonce: ++nonce, pool: POOL0, amount: rep(1), inFavor: true }
    await refused(M('stake'), { tx: signTransaction(net.user.ed25519Seed, body) }, 'BAD_SIGNATURE')
  }))

  it('UNKNOWN_CHALLENGE: a challenge nobody registered, and one only proposed', () => unchangedBy(async () => {
    for (const challenge of ['nope', 'echo']) {
      const p = utf8('x')
      await refused(SUBMIT, { tx: userTx({ type: 'Submission', challenge, payloadCid: cidOfBytes(p), payloadBytes: p.length }), payload: b64(p) }, 'UNKNOWN_CHALLENGE', /is not active/)
    }
  }))

  it('MALFORMED: a submission by cid without its payload (the node needs the bytes for the committee)', () => unchangedBy(async () => {
    const elsewhere = utf8('elsewhere')
    await refused(SUBMIT, { tx: userTx({ type: 'Submission', challenge: 'pow', payloadCid: cidOfBytes(elsewhere), payloadBytes: elsewhere.length }) }, 'MALFORMED', /needs its payload bytes/)
  }))

  it('MALFORMED: a payload that does not match its cid or its length', () => unchangedBy(async () => {
    await refused(SUBMIT, { tx: userTx({ type: 'Submission', challenge: 'pow', payloadCid: cidOfBytes(utf8('a')), payloadBytes: 1 }), payload: b64(utf8('b')) }, 'MALFORMED', /does not match payloadCid/)
    await refused(SUBMIT, { tx: userTx({ type: 'Submission', challenge: 'pow', payloadCid: cidOfBytes(utf8('ab')), payloadBytes: 3 }), payload: b64(utf8('ab')) }, 'MALFORMED', /payloadBytes says 3/)
  }))

  it('PAYLOAD_TOO_LARGE: over the API limit, and over the ledger limit on a node whose API allows more', () => unchangedBy(async () => {
    const big = new Uint8Array(MAX_PAYLOAD + 1)
    await refused(SUBMIT, { tx: userTx({ type: 'Submission', challenge: 'pow', payloadCid: cidOfBytes(big), payloadBytes: big.length }), payload: b64(big) }, 'PAYLOAD_TOO_LARGE', new RegExp(`over ${MAX_PAYLOAD} bytes`))
    const n = net.nodes[0]!
    const wide = await createApiServer({ view: n.node.view, actions: n.node.actions, events: n.node.events, port: 0, limits: { maxPayloadBytes: 2 * LEDGER_RULES.maxPayloadBytes, maxBodyBytes: 8 * LEDGER_RULES.maxPayloadBytes } })
    try {
      const huge = new Uint8Array(LEDGER_RULES.maxPayloadBytes + 1)
      await refused(SUBMIT, { tx: userTx({ type: 'Submission', challenge: 'pow', payloadCid: cidOfBytes(huge), payloadBytes: huge.length }), payload: b64(huge) }, 'PAYLOAD_TOO_LARGE', new RegExp(`exceeds ${LEDGER_RULES.maxPayloadBytes}`), wide.url)
    } finally { await wide.close() }
  }))

  it('INSUFFICIENT_REP: a stake and an availability lock beyond free REP; INSUFFICIENT_CREDITS: pool and business fees beyond credits', () => unchangedBy(async () => {
    await refused(M('stake'), { tx: sign(net.poor, { type: 'Stake', pool: POOL0, amount: rep(2), inFavor: false }) }, 'INSUFFICIENT_REP', /but has 1 free/)
    await refused(M('stakeAvailability'), { tx: userTx({ type: 'StakeAvailability', amount: rep(1_000_000), epochs: 2 }) }, 'INSUFFICIENT_REP')
    // The poor member has REP but no credits: fees are paid in credits.
    await refused(M('initiatePool'), { tx: sign(net.poor, { type: 'InitiatePool', id: userPoolId(net.poor.peerId, nonce + 1), post: P0, fee: rep(0.5) }) }, 'INSUFFICIENT_CREDITS', /cannot pay pool fee/)
    await refused(M('businessRequest'), { tx: sign(net.poor, { type: 'BusinessRequest', fee: rep(0.5), request: 'free lunch' }) }, 'INSUFFICIENT_CREDITS', /cannot pay fee/)
  }))

  it('WRONG_TX_TYPE: a body for another mutation; Evaluations have no mutation and the node refuses them from the API', () => unchangedBy(async () => {
    await refused(M('post'), { tx: userTx({ type: 'Stake', pool: POOL0, amount: rep(1), inFavor: true }) }, 'WRONG_TX_TYPE')
    const evals = userTx({ type: 'Evaluations', commits: [{ submission: 'ab'.repeat(32), commitment: 'cd'.repeat(32) }], reports: [] })
    for (const m of ['submit', 'stake']) await refused(M(m), { tx: evals }, 'WRONG_TX_TYPE', /got "Evaluations"/)
    const direct = await net.nodes[0]!.node.actions.submitTransaction(evals)
    expect(direct).toMatchObject({ accepted: false, code: 'REJECTED', message: expect.stringMatching(/over gossip, not the API/) })
  }))

  it('UNKNOWN_POOL and UNKNOWN_POST', () => unchangedBy(async () => {
    await refused(M('stake'), { tx: userTx({ type: 'Stake', pool: 'no-pool', amount: rep(1), inFavor: true }) }, 'UNKNOWN_POOL')
    const n = ++nonce
    await refused(M('post'), { tx: sign(net.user, { type: 'Post', id: userPostId(net.user.peerId, n), authors: { [net.user.peerId]: 1_000_000 }, citations: { ghost: 1000 } }, n) }, 'UNKNOWN_POST', /cites unknown post ghost/)
    await refused(M('initiatePool'), { tx: userTx({ type: 'InitiatePool', id: userPoolId(net.user.peerId, nonce + 1), post: 'ghost', fee: rep(1) }) }, 'UNKNOWN_POST')
  }))

  it('MALFORMED bodies: not base64, not CBOR, a missing field, not canonical', () => unchangedBy(async () => {
    const good = userTx({ type: 'Stake', pool: POOL0, amount: rep(1), inFavor: true })
    await refused(M('stake'), { tx: { ...good, body: 'not base64!' } }, 'MALFORMED')
    await refused(M('stake'), { tx: { ...good, body: b64(utf8('{"json": true}')) } }, 'MALFORMED')
    const body = { type: 'Stake', sender: net.user.peerId, nonce: ++nonce, pool: POOL0, inFavor: true } // no amount
    await refused(M('stake'), { tx: signTransaction(net.user.ed25519Seed, body) }, 'MALFORMED', /amount/)
    // A signature valid over the value but bytes not in canonical order: refused (no malleable tx ids).
    const full = { type: 'Stake', sender: net.user.peerId, nonce: ++nonce, pool: POOL0, amount: rep(1), inFavor: true }
    const canonical = encode(full)
    const reordered = swapFirstTwoMapEntries(canonical)
    expect(reordered).not.toEqual(canonical)
    await refused(M('stake'), { tx: { body: b64(reordered), publicKey: good.publicKey, signature: '0x' + toHex(signEd25519(net.user.ed25519Seed, Domain.transaction, full)) } }, 'MALFORMED', /canonical/)
  }))

  it('ALREADY_PENDING: a replayed transaction; NONCE_USED: a decided one, and a fresh one reusing a decided nonce', async () => {
    const tx = userTx({ type: 'BusinessRequest', fee: rep(1), request: 'once' })
    accepted(await gql(url(), M('businessRequest'), { tx }))
    const pending = await gql(url(), M('businessRequest'), { tx })
    expect(codeOf(pending)).toBe('ALREADY_PENDING')
    expect(pending.errors![0]!.message).toMatch(/already pending/)
    await net.produce()
    await unchangedBy(async () => {
      await refused(M('businessRequest'), { tx }, 'NONCE_USED', new RegExp(`nonce ${nonce} already used`))
      await refused(M('businessRequest'), { tx: sign(net.user, { type: 'BusinessRequest', fee: rep(1), request: 'twice' }, nonce) }, 'NONCE_USED', /already used/)
    })
  })

  it('UNAUTHENTICATED without the token; FORBIDDEN on a node with no token configured; BAD_USER_INPUT amounts', () => unchangedBy(async () => {
    const q = `mutation { nodeStakeAvailability(amount: "50", epochs: 3) { txId sender } }`
    await refused(q, {}, 'UNAUTHENTICATED')
    const wrong = await gql(url(), q, {}, { authorization: 'Bearer nope' })
    expect(codeOf(wrong)).toBe('UNAUTHENTICATED')
    const n = net.nodes[0]!
    const open = await createApiServer({ view: n.node.view, actions: n.node.actions, events: n.node.events, port: 0 })
    try {
      await refused(q, {}, 'FORBIDDEN', /no API token configured/, open.url)
    } finally { await open.close() }
    const auth = { authorization: `Bearer ${API_TOKEN}` }
    for (const amount of ['0', '-1', 'lots']) {
      const r = await gql(url(), `mutation($a: String!, $p: String!) { nodeStake(pool: $p, amount: $a, inFavor: true) { txId } }`, { a: amount, p: POOL0 }, auth)
      expect(codeOf(r), amount).toBe('BAD_USER_INPUT')
    }
    const r = await gql(url(), `mutation { nodeStake(pool: "no-pool", amount: "1", inFavor: true) { txId } }`, {}, auth)
    expect(codeOf(r)).toBe('UNKNOWN_POOL')
  }))

  it('POOL_CLOSED: a stake on a pool past its end slot', async () => {
    const id = userPoolId(net.user.peerId, nonce + 1)
    accepted(await gql(url(), M('initiatePool'), { tx: userTx({ type: 'InitiatePool', id, post: P0, fee: rep(1), durationSlots: PARAMS.poolDurationSlots }) }))
    await net.produce(PARAMS.poolDurationSlots + 1)
    await unchangedBy(() => refused(M('stake'), { tx: userTx({ type: 'Stake', pool: id, amount: rep(1), inFavor: true }) }, 'POOL_CLOSED', /closed at slot|already resolved/))
  })

  it('FEE_UNPAID: a member without credits past its fee-waived quota; SENDER_QUOTA: one sender\'s pending txs are capped', async () => {
    accepted(await gql(url(), M('stake'), { tx: sign(net.poor, { type: 'Stake', pool: POOL0, amount: rep(0.1), inFavor: true }) }))
    await net.produce()
    await unchangedBy(() => refused(M('stake'), { tx: sign(net.poor, { type: 'Stake', pool: POOL0, amount: rep(0.1), inFavor: true }) }, 'FEE_UNPAID', /fee-waived/))
    // The per-sender cap of the mempool (MEMPOOL_MAX_TXS_PER_SENDER): the next one waits for a block.
    const codes: (string | undefined)[] = []
    for (let i = 0; i < 65; i++) codes.push(codeOf(await gql(url(), M('stake'), { tx: userTx({ type: 'Stake', pool: POOL0, amount: '1', inFavor: true }) })))
    expect(codes.slice(0, 64).every((c) => c === undefined), String(codes)).toBe(true)
    expect(codes[64]).toBe('SENDER_QUOTA')
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
