// Deterministic simulator (TigerBeetle VOPR style): runs the real consensus instances of n validators on a
// simulated clock and network, all driven by one seed, and checks invariants after every step: agreement,
// validity, certificate validity, no honest equivocation, no evidence against honest validators, and
// liveness (bounded rounds) once the network is synchronous. A failing seed replays with one command.
import { toHex, utf8 } from '../../core/bytes.ts'
import { sha256 } from '../../core/hash.ts'
import {
  certificateError, type CommitCertificate, type ConsensusMessage, createValidatorSet, type Definition, evidenceError,
  exponentialTimeout, heightOf, type Instance, memorySignerStore, MsgType, type SignerStore, signedValueKey, startInstance,
  type ValidatorSet, type VoteSigner,
} from '../../validator/consensus/index.ts'
import type { Clock } from '../../core/clock.ts'
import { type Adversary, createAdversary, createCoalition, type SimValue } from './byzantine.ts'
import { describeFaults, type FaultPlan, planFaults, type Strategy } from './faults.ts'
import { createRng, type Rng } from './prng.ts'
import { Scheduler } from './scheduler.ts'
import { ed25519SimCrypto, fastSimCrypto, type SimCrypto } from './test-crypto.ts'

export interface SimConfig {
  readonly seed: number
  readonly validators: number
  readonly powers?: readonly bigint[]
  readonly byzantine: number
  readonly heights?: number
  readonly crypto?: 'fast' | 'ed25519'
  readonly strategy?: Strategy
}

export interface ScheduleResult {
  readonly seed: number
  readonly decisions: number
  readonly decisionRounds: readonly number[]
  readonly violations: readonly string[]
  readonly evidence: number
  readonly events: number
  readonly simTimeMs: number
  readonly faults: string
}

const INSTANCE = 'block'
const TRACE = process.env.AGORA_SIM_TRACE === '1' // print every upon-rule and dropped message
const MAX_EVENTS = 3_000_000
const ROUND_TIMEOUT = exponentialTimeout(200, 3_600_000)

interface SimNode {
  readonly id: string
  readonly signer: VoteSigner
  readonly store: SignerStore<SimValue>
  readonly adversary: Adversary | undefined
  readonly clock: Clock
  up: boolean
  height: number
  readonly instances: Map<number, Instance<SimValue>>
  readonly future: Map<number, ConsensusMessage<SimValue>[]>
  readonly decided: Map<number, { value: SimValue; certificate: CommitCertificate }> // its block store
  readonly repliedDecided: Set<string>
}

export function replayCommand(cfg: SimConfig): string {
  const powers = cfg.powers ? ` --powers ${cfg.powers.join(',')}` : ''
  const extra = `${cfg.heights ? ` --heights ${cfg.heights}` : ''}${cfg.crypto === 'ed25519' ? ' --crypto ed25519' : ''}${cfg.strategy ? ` --strategy ${cfg.strategy}` : ''}`
  return `npm run sim -- --seed ${cfg.seed} --validators ${cfg.validators} --byzantine ${cfg.byzantine}${powers}${extra}`
}

export const simValueHash = (v: SimValue): Uint8Array => sha256(utf8(`${v.height}|${v.proposer}|${v.nonce}|${v.valid}`))

