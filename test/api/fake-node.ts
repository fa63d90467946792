// An honest in-memory node behind the API contract (validator/api/view.ts): it verifies signed
// transactions itself, checks their preconditions against its state (unknown challenge/post/pool,
// insufficient REP, replayed nonce), keeps accepted ones in a mempool, and applies them when a block is
// produced, emitting events. Two fakes can be linked so accepted transactions are "gossiped".
import { createHash } from 'node:crypto'
import { decode } from '../../core/encoding.ts'
import { fromHex } from '../../core/bytes.ts'
import { formatRep } from '../../core/amount.ts'
import { Domain, verifyEd25519 } from '../../core/crypto/sign.ts'
import type {
  ActionErrorCode, ActionResult, AvailabilityDto, BalanceDto, BlockDto, ChallengeDto, CheckpointDto, EpochDto,
  NodeActions, NodeEvent, NodeEvents, NodeInfoDto, NodeView, Page, PageArgs, PoolDto, PostDto, SignedTxInput,
  SubmissionDto,
} from '../../validator/api/view.ts'

type Body = Record<string, unknown> & { type: string; sender: string; nonce: number }
interface Member { balance: bigint; locked: bigint }
interface PoolState { dto: Omit<PoolDto, 'stakes' | 'forTotal' | 'againstTotal'>; stakes: { member: string; amount: bigint; inFavor: boolean }[] }

export interface FakeGenesis {
  readonly peerId: string
  readonly balances: Record<string, bigint>
  readonly challenges?: ChallengeDto[]
  readonly posts?: PostDto[]
  readonly pools?: { id: string; post: string; fee: bigint; endSlot: number }[]
  readonly validators?: string[]
}

export interface FakeNode extends NodeView, NodeActions, NodeEvents {
  readonly peerId: string
  produceBlock(): BlockDto
  resolvePool(id: string, passed: boolean): PoolDto
  finalizeSubmission(id: string, score: string): SubmissionDto
  certifyEpoch(epoch: number): EpochDto
  mempoolSize(): number
  link(peer: FakeNode): void
  /** Deliver a transaction accepted elsewhere (gossip). */
  receive(tx: SignedTxInput, payload?: Uint8Array): Promise<ActionResult>
}

const sha = (...parts: (string | Uint8Array)[]) => { const h = createHash('sha256'); for (const p of parts) h.update(p); return h.digest('hex') }
const refuse = (code: ActionErrorCode, message: string): ActionResult => ({ accepted: false, code, message })

function paginate<T>(all: readonly T[], args: PageArgs): Page<T> {
  const start = args.after ? Number(args.after) : 0
  const first = args.first ?? 20
  const items = all.slice(start, start + first)
  const end = start + items.length
  return { items, nextCursor: end < all.length ? String(end) : null, total: all.length }
}

