// The whole-node invariants, checked after every simulated step:
//   roots    equal state roots at equal heights, across every node and incarnation;
//   signing  no honest signer sends two values for one duty (consensus vote slot, parsig epoch duty);
//   REP      members' REP plus pool escrow equals genesis + minted − burned (the forum's running totals);
//   overdue  no submission past its deadline slot without a final score;
// and once the network has healed: every closed epoch certified (a valid checkpoint in the DHT) and, when
// it has weights, on the simulated chain.
import { decode } from '../../../core/encoding.ts'
import * as forum from '../../../forum/index.ts'
import { conflicting, decodeConsensusMessage, type Vote } from '../../../validator/consensus/index.ts'
import { Topic } from '../../../validator/infra/p2p/constants.ts'
import type { SimChain } from './chain.ts'
import type { SimNetwork } from './network.ts'
import type { SimNode } from './node.ts'

/** What each invariant looked at (the report says which actor exercised which). */
export interface Coverage { roots: number; votes: number; parsigs: number; repChecks: number; submissionsFinal: number; epochsCertified: number; epochsOnChain: number }

export class Invariants {
  readonly violations: string[] = []
  readonly coverage: Coverage = { roots: 0, votes: 0, parsigs: 0, repChecks: 0, submissionsFinal: 0, epochsCertified: 0, epochsOnChain: 0 }
  private readonly roots = new Map<number, { root: string; node: string }>()
  private readonly votes = new Map<string, Vote>()
  private readonly parsigs = new Map<string, string>()
  private readonly checkedHeight = new Map<string, number>()
  private sentSeen = 0

  constructor(private readonly honest: (node: string) => boolean) {}

  private fail(what: string): void { if (this.violations.length < 20) this.violations.push(what) }

  onBlock(node: SimNode, height: number, root: string): void {
    const prev = this.roots.get(height)
    this.coverage.roots++
    if (!prev) { this.roots.set(height, { root, node: node.id }); return }
    if (prev.root !== root) this.fail(`roots: height ${height}: ${short(prev.node)} has ${prev.root.slice(0, 12)}, ${short(node.id)} has ${root.slice(0, 12)}`)
  }

  /** Every message published since the last call: record the signed duty values of honest senders. */
  checkSent(net: SimNetwork): void {
    for (; this.sentSeen < net.sent.length; this.sentSeen++) {
      const s = net.sent[this.sentSeen]!
      if (!this.honest(s.node)) continue
      if (s.topic === Topic.consensus) {
        let msg
        try { msg = decodeConsensusMessage(decode<Uint8Array>(s.payload), (v) => v) } catch { continue }
        if (msg.kind !== 'vote') continue
        const v = msg.signed.vote
        const key = `${msg.signed.signer}|${v.instance}|${v.height}|${v.round}|${v.type}`
        const prev = this.votes.get(key)
        this.coverage.votes++
        if (!prev) this.votes.set(key, v)
        else if (conflicting(prev, v)) this.fail(`signing: ${short(msg.signed.signer)} sent two values for vote type ${v.type} at height ${v.height} round ${v.round}`)
      } else if (s.topic === Topic.parsig) {
        const m = decode<{ kind: string; epoch: number; valueHash: string }>(s.payload)
        const key = `${s.node}|${m.kind}|${m.epoch}`
        const prev = this.parsigs.get(key)
        this.coverage.parsigs++
        if (prev === undefined) this.parsigs.set(key, m.valueHash)
        else if (prev !== m.valueHash) this.fail(`signing: ${short(s.node)} sent two ${m.kind} values for epoch ${m.epoch}`)
      }
    }
  }

  /** REP conservation and overdue submissions on every running node whose ledger moved since last time. */
  checkLedgers(nodes: readonly SimNode[]): void {
    for (const n of nodes) {
      if (!n.up || this.checkedHeight.get(n.id) === n.ledger.height) continue
      this.checkedHeight.set(n.id, n.ledger.height)
      const f = n.ledger.forum
      this.coverage.repChecks++
      const held = forum.sumOfBalances(f) + f.totals.escrow
      if (held !== forum.totalSupply(f)) this.fail(`REP: ${short(n.id)} at height ${n.ledger.height}: members + escrow = ${held}, genesis + minted - burned = ${forum.totalSupply(f)}`)
      for (const sub of n.ledger.evals.submissions.values()) {
        if (!sub.final && n.ledger.height >= sub.deadlineHeight) this.fail(`overdue: submission ${sub.id.slice(0, 12)} (deadline height ${sub.deadlineHeight}) open at height ${n.ledger.height} on ${short(n.id)}`)
      }
    }
  }

  /** After the heal: every epoch that closed at least `marginSlots` ago is certified and on chain. */
  checkHealed(nodes: readonly SimNode[], net: SimNetwork, chain: SimChain, marginSlots: number, genesisTime: number): void {
    const ref = nodes.filter((n) => n.up).sort((a, b) => b.ledger.height - a.ledger.height)[0]
    if (!ref) return
    for (const n of nodes) if (!n.up) this.fail(`heal: ${short(n.id)} is not running after the heal`)
    for (const sub of ref.ledger.evals.submissions.values()) if (sub.final) this.coverage.submissionsFinal++
    const slotMs = ref.ledger.forum.params.slotMs
    for (const [epoch, result] of ref.ledger.evals.results) {
      const closedAt = (epoch + 1) * ref.ledger.forum.params.epochSlots // fixed epoch length in the sim
      if (closedAt + marginSlots > Math.floor((net.sched.now - genesisTime) / slotMs)) continue
      const recs = net.dht.checkpoints.get(epoch) ?? []
      if (!recs.some((r) => net.dht.verify(r))) this.fail(`heal: epoch ${epoch} has no certified checkpoint`)
      else this.coverage.epochsCertified++
      if (result.uids.length === 0) continue
      const on = chain.epochs.get(epoch)
      if (!on) this.fail(`heal: epoch ${epoch} weights not on chain${chain.refused.length ? ` (refused: ${chain.refused.at(-1)})` : ''}`)
      else if (on.weights.join() !== result.weights.join() || on.uids.join() !== result.uids.join()) this.fail(`heal: epoch ${epoch} weights on chain differ from the ledger's`)
      else this.coverage.epochsOnChain++
    }
  }
}

const short = (id: string) => id.slice(-6)