export async function runSchedule(cfg: SimConfig): Promise<ScheduleResult> {
  const n = cfg.validators
  const heights = cfg.heights ?? 2
  const ids = Array.from({ length: n }, (_, i) => `v${i}`)
  const crypto: SimCrypto = cfg.crypto === 'ed25519' ? ed25519SimCrypto(ids) : fastSimCrypto(ids)
  const powers = cfg.powers ?? ids.map(() => 1n)
  if (powers.length !== n) throw new Error(`--powers lists ${powers.length} values for ${n} validators`)
  const set: ValidatorSet = createValidatorSet(ids.map((id, i) => ({ id, publicKey: crypto.publicKey(id), power: powers[i]! })))
  const rng = createRng(cfg.seed)
  const plan: FaultPlan = planFaults(rng.fork(1), set, cfg.byzantine, cfg.strategy)
  const net: Rng = rng.fork(2)
  const sched = new Scheduler()

  const violations: string[] = []
  const decisionRounds: number[] = []
  const agreed = new Map<number, string>()
  const honestSigned = new Map<string, string>()
  const gstRound = new Map<number, number>()
  let evidence = 0
  let events = 0
  const violate = (what: string) => { if (violations.length < 10) violations.push(`${what} (t=${sched.now}ms)`) }

  const nodes = new Map<string, SimNode>()
  const misled = new Set(rng.fork(3).shuffle(ids).slice(0, Math.floor(n / 2)))
  const coalition = createCoalition((to) => misled.has(to))
  for (const id of ids) {
    const strategy = plan.byzantine.get(id)
    const signer = crypto.signer(id)
    const node: SimNode = {
      id, signer,
      store: strategy ? permissiveStore() : memorySignerStore<SimValue>(),
      adversary: strategy ? createAdversary(strategy, signer, rng.fork(100 + ids.indexOf(id)), simValueHash, coalition) : undefined,
      clock: sched.clock(() => settle(node)),
      up: true, height: 0, instances: new Map(), future: new Map(), decided: new Map(), repliedDecided: new Set(),
    }
    nodes.set(id, node)
  }
  const honest = [...nodes.values()].filter((x) => !x.adversary)

  async function settle(node: SimNode): Promise<void> {
    for (const inst of node.instances.values()) await inst.idle()
  }

  function inputFor(node: SimNode, h: number): SimValue {
    const s = node.adversary?.strategy
    return { height: h, proposer: node.id, nonce: (cfg.seed * 7919 + ids.indexOf(node.id) * 104729 + h) % 2147483647, valid: s !== 'invalid' && s !== 'mixed' }
  }

  function definitionFor(node: SimNode): Definition<SimValue> {
    return {
      instance: INSTANCE, set, roundTimeout: ROUND_TIMEOUT,
      validateValue: (h, v) => v.valid && v.height === h,
      decide: (h, v, c) => onDecide(node, h, v, c),
      hashValue: simValueHash,
      verifyVote: crypto.verify,
      ...(TRACE ? { trace: (h: number, e: { kind: string }) => process.stderr.write(`${sched.now} ${node.id} h${h} ${JSON.stringify(e)}\n`) } : {}),
      onEvidence(e) {
        evidence++
        const why = evidenceError(e, set, crypto.verify)
        if (why) violate(`${node.id} emitted invalid evidence: ${why}`)
        if (!plan.byzantine.has(e.signer)) violate(`evidence accuses honest validator ${e.signer}`)
      },
    }
  }

  function onDecide(node: SimNode, h: number, value: SimValue, cert: CommitCertificate): void {
    if (!node.adversary) {
      const hash = simValueHash(value)
      if (!value.valid || value.height !== h) violate(`validity: ${node.id} decided an invalid value at height ${h}`)
      const why = cert.height !== h || cert.instance !== INSTANCE ? 'wrong height or instance' : certificateError(hash, cert, set, crypto.verify)
      if (why) violate(`certificate: ${node.id} at height ${h}: ${why}`)
      const prev = node.decided.get(h)
      if (prev && toHex(simValueHash(prev.value)) !== toHex(hash)) violate(`${node.id} decided twice differently at height ${h}`)
      const first = agreed.get(h)
      if (first === undefined) agreed.set(h, toHex(hash))
      else if (first !== toHex(hash)) violate(`agreement: ${node.id} decided another value at height ${h}`)
      decisionRounds.push(cert.round)
    }
    node.decided.set(h, { value, certificate: cert })
    if (h === node.height) sched.after(0, () => startHeight(node, h + 1))
  }

  async function startHeight(node: SimNode, h: number): Promise<void> {
    if (!node.up || h >= heights || node.instances.has(h) || node.decided.has(h)) return
    node.height = h
    const inst = await startInstance<SimValue>({ height: h }, {
      definition: definitionFor(node), transport: { broadcast: (m) => send(node, m) },
      signer: node.signer, store: node.store, clock: node.clock,
    })
    node.instances.set(h, inst)
    await inst.input(inputFor(node, h))
    const buffered = node.future.get(h) ?? []
    node.future.delete(h)
    for (const m of buffered) await inst.deliver(m)
  }

  async function deliver(node: SimNode, m: ConsensusMessage<SimValue>): Promise<void> {
    if (!node.up) return
    node.adversary?.remember(m)
    const h = heightOf(m)
    const inst = node.instances.get(h)
    if (inst) return inst.deliver(m)
    const done = node.decided.get(h)
    if (done) {
      // Like block sync: a height we decided (but no longer run) is answered from our block store.
      if (m.kind === 'vote' && m.signed.vote.type === MsgType.ROUND_CHANGE) {
        const key = `${h}/${m.signed.vote.round}`
        if (!node.repliedDecided.has(key)) {
          node.repliedDecided.add(key)
          send(node, { kind: 'decided', value: done.value, certificate: done.certificate })
        }
      }
      return
    }
    if (h > node.height && h < heights) {
      const q = node.future.get(h) ?? []
      if (q.length < 20_000) q.push(m)
      node.future.set(h, q)
    }
  }

  function send(from: SimNode, m: ConsensusMessage<SimValue>): void {
    if (!from.adversary && m.kind === 'vote') {
      const v = m.signed.vote
      const key = `${v.height}/${v.round}/${v.type}/${from.id}`
      const val = toHex(signedValueKey(v))
      const prev = honestSigned.get(key)
      if (prev !== undefined && prev !== val) violate(`honest ${from.id} signed two values for ${key}`)
      honestSigned.set(key, val)
    }
    const recipients = ids.filter((id) => id !== from.id)
    const out = from.adversary ? from.adversary.outgoing(m, recipients) : recipients.map((to) => ({ to, message: m }))
    for (const { to, message } of out) {
      const target = nodes.get(to)!
      if (sched.now < plan.gst) {
        const p = plan.partition
        if (p && sched.now >= p.start && sched.now < p.end && p.side.has(from.id) !== p.side.has(to)) continue
        if (net.chance(plan.dropRate)) continue
        const copies = net.chance(plan.dupRate) ? 2 : 1
        for (let c = 0; c < copies; c++) sched.after(plan.baseDelay + net.int(plan.jitter + 1), () => deliver(target, message))
      } else {
        sched.after(net.range(1, plan.syncDelay), () => deliver(target, message))
      }
    }
  }

  // Faults on the timeline.
  for (const c of plan.crashes) {
    const node = nodes.get(c.id)!
    sched.at(c.at, () => {
      node.up = false
      for (const inst of node.instances.values()) inst.stop()
      node.instances.clear()
      node.future.clear()
    })
    sched.at(c.restartAt, async () => {
      node.up = true
      let h = 0
      while (node.decided.has(h)) h++
      node.height = h
      await startHeight(node, h)
    })
  }
  sched.at(plan.gst, () => {
    for (const node of honest) {
      for (const [h, inst] of node.instances) if (!inst.core.decided) gstRound.set(h, Math.max(gstRound.get(h) ?? 0, inst.core.round))
    }
  })
  for (const node of nodes.values()) sched.at(0, () => startHeight(node, 0))

  const allDecided = () => honest.every((x) => x.decided.size >= heights)
  const roundBound = (h: number) => (gstRound.get(h) ?? 0) + n + 4
  while (violations.length === 0 && !allDecided()) {
    if (!(await sched.step())) { violate('liveness: no events left before every honest node decided'); break }
    if (++events > MAX_EVENTS) { violate('liveness: event budget exhausted'); break }
    if (sched.now > plan.gst) {
      for (const node of honest) {
        for (const [h, inst] of node.instances) {
          if (!inst.core.decided && inst.core.round > roundBound(h)) violate(`liveness: ${node.id} reached round ${inst.core.round} at height ${h} (bound ${roundBound(h)})`)
          if (inst.error) violate(`${node.id} instance ${h} failed: ${inst.error}`)
        }
      }
    }
  }
  for (const node of nodes.values()) for (const inst of node.instances.values()) inst.stop()
  return { seed: cfg.seed, decisions: decisionRounds.length, decisionRounds, violations, evidence, events, simTimeMs: sched.now, faults: describeFaults(plan) }
}

/** Byzantine validators sign whatever they like. */
function permissiveStore(): SignerStore<SimValue> {
  return { recordSigned: async () => true, savePrepared: async () => {}, loadResume: async () => undefined }
}
