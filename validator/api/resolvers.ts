// Resolvers: queries read NodeView (plain DTOs) with clamped pagination; mutations check the signed
// envelope (envelope.ts) and inline bytes, then hand the transaction to NodeActions and map its refusal to
// a typed error; subscriptions relay NodeEvents through a pub/sub.
import { createPubSub } from 'graphql-yoga'
import { sha256 } from '@noble/hashes/sha2.js'
import { cidOfBytes } from '../../core/encoding.ts'
import { toHex } from '../../core/bytes.ts'
import { parseRep } from '../../core/amount.ts'
import { errorMessage } from '../../core/errors.ts'
import { apiError } from './errors.ts'
import { checkSignedTx, decodeBase64 } from './envelope.ts'
import { MAX_PROOF_KEY_CHARS } from './state-proof.ts'
import { clampFirst, type ApiLimits } from './limits.ts'
import type { ApiMetrics } from './metrics.ts'
import { TX_TYPE_BY_MUTATION, type TxMutation } from './tx-bodies.ts'
import type {
  ActionResult, BlockDto, EpochDto, NodeActions, NodeView, PageArgs, PoolDto, SignedTxInput, SubmissionDto,
} from './view.ts'

/** Per-request context the server builds from the HTTP request. */
export interface ApiContext { readonly clientIp: string; readonly authorized: boolean }

export type EventPubSub = ReturnType<typeof createEventPubSub>
export const createEventPubSub = () => createPubSub<{
  block: [BlockDto]; finalScore: [SubmissionDto]; poolOutcome: [PoolDto]; certifiedEpoch: [EpochDto]
}>()

interface Modules { view: NodeView; actions: NodeActions; pubsub: EventPubSub; limits: ApiLimits; metrics: ApiMetrics | null; operatorEnabled: boolean }

const INLINE_NAME: Partial<Record<TxMutation, string>> = { submit: 'payload', post: 'content', proposeChallenge: 'module' }

type Paged = { first?: number | null; after?: string | null }

