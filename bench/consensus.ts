// Consensus engine throughput over an in-process, zero-latency transport with real ed25519 signatures:
// decisions per second, messages per decision, and CPU per decision split into crypto (sign + verify)
// and protocol logic (everything else: the core, hashing, the driver). One JSON line per n. All n nodes
// run in this process, so a decision's figures are the whole network's work (per node: divide by n).
import { performance } from 'node:perf_hooks'
import { utf8 } from '../core/bytes.ts'
import { ManualClock } from '../core/clock.ts'
import { ed25519PublicKey } from '../core/crypto/sign.ts'
import { sha256 } from '../core/hash.ts'
import {
  type ConsensusMessage, createValidatorSet, ed25519VoteSigner, type Instance, linearTimeout, memorySignerStore,
  startInstance, type VoteVerifier, verifyVoteEd25519,
} from '../validator/consensus/index.ts'
import { median, report, round } from './report.ts'

interface Block { readonly height: number; readonly proposer: string; readonly txs: string }

export async function run(args: string[]): Promise<void> {
  const sizes = args.length ? args.map(Number) : [4, 16, 64]
  for (const n of sizes) await benchSize(n, n <= 4 ? 200 : n <= 16 ? 30 : 4)
}

async function benchSize(n: number, heights: number): Promise<void> {
  const keys = Array.from({ length: n }, (_, i) => sha256(utf8(`bench-consensus/${i}`)))
  const set = createValidatorSet(keys.map((seed, i) => ({ id: `v${i}`, publicKey: ed25519PublicKey(seed), power: BigInt(1 + (i % 3)) })))
  let cryptoMs = 0
  let signs = 0
  let verifies = 0
  const timedVerify: VoteVerifier = (pub, vote, sig) => {
    const t = performance.now()
    try { return verifyVoteEd25519(pub, vote, sig) } finally { cryptoMs += performance.now() - t; verifies++ }
  }
  const signers = keys.map((seed, i) => {
    const s = ed25519VoteSigner(`v${i}`, seed)
    return { id: s.id, sign: (v: Parameters<typeof s.sign>[0]) => { const t = performance.now(); try { return s.sign(v) } finally { cryptoMs += performance.now() - t; signs++ } } }
  })
  const clock = new ManualClock()
  const perDecisionMs: number[] = []
  const perDecisionCryptoMs: number[] = []
  let broadcasts = 0
  let deliveries = 0
  let decided = 0

  for (let height = 0; height < heights + 1; height++) { // height 0 warms up
    const queue: [number, ConsensusMessage<Block>][] = []
    const nodes: Instance<Block>[] = []
    const c0 = cryptoMs, b0 = broadcasts, d0 = deliveries, s0 = signs, v0 = verifies
    const t0 = performance.now()
    for (let i = 0; i < n; i++) {
      nodes.push(await startInstance<Block>({ height }, {
        definition: {
          instance: 'block', set, roundTimeout: linearTimeout(60_000, 0), verifyVote: timedVerify,
          validateValue: (h, b) => b.height === h, decide: () => { decided++ },
        },
        transport: { broadcast: (m) => { broadcasts++; for (let j = 0; j < n; j++) if (j !== i) queue.push([j, m]) } },
        signer: signers[i]!, store: memorySignerStore(), clock,
      }))
    }
    for (let i = 0; i < n; i++) await nodes[i]!.input({ height, proposer: `v${i}`, txs: 'x'.repeat(256) })
    while (queue.length) {
      const [to, m] = queue.shift()!
      deliveries++
      await nodes[to]!.deliver(m)
    }
    const ms = performance.now() - t0
    for (const x of nodes) { if (!x.core.decided) throw new Error(`bench: height ${height} undecided`); x.stop() }
    if (height === 0) { broadcasts = b0; deliveries = d0; signs = s0; verifies = v0; cryptoMs = c0; continue }
    perDecisionMs.push(ms)
    perDecisionCryptoMs.push(cryptoMs - c0)
  }
  const msPerDecision = median(perDecisionMs)
  const cryptoPerDecision = median(perDecisionCryptoMs)
  report('consensus', `n=${n}`, {
    validators: n,
    decisions: heights,
    decisionsPerSec: round(1000 / msPerDecision, 2),
    msPerDecision: round(msPerDecision, 2),
    msPerNodePerDecision: round(msPerDecision / n, 3), // all n nodes run in this one process
    messagesPerDecision: round(broadcasts / heights, 1),
    deliveriesPerDecision: round(deliveries / heights, 1),
    signsPerDecision: round(signs / heights, 1),
    verifiesPerDecision: round(verifies / heights, 1),
    cryptoMsPerDecision: round(cryptoPerDecision, 2),
    logicMsPerDecision: round(msPerDecision - cryptoPerDecision, 2),
    cryptoShare: round(cryptoPerDecision / msPerDecision, 3),
    nodeDecisions: decided - n,
  })
}
