// API admission (validator/core/actions.ts) under spam and with pending txs: refusals the mempool can give
// from a tx's head cost no signature check and carry their own code; the forum dry run sees the API txs
// admitted since the last block (a cited pending post exists, REP staked twice is not free twice) and
// starts again from the decided state after each block.
import { describe, expect, it } from 'vitest'
import { toHex } from '../../../core/bytes.ts'
import type { NodeKeys } from '../../../core/crypto/keys.ts'
import { parseRep } from '../../../core/amount.ts'
import { userPoolId, userPostId } from '../../../ledger/ids.ts'
import type { SignedTx } from '../../../ledger/txs.ts'
import type { ApplyResult } from '../../../ledger/ledger.ts'
import { createActions } from '../../../validator/core/actions.ts'
import { createMempool } from '../../../validator/core/mempool-policy.ts'
import { createTxVerifier, type TxVerifier } from '../../../validator/core/tx-verifier.ts'
import type { ActionResult } from '../../../validator/api/view.ts'
import { fatPost } from '../../helpers/spam-load.ts'
import { chain, ids } from '../../ledger/chain.ts'

const FREE_PER_EPOCH = 6

function rig() {
  const c = chain({ balances: ['100', '100', '100', '100', '10', '10'], credits: ['0', '0', '0', '0', '0', '10'], params: { freeTxsPerEpoch: FREE_PER_EPOCH, freeTxsPerSender: 2 } })
  const inner = createTxVerifier()
  let verifications = 0
  let heads = 0
  const verifier: TxVerifier = { head: (t) => { heads++; return inner.head(t) }, verified: (t) => { verifications++; return inner.verified(t) } }
  const mempool = createMempool({ self: ids[0]!, ledger: c.s, isValidator: () => false })
  const published: unknown[] = []
  const actions = createActions({
    ledger: c.s, mempool, self: ids[0]!, keys: {} as NodeKeys, own: { nextNonce: () => 0 },
    fetcher: { remember() {} }, modules: { remember: () => true }, verifier,
    net: { gossip: { publish: async (_t: string, m: unknown) => { published.push(m); return { recipients: 0 } } } as never },
  })
  const input = (t: SignedTx) => ({ body: Buffer.from(t.body).toString('base64'), publicKey: toHex(t.publicKey), signature: toHex(t.signature) })
  const submit = (t: SignedTx, opts?: { prechecked: boolean }) => actions.submitTransaction(input(t), undefined, opts)
  return { c, mempool, submit, precheck: (t: SignedTx) => actions.precheck!(input(t)), verifications: () => verifications, heads: () => heads, published }
}
const fat = (label: string, nonce = 1): SignedTx => {
  const p = fatPost(label, nonce).tx
  return { body: new Uint8Array(Buffer.from(p.body, 'base64')), publicKey: Buffer.from(p.publicKey.slice(2), 'hex'), signature: Buffer.from(p.signature.slice(2), 'hex') }
}
/** Every tx of the applied block succeeded. */
const decided = (r: ApplyResult) => expect(r.outcomes.filter((o) => !o.ok)).toEqual([])
const codeOf = (r: ActionResult) => (r.accepted ? 'accepted' : r.code)

