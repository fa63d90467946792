// Runs one consensus instance (one height): feeds events to the pure core one at a time and executes its
// effects in order (validate, time out, decide); our votes leave in order through an outbox (persist
// before sign, sign before send) that the next events do not wait for. The node wires
// one per height to the `/agora/1/consensus` topic; the simulator wires the same code to a fake network.
import type { Clock, Timer } from '../../core/clock.ts'
import { hashValue as canonicalHash } from '../../core/encoding.ts'
import { errorMessage } from '../../core/errors.ts'
import { type Core, type CoreEvent, createCore, type Effect } from './core.ts'
import { type SignerStore, signedValueKey } from './signer-store.ts'
import { type VoteSigner, type VoteVerifier, verifyVoteEd25519 } from './signing.ts'
import type { CommitCertificate, ConsensusMessage, Evidence, VoteMessage } from './types.ts'
import type { ValidatorSet } from './validator-set.ts'

/** The pluggable parts of the protocol, constant across heights (Charon's qbft.Definition). */
export interface Definition<V> {
  /** Instance tag in every signed vote ("block", or a duty key). */
  readonly instance: string
  readonly set: ValidatorSet
  /** Proposer of (height, round); defaults to the stake-weighted rotation of the validator set. */
  readonly leader?: (height: number, round: number) => string
  /** Round timer (Charon's NewTimer): how long round `round` lasts, in ms. */
  readonly roundTimeout: (round: number) => number
  /** External validity of a proposed value (may be async; a throw counts as invalid). */
  readonly validateValue: (height: number, value: V) => boolean | Promise<boolean>
  /** Called once per height with the decided value and its commit certificate. */
  readonly decide: (height: number, value: V, certificate: CommitCertificate) => void | Promise<void>
  /** Value identity; defaults to sha256 of the canonical encoding. */
  readonly hashValue?: (value: V) => Uint8Array
  readonly verifyVote?: VoteVerifier
  readonly onEvidence?: (evidence: Evidence) => void
  /** Upon-rules fired and messages dropped, for logs and metrics. */
  readonly trace?: (height: number, effect: Effect<V>) => void
}

export interface Transport<V> {
  /** Send to every other validator (the instance delivers its own messages to itself). */
  broadcast(message: ConsensusMessage<V>): void | Promise<void>
  /** Optional subscription; without it, call `instance.deliver` for each received message. */
  receive?(handler: (message: ConsensusMessage<V>) => void): () => void
}

export interface InstanceModules<V> {
  readonly definition: Definition<V>
  readonly transport: Transport<V>
  readonly signer: VoteSigner
  readonly store: SignerStore<V>
  readonly clock: Clock
}

export interface Decision<V> { readonly value: V; readonly certificate: CommitCertificate }

export interface Instance<V> {
  readonly height: number
  readonly core: Core<V>
  /** Our value for this height (the leader proposes it). */
  input(value: V): Promise<void>
  deliver(message: ConsensusMessage<V>): Promise<void>
  /** Resolves once every queued event has been processed. */
  idle(): Promise<void>
  stop(): void
  readonly decided: Promise<Decision<V>>
  /** Set when the instance stopped on an error (store or transport failure). */
  readonly error: string | undefined
}

export const heightOf = (m: ConsensusMessage<unknown>): number =>
  m.kind === 'vote' ? m.signed.vote.height : m.certificate.height

/** Linear round timer: base + round × step (ms). */
export const linearTimeout = (baseMs: number, stepMs: number) => (round: number) => baseMs + round * stepMs

/**
 * Doubling round timer: base × 2^round, capped. Liveness after GST needs honest nodes to overlap in one
 * round long enough; when they entered rounds at times δ apart (a node ran ahead while partitioned, and
 * fewer than 1/3 of the power ahead cannot pull the others), doubling closes that gap in O(log δ) rounds
 * where a linear timer needs O(δ / step). Keep the cap well above any plausible δ.
 */
export const exponentialTimeout = (baseMs: number, maxMs: number) => (round: number) => Math.min(maxMs, baseMs * 2 ** Math.min(round, 40))