export function createFakeNode(genesis: FakeGenesis): FakeNode {
  const members = new Map<string, Member>(Object.entries(genesis.balances).map(([m, b]) => [m, { balance: b, locked: 0n }]))
  const posts = new Map<string, PostDto>((genesis.posts ?? []).map((p) => [p.id, p]))
  const pools = new Map<string, PoolState>((genesis.pools ?? []).map((p) => [p.id, {
    dto: { id: p.id, post: p.post, fee: formatRep(p.fee), startSlot: 0, endSlot: p.endSlot, resolved: false, passed: null, quorumMet: null }, stakes: [],
  }]))
  const availability = new Map<string, { amount: bigint; untilEpoch: number }>()
  const challenges = new Map<string, ChallengeDto>((genesis.challenges ?? []).map((c) => [c.id, c]))
  const submissions = new Map<string, SubmissionDto>()
  const epochs = new Map<number, EpochDto>()
  const checkpoints: CheckpointDto[] = []
  const blocks: BlockDto[] = []
  const seenNonces = new Set<string>()
  const business: { sender: string; fee: bigint; request: string }[] = []
  let mempool: { txId: string; body: Body; payload?: Uint8Array }[] = []
  const listeners = new Set<(e: NodeEvent) => void>()
  const peers: FakeNode[] = []
  const validators = genesis.validators ?? [genesis.peerId]
  let stateRoot = '0x' + sha('genesis')
  let nodeNonce = 0

  const member = (m: string) => { let x = members.get(m); if (!x) { x = { balance: 0n, locked: 0n }; members.set(m, x) } return x }
  /** Free REP minus what the sender's pending mempool transactions already spend. */
  const spendable = (m: string) => {
    const x = members.get(m) ?? { balance: 0n, locked: 0n }
    let pending = 0n
    for (const t of mempool) if (t.body.sender === m) pending += cost(t.body)
    return x.balance - x.locked - pending
  }
  const cost = (b: Body): bigint => {
    if (b.type === 'Stake' || b.type === 'StakeAvailability') return BigInt(b.amount as string)
    if (b.type === 'InitiatePool' || b.type === 'BusinessRequest') return BigInt(b.fee as string)
    return 0n
  }
  const emit = (e: NodeEvent) => { for (const fn of listeners) fn(e) }
  const slotOf = () => blocks.length
  const epochOf = (slot: number) => Math.floor(slot / 4)

  const poolDto = (p: PoolState): PoolDto => {
    const sum = (f: boolean) => p.stakes.filter((s) => s.inFavor === f).reduce((a, s) => a + s.amount, 0n)
    return { ...p.dto, stakes: p.stakes.map((s) => ({ member: s.member, amount: formatRep(s.amount), inFavor: s.inFavor })), forTotal: formatRep(sum(true)), againstTotal: formatRep(sum(false)) }
  }
  const balanceDto = (m: string, x: Member): BalanceDto => ({ member: m, balance: formatRep(x.balance), locked: formatRep(x.locked), free: formatRep(x.balance - x.locked) })

  /** State preconditions, checked when a transaction enters the mempool. */
  function check(b: Body, payload?: Uint8Array): ActionResult | null {
    if (seenNonces.has(`${b.sender}/${b.nonce}`)) return refuse('REJECTED', `nonce ${b.nonce} already used by ${b.sender}`)
    const need = cost(b)
    if (need > 0n && need > spendable(b.sender)) return refuse('INSUFFICIENT_REP', `${b.sender} has ${formatRep(spendable(b.sender))} REP free, needs ${formatRep(need)}`)
    switch (b.type) {
      case 'Submission': {
        const c = challenges.get(b.challenge as string)
        if (!c || c.status !== 'active') return refuse('UNKNOWN_CHALLENGE', `no active challenge ${String(b.challenge)}`)
        if (payload && payload.length > 64 * 1024) return refuse('PAYLOAD_TOO_LARGE', 'payload over the challenge limit')
        return null
      }
      case 'Post': {
        if (posts.has(b.id as string)) return refuse('REJECTED', `post ${String(b.id)} exists`)
        const authors = b.authors as Record<string, number>
        if (Object.values(authors).reduce((a, w) => a + w, 0) !== 1_000_000) return refuse('MALFORMED', 'author weights must sum to 1,000,000')
        for (const cited of Object.keys(b.citations as Record<string, number>)) if (!posts.has(cited)) return refuse('UNKNOWN_POST', `cited post ${cited} is unknown`)
        return null
      }
      case 'InitiatePool':
        if (!posts.has(b.post as string)) return refuse('UNKNOWN_POST', `post ${String(b.post)} is unknown`)
        if (pools.has(b.id as string)) return refuse('REJECTED', `pool ${String(b.id)} exists`)
        return null
      case 'Stake': {
        const p = pools.get(b.pool as string)
        if (!p || p.dto.resolved) return refuse('UNKNOWN_POOL', `no open pool ${String(b.pool)}`)
        return null
      }
      case 'ProposeChallenge': {
        const m = (b.signed as { manifest: { name: string } }).manifest
        if (challenges.has(m.name)) return refuse('REJECTED', `challenge ${m.name} exists`)
        return null
      }
      default:
        return null
    }
  }

  function apply(b: Body, txId: string): void {
    const slot = slotOf()
    switch (b.type) {
      case 'Submission':
        submissions.set(txId, { id: txId, miner: b.sender, challenge: b.challenge as string, payloadCid: b.payloadCid as string, height: blocks.length + 1, committee: validators.slice(0, 3), reports: [], finalScore: null, final: false })
        break
      case 'Post': {
        const authors = Object.entries(b.authors as Record<string, number>).sort(([a], [c]) => a.localeCompare(c)).map(([m, w]) => ({ member: m, weightPpm: w }))
        const citations = Object.entries(b.citations as Record<string, number>).sort(([a], [c]) => a.localeCompare(c)).map(([p, w]) => ({ post: p, weightPpm: w }))
        posts.set(b.id as string, { id: b.id as string, authors, citations, value: '0', content: (b.content as string | undefined) ?? '', createdSlot: slot })
        break
      }
      case 'InitiatePool':
        member(b.sender).balance -= BigInt(b.fee as string)
        pools.set(b.id as string, { dto: { id: b.id as string, post: b.post as string, fee: formatRep(BigInt(b.fee as string)), startSlot: slot, endSlot: slot + ((b.durationSlots as number | undefined) ?? 16), resolved: false, passed: null, quorumMet: null }, stakes: [] })
        break
      case 'Stake':
        member(b.sender).locked += BigInt(b.amount as string)
        pools.get(b.pool as string)!.stakes.push({ member: b.sender, amount: BigInt(b.amount as string), inFavor: b.inFavor as boolean })
        break
      case 'StakeAvailability': {
        member(b.sender).locked += BigInt(b.amount as string)
        const cur = availability.get(b.sender)
        availability.set(b.sender, { amount: (cur?.amount ?? 0n) + BigInt(b.amount as string), untilEpoch: epochOf(slot) + (b.epochs as number) })
        break
      }
      case 'BusinessRequest':
        member(b.sender).balance -= BigInt(b.fee as string)
        business.push({ sender: b.sender, fee: BigInt(b.fee as string), request: b.request as string })
        break
      case 'ProposeChallenge': {
        const m = (b.signed as { manifest: { name: string; version: string; moduleHash: string; owner: string; emissionSharePpm: number; policy: unknown } }).manifest
        challenges.set(m.name, { id: m.name, name: m.name, version: m.version, moduleHash: '0x' + m.moduleHash, owner: m.owner, status: 'proposed', emissionSharePpm: m.emissionSharePpm, policy: JSON.stringify(m.policy) })
        posts.set(b.post as string, { id: b.post as string, authors: [{ member: b.sender, weightPpm: 1_000_000 }], citations: [], value: '0', content: `challenge ${m.name}@${m.version}`, createdSlot: slot })
        break
      }
    }
  }

  async function admit(tx: SignedTxInput, payload: Uint8Array | undefined, gossip: boolean): Promise<ActionResult> {
    let body: Body
    try {
      body = decode<Body>(Buffer.from(tx.body, 'base64'))
    } catch {
      return refuse('MALFORMED', 'body is not CBOR')
    }
    if (!verifyEd25519(fromHex(tx.publicKey), Domain.transaction, body, fromHex(tx.signature))) return refuse('BAD_SIGNATURE', 'signature does not verify')
    const bad = check(body, payload)
    if (bad) return bad
    const txId = '0x' + sha(Buffer.from(tx.body, 'base64'), fromHex(tx.signature))
    seenNonces.add(`${body.sender}/${body.nonce}`)
    mempool.push({ txId, body, ...(payload ? { payload } : {}) })
    if (gossip) for (const p of peers) await p.receive(tx, payload)
    return { accepted: true, txId }
  }

  const node: FakeNode = {
    peerId: genesis.peerId,
    info: (): NodeInfoDto => ({
      peerId: genesis.peerId, evmAddress: '0x' + sha(genesis.peerId).slice(0, 40), networkId: 'agora-test', height: blocks.length,
      slot: slotOf(), epoch: epochOf(slotOf()), stateRoot, peers: peers.map((p) => p.peerId), synced: true,
      lastCertifiedEpoch: epochs.size ? Math.max(...epochs.keys()) : null, epochSeed: '00'.repeat(32),
    }),
    blocks: (a) => a.fromHeight !== undefined ? paginate(blocks.filter((b) => b.height >= a.fromHeight!), a) : paginate([...blocks].reverse(), a),
    block: (h) => blocks[h - 1] ?? null,
    validators: (a) => paginate(validators.map((v, i) => ({ peerId: v, evmAddress: '0x' + sha(v).slice(0, 40), power: '100', powerPpm: Math.floor(1_000_000 / validators.length) + (i === 0 ? 1_000_000 % validators.length : 0), blsPublicKey: '0x' + sha('bls', v) })), a),
    balances: (a) => paginate([...members].sort(([x], [y]) => x.localeCompare(y)).map(([m, x]) => balanceDto(m, x)), a),
    balance: (m) => { const x = members.get(m); return x ? balanceDto(m, x) : null },
    posts: (a) => paginate([...posts.values()].sort((x, y) => x.id.localeCompare(y.id)), a),
    post: (id) => posts.get(id) ?? null,
    pools: (a) => paginate([...pools.values()].filter((p) => !a.openOnly || !p.dto.resolved).sort((x, y) => x.dto.id.localeCompare(y.dto.id)).map(poolDto), a),
    pool: (id) => { const p = pools.get(id); return p ? poolDto(p) : null },
    availability: (a) => paginate([...availability].sort(([x], [y]) => x.localeCompare(y)).map(([m, v]): AvailabilityDto => ({ member: m, amount: formatRep(v.amount), untilEpoch: v.untilEpoch })), a),
    params: () => ({ current: [{ name: 'slotMs', value: '2000', min: '100', max: '600000' }, { name: 'committeeSize', value: '3', min: '1', max: '1024' }], pending: [{ name: 'committeeSize', value: '4', effectiveEpoch: 9 }] }),
    challenges: (a) => paginate([...challenges.values()].sort((x, y) => x.id.localeCompare(y.id)), a),
    challenge: (id) => challenges.get(id) ?? null,
    submissions: (a) => paginate([...submissions.values()].filter((s) => (!a.miner || s.miner === a.miner) && (!a.challenge || s.challenge === a.challenge)).sort((x, y) => x.height - y.height || x.id.localeCompare(y.id)), a),
    submission: (id) => submissions.get(id) ?? null,
    epochs: (a) => paginate([...epochs.values()].sort((x, y) => y.epoch - x.epoch), a),
    epoch: (e) => epochs.get(e) ?? null,
    checkpoints: (a) => paginate([...checkpoints].reverse(), a),

    submitTransaction: (tx, payload) => admit(tx, payload, true),
    receive: (tx, payload) => admit(tx, payload, false),
    async submitAsNode(body) {
      const full = { ...body, sender: genesis.peerId, nonce: ++nodeNonce } as Body
      const bad = check(full)
      if (bad) return bad
      const txId = '0x' + sha('node', genesis.peerId, String(nodeNonce))
      mempool.push({ txId, body: full })
      return { accepted: true, txId }
    },
    subscribe(fn) { listeners.add(fn); return () => { listeners.delete(fn) } },

    produceBlock() {
      const txs = mempool
      mempool = []
      for (const t of txs) apply(t.body, t.txId)
      const height = blocks.length + 1
      const prev = blocks[height - 2]
      const prevStateRoot = stateRoot
      stateRoot = '0x' + sha(prevStateRoot, ...txs.map((t) => t.txId))
      const block: BlockDto = {
        height, slot: height, epoch: epochOf(height), hash: '0x' + sha(String(height), stateRoot), prevHash: prev?.hash ?? '0x' + '0'.repeat(64),
        prevStateRoot, stateRoot, proposer: validators[height % validators.length]!, txCount: txs.length, certificateSigners: [...validators],
      }
      blocks.push(block)
      emit({ type: 'block', block })
      return block
    },
    resolvePool(id, passed) {
      const p = pools.get(id)!
      p.dto = { ...p.dto, resolved: true, passed, quorumMet: true }
      const dto = poolDto(p)
      emit({ type: 'poolOutcome', pool: dto })
      return dto
    },
    finalizeSubmission(id, score) {
      const s = submissions.get(id)!
      const done: SubmissionDto = { ...s, reports: s.committee.map((v) => ({ validator: v, score, fuelUsed: '1234', outputHash: '0x' + sha(score), deviating: false })), finalScore: score, final: true }
      submissions.set(id, done)
      emit({ type: 'finalScore', submission: done })
      return done
    },
    certifyEpoch(epoch) {
      const miners = [...new Set([...submissions.values()].map((s) => s.miner))].sort()
      const dto: EpochDto = { epoch, uids: miners.map((_, i) => i), miners, weights: miners.map(() => 65535), weightsHash: '0x' + sha('w', String(epoch), ...miners), certificateSigners: [...validators], chainTx: '0x' + sha('tx', String(epoch)), yuma: JSON.stringify({ consensus: miners.map(() => 1) }) }
      epochs.set(epoch, dto)
      checkpoints.push({ epoch, height: blocks.length, stateRoot, signers: [...validators], cid: null })
      emit({ type: 'certifiedEpoch', epoch: dto })
      return dto
    },
    mempoolSize: () => mempool.length,
    link(peer) { peers.push(peer) },
  }
  return node
}