describe('API admission: cheap refusals first, each with its own code', () => {
  it('fresh keys past the free quota are FEE_UNPAID without a signature check; a replay is ALREADY_PENDING', async () => {
    const { submit, verifications, mempool } = rig()
    const posts = Array.from({ length: 12 }, (_, i) => fat(`act-${i}`))
    const codes = []
    for (const p of posts) codes.push(codeOf(await submit(p)))
    expect(codes).toEqual([...Array(FREE_PER_EPOCH).fill('accepted'), ...Array(12 - FREE_PER_EPOCH).fill('FEE_UNPAID')])
    expect(verifications()).toBe(FREE_PER_EPOCH)
    expect(mempool.size).toBe(FREE_PER_EPOCH)
    expect(codeOf(await submit(posts[0]!))).toBe('ALREADY_PENDING')
    expect(verifications()).toBe(FREE_PER_EPOCH)
  })

  it('precheck (asked by the API before it decodes anything) answers the same refusals from the head alone', async () => {
    const { submit, precheck, verifications } = rig()
    const posts = Array.from({ length: FREE_PER_EPOCH + 1 }, (_, i) => fat(`act-pre-${i}`))
    for (const p of posts.slice(0, FREE_PER_EPOCH)) {
      expect(precheck(p)).toBeUndefined()
      expect(codeOf(await submit(p))).toBe('accepted')
    }
    expect(precheck(posts[FREE_PER_EPOCH]!)).toMatchObject({ accepted: false, code: 'FEE_UNPAID' })
    expect(precheck(posts[0]!)).toMatchObject({ accepted: false, code: 'ALREADY_PENDING' })
    expect(verifications()).toBe(FREE_PER_EPOCH)
  })

  it('the API path (precheck, then submit marked prechecked) decodes each head once and still refuses at admission', async () => {
    const { submit, precheck, heads, verifications, mempool } = rig()
    const p = fat('act-once')
    expect(precheck(p)).toBeUndefined()
    expect(codeOf(await submit(p, { prechecked: true }))).toBe('accepted')
    expect(heads()).toBe(1)
    // A replay marked prechecked (the caller's promise broken) skips the early check, and the later
    // checks still refuse it: nothing is admitted twice.
    expect(await submit(p, { prechecked: true })).toMatchObject({ accepted: false })
    expect(mempool.size).toBe(1)
    expect(verifications()).toBe(2)
  })

  it('a decided nonce is NONCE_USED before any signature check, even with a bad signature', async () => {
    const { c, submit, verifications } = rig()
    const t = c.tx(4, { type: 'Post', id: userPostId(ids[4]!, 1), authors: { [ids[4]!]: 1_000_000 }, citations: {} })
    decided(c.apply(1, [t]))
    const forged = { ...t, signature: t.signature.map((b, i) => (i === 0 ? b ^ 1 : b)) }
    const r = await submit(forged)
    expect(r).toMatchObject({ accepted: false, code: 'NONCE_USED', message: expect.stringMatching(/nonce 1 already used/) })
    expect(verifications()).toBe(0)
  })
})

describe('API forum dry run: on the decided state plus the API txs admitted since', () => {
  it('a post citing a pending post is accepted; a second stake of the same free REP is INSUFFICIENT_REP until a block', async () => {
    const { c, submit } = rig()
    const p1 = c.tx(4, { type: 'Post', id: userPostId(ids[4]!, c.nextNonce(4)), authors: { [ids[4]!]: 1_000_000 }, citations: {} })
    expect(codeOf(await submit(p1))).toBe('accepted')
    const p2 = c.tx(4, { type: 'Post', id: userPostId(ids[4]!, c.nextNonce(4)), authors: { [ids[4]!]: 1_000_000 }, citations: { [userPostId(ids[4]!, p1.nonce)]: 100_000 } })
    expect(codeOf(await submit(p2))).toBe('accepted')
    decided(c.apply(1, [p1, p2]))

    const pool = c.tx(1, { type: 'InitiatePool', id: userPoolId(ids[1]!, c.nextNonce(1)), post: userPostId(ids[4]!, p1.nonce), fee: '0' })
    decided(c.apply(2, [pool]))
    const poolId = userPoolId(ids[1]!, pool.nonce)
    const stake = (n: string) => c.tx(5, { type: 'Stake', pool: poolId, amount: parseRep(n).toString(), inFavor: true })
    const first = stake('6')
    expect(codeOf(await submit(first))).toBe('accepted')
    const second = stake('6') // 12 of its 10 REP if both applied
    expect(await submit(second)).toMatchObject({ accepted: false, code: 'INSUFFICIENT_REP' })
    // The next block decides the first stake: the copy starts again from the decided state, which agrees.
    decided(c.apply(3, [first]))
    expect(await submit(stake('6'))).toMatchObject({ accepted: false, code: 'INSUFFICIENT_REP' })
    expect(codeOf(await submit(stake('3')))).toBe('accepted')
  })
})