/** Start (or, from the signer store, resume) the instance for `height`. */
export async function startInstance<V>(opts: { readonly height: number }, modules: InstanceModules<V>): Promise<Instance<V>> {
  const { definition: def, transport, signer, store, clock } = modules
  const { height } = opts
  const resume = await store.loadResume(height)
  const core = createCore<V>({
    instance: def.instance, height, self: signer.id, set: def.set,
    ...(def.leader ? { leader: def.leader } : {}),
    hashValue: def.hashValue ?? ((v: V) => canonicalHash(v)),
    verify: def.verifyVote ?? verifyVoteEd25519,
    ...(resume ? { resume } : {}),
  })
  let stopped = false
  let error: string | undefined
  let timer: Timer | undefined
  let unsubscribe: (() => void) | undefined
  let resolveDecision!: (d: Decision<V>) => void
  let rejectDecision!: (e: Error) => void
  const decided = new Promise<Decision<V>>((res, rej) => { resolveDecision = res; rejectDecision = rej })
  decided.catch(() => {}) // callers that never await it must not crash the process

  let chain: Promise<void> = Promise.resolve()
  const enqueue = (first: CoreEvent<V> | 'start'): Promise<void> => {
    chain = chain.then(() => process(first)).catch((e) => fail(e))
    return chain
  }
  // Our votes leave through their own ordered queue: each is recorded durably, signed and sent, then comes
  // back to the core as a local message. Incoming votes and timeouts do not wait behind it: a synced write
  // took up to 1.8 s on a loaded machine (issue 15's spam soak), and the node saw nothing meanwhile.
  let outbox: Promise<void> = Promise.resolve()
  const send = (e: Extract<Effect<V>, { kind: 'broadcast' }>): void => {
    outbox = outbox.then(() => sendVote(e)).catch((err) => fail(err))
  }

  function fail(e: unknown): void {
    if (stopped) return
    error = errorMessage(e)
    stop()
    rejectDecision(new Error(`consensus height ${height}: ${error}`))
  }

  function stop(): void {
    stopped = true
    timer?.cancel()
    unsubscribe?.()
  }

  async function process(first: CoreEvent<V> | 'start'): Promise<void> {
    const queue: CoreEvent<V>[] = []
    let effects = first === 'start' ? core.start() : core.handle(first)
    for (;;) {
      for (const e of effects) {
        if (stopped) return
        await execute(e, queue)
      }
      const next = queue.shift()
      if (!next || stopped) return
      effects = core.handle(next)
    }
  }

  async function sendVote(e: Extract<Effect<V>, { kind: 'broadcast' }>): Promise<void> {
    if (stopped) return
    // Slashing protection: durable record first; a refusal (restart with another value) sends nothing.
    // The store keeps call order, so a prepared state saved before this COMMIT was emitted is written first.
    if (!(await store.recordSigned(height, e.vote.round, e.vote.type, signedValueKey(e.vote)))) {
      def.trace?.(height, { kind: 'dropped', reason: 'signer store refused a conflicting vote' })
      return
    }
    if (stopped) return
    const message: VoteMessage<V> = {
      kind: 'vote', signed: { vote: e.vote, signer: signer.id, signature: signer.sign(e.vote) },
      ...(e.value === undefined ? {} : { value: e.value }), justification: e.justification,
    }
    // Our own core counts it from the moment it is durable and signed, not after the publish returns (a
    // few ms per vote on a busy node, on the path to each quorum): safety rests on what we sign, not on when.
    void enqueue({ kind: 'message', message, local: true })
    await transport.broadcast(message)
  }

  async function execute(e: Effect<V>, queue: CoreEvent<V>[]): Promise<void> {
    switch (e.kind) {
      case 'broadcast': send(e); return
      case 'broadcastDecided': await transport.broadcast(e.message); return
      case 'timer': {
        timer?.cancel()
        const round = e.round
        timer = clock.setTimer(def.roundTimeout(round), () => { if (!stopped) void enqueue({ kind: 'timeout', round }) })
        return
      }
      case 'stopTimer': timer?.cancel(); timer = undefined; return
      case 'validate': {
        let valid: boolean
        try { valid = await def.validateValue(height, e.value) } catch { valid = false }
        queue.push({ kind: 'validated', valueHash: e.valueHash, valid })
        return
      }
      case 'prepared': { // in the outbox, ahead of the COMMIT that follows it (durable before it leaves)
        const prepared = e.prepared
        outbox = outbox.then(() => (stopped ? undefined : store.savePrepared(height, prepared))).catch((err) => fail(err))
        return
      }
      case 'decide':
        await def.decide(height, e.value, e.certificate)
        resolveDecision({ value: e.value, certificate: e.certificate })
        return
      case 'evidence': def.onEvidence?.(e.evidence); return
      case 'rule': case 'dropped': def.trace?.(height, e); return
    }
  }

  const instance: Instance<V> = {
    height,
    core,
    input: (value) => enqueue({ kind: 'input', value }),
    deliver: (message) => (stopped ? chain : enqueue({ kind: 'message', message })),
    idle: async () => {
      // Both queues feed each other (a sent vote comes back as an event, an event may send a vote).
      for (;;) {
        const [c, o] = [chain, outbox]
        await c; await o
        if (c === chain && o === outbox) return
      }
    },
    stop,
    decided,
    get error() { return error },
  }
  if (transport.receive) unsubscribe = transport.receive((m) => { if (heightOf(m) === height) void instance.deliver(m) })
  await enqueue('start')
  return instance
}