export function buildResolvers({ view, actions, pubsub, limits, metrics, operatorEnabled }: Modules) {
  const page = (a: Paged): PageArgs => ({ first: clampFirst(a.first, limits), after: a.after ?? null })

  /** Bytes given inline as base64: size checked before decoding so a huge string costs nothing. */
  const inlineBytes = (b64: string, what: string): Uint8Array => {
    if (b64.length > Math.ceil(limits.maxPayloadBytes / 3) * 4) throw apiError('PAYLOAD_TOO_LARGE', `${what} over ${limits.maxPayloadBytes} bytes`)
    const bytes = decodeBase64(b64, what)
    if (bytes.length > limits.maxPayloadBytes) throw apiError('PAYLOAD_TOO_LARGE', `${what} over ${limits.maxPayloadBytes} bytes`)
    return bytes
  }

  const settle = (type: string, sender: string, r: ActionResult) => {
    metrics?.transactions.inc({ type, result: r.accepted ? 'accepted' : r.code })
    if (!r.accepted) throw apiError(r.code, r.message)
    return { txId: r.txId, type, sender }
  }

  const signedTx = async (mutation: TxMutation, tx: SignedTxInput, inline?: { b64: string; check: (bytes: Uint8Array, body: Record<string, unknown>) => void }) => {
    // The mempool's cheap refusals first (a spam burst past its fee-waived quota costs no decoding here),
    // then size, the envelope, and whether the bytes are the ones the body names.
    const early = actions.precheck?.(tx)
    if (early) return settle(TX_TYPE_BY_MUTATION[mutation], '', early)
    const bytes = inline ? inlineBytes(inline.b64, INLINE_NAME[mutation] ?? 'payload') : undefined
    let checked
    try {
      checked = checkSignedTx(tx, mutation, limits.maxPayloadBytes)
    } catch (e) {
      metrics?.transactions.inc({ type: mutation, result: (e as { extensions?: { code?: string } }).extensions?.code ?? 'MALFORMED' })
      throw e
    }
    if (bytes && inline) inline.check(bytes, checked.body)
    const type = String(checked.body.type)
    // No await since the precheck: the mempool is as it was, so accept() does not decode and check the head again.
    return settle(type, String(checked.body.sender), await actions.submitTransaction(tx, bytes, { prechecked: actions.precheck !== undefined }))
  }

  const operator = async (ctx: ApiContext, body: { type: string; [k: string]: unknown }) => {
    if (!operatorEnabled) throw apiError('FORBIDDEN', 'operator mutations are disabled on this node (no API token configured)')
    if (!ctx.authorized) throw apiError('UNAUTHENTICATED', 'operator mutation: send Authorization: Bearer <api token from the data dir>')
    if (!actions.submitAsNode) throw apiError('NOT_AVAILABLE', 'this node does not offer operator actions')
    return settle(body.type, view.info().peerId, await actions.submitAsNode(body))
  }

  const nanoOf = (amount: string): string => {
    try {
      const v = parseRep(amount)
      if (v <= 0n) throw new Error('amount must be positive')
      return v.toString()
    } catch (e) {
      throw apiError('BAD_USER_INPUT', errorMessage(e))
    }
  }

  return {
    Query: {
      node: () => view.info(),
      stateProof: (_: unknown, a: { key: string }) => {
        if (a.key.length === 0 || a.key.length > MAX_PROOF_KEY_CHARS) throw apiError('BAD_USER_INPUT', `key must be 1..${MAX_PROOF_KEY_CHARS} characters`)
        return view.stateProof(a.key)
      },
      blocks: (_: unknown, a: Paged & { fromHeight?: number | null }) =>
        view.blocks({ ...page(a), ...(a.fromHeight != null ? { fromHeight: a.fromHeight } : {}) }),
      block: (_: unknown, a: { height: number }) => view.block(a.height),
      validators: (_: unknown, a: Paged) => view.validators(page(a)),
      balances: (_: unknown, a: Paged) => view.balances(page(a)),
      balance: (_: unknown, a: { member: string }) => view.balance(a.member),
      posts: (_: unknown, a: Paged) => view.posts(page(a)),
      post: (_: unknown, a: { id: string }) => view.post(a.id),
      pools: (_: unknown, a: Paged & { openOnly?: boolean | null }) => view.pools({ ...page(a), openOnly: a.openOnly ?? false }),
      pool: (_: unknown, a: { id: string }) => view.pool(a.id),
      availability: (_: unknown, a: Paged) => view.availability(page(a)),
      params: () => view.params(),
      challenges: (_: unknown, a: Paged) => view.challenges(page(a)),
      challenge: (_: unknown, a: { id: string }) => view.challenge(a.id),
      submissions: (_: unknown, a: Paged & { miner?: string | null; challenge?: string | null }) => view.submissions({
        ...page(a), ...(a.miner ? { miner: a.miner } : {}), ...(a.challenge ? { challenge: a.challenge } : {}),
      }),
      submission: (_: unknown, a: { id: string }) => view.submission(a.id),
      epochs: (_: unknown, a: Paged) => view.epochs(page(a)),
      epoch: (_: unknown, a: { epoch: number }) => view.epoch(a.epoch),
      checkpoints: (_: unknown, a: Paged) => view.checkpoints(page(a)),
    },
    Citation: { target: (c: { post: string }) => view.post(c.post) },
    Pool: { target: (p: PoolDto) => view.post(p.post) },
    Submission: { challengeDetail: (s: SubmissionDto) => view.challenge(s.challenge) },
    Mutation: {
      submit: (_: unknown, a: { tx: SignedTxInput; payload?: string | null }) => signedTx('submit', a.tx, a.payload ? {
        b64: a.payload,
        check: (bytes, body) => {
          if (bytes.length !== body.payloadBytes) throw apiError('MALFORMED', `payload has ${bytes.length} bytes, body.payloadBytes says ${String(body.payloadBytes)}`)
          if (cidOfBytes(bytes) !== body.payloadCid) throw apiError('MALFORMED', `payload does not match payloadCid ${String(body.payloadCid)}`)
        },
      } : undefined),
      post: (_: unknown, a: { tx: SignedTxInput; content?: string | null }) => signedTx('post', a.tx, a.content ? {
        b64: a.content,
        check: (bytes, body) => {
          if (cidOfBytes(bytes) !== body.content) throw apiError('MALFORMED', `content does not match body.content ${String(body.content ?? null)}`)
        },
      } : undefined),
      initiatePool: (_: unknown, a: { tx: SignedTxInput }) => signedTx('initiatePool', a.tx),
      stake: (_: unknown, a: { tx: SignedTxInput }) => signedTx('stake', a.tx),
      stakeAvailability: (_: unknown, a: { tx: SignedTxInput }) => signedTx('stakeAvailability', a.tx),
      unstakeAvailability: (_: unknown, a: { tx: SignedTxInput }) => signedTx('unstakeAvailability', a.tx),
      businessRequest: (_: unknown, a: { tx: SignedTxInput }) => signedTx('businessRequest', a.tx),
      evidence: (_: unknown, a: { tx: SignedTxInput }) => signedTx('evidence', a.tx),
      proposeChallenge: (_: unknown, a: { tx: SignedTxInput; module?: string | null }) => signedTx('proposeChallenge', a.tx, a.module ? {
        b64: a.module,
        check: (bytes, body) => {
          const want = (body.signed as { manifest: { moduleHash: string } }).manifest.moduleHash
          if (toHex(sha256(bytes)) !== want) throw apiError('MALFORMED', `module bytes do not hash to the manifest's moduleHash ${want}`)
        },
      } : undefined),
      nodeStakeAvailability: (_: unknown, a: { amount: string; epochs: number }, ctx: ApiContext) =>
        operator(ctx, { type: 'StakeAvailability', amount: nanoOf(a.amount), epochs: a.epochs }),
      nodeStake: (_: unknown, a: { pool: string; amount: string; inFavor: boolean }, ctx: ApiContext) =>
        operator(ctx, { type: 'Stake', pool: a.pool, amount: nanoOf(a.amount), inFavor: a.inFavor }),
    },
    Subscription: {
      newBlocks: { subscribe: () => pubsub.subscribe('block'), resolve: (b: BlockDto) => b },
      finalScores: { subscribe: () => pubsub.subscribe('finalScore'), resolve: (s: SubmissionDto) => s },
      poolOutcomes: { subscribe: () => pubsub.subscribe('poolOutcome'), resolve: (p: PoolDto) => p },
      certifiedEpochs: { subscribe: () => pubsub.subscribe('certifiedEpoch'), resolve: (e: EpochDto) => e },
    },
  }
}
