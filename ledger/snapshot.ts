// A whole-ledger snapshot (forum + evaluations + nonces + log position) in canonical CBOR: what a
// checkpoint's stateCid names, so a new node can start from a certified state instead of genesis.
// restoreLedger(snapshotLedger(s)) has the same state root as s (checked by the caller against the
// certified header before it is used).
import { z } from 'zod'
import { decode, encode } from '../core/encoding.ts'
import { AgoraError } from '../core/errors.ts'
import * as forum from '../forum/index.ts'
import { evalStateView, type EvalState, type SubmissionRecord } from './evaluations.ts'
import { validatorKeysRows, type ChallengeRow, type LedgerState } from './ledger.ts'
import { RuntimePolicySchema } from '../registry/manifest.ts'

const VERSION = 4
const int = z.union([z.number().int(), z.bigint()]).transform((v) => BigInt(v))
const num = z.number().int()

const SubSchema = z.object({
  id: z.string(), miner: z.string(), challenge: z.string(), payloadCid: z.string(), payloadBytes: num, height: num, slot: num,
  epoch: num, seed: z.string(), revealHeight: num, deadlineHeight: num,
  committee: z.array(z.tuple([z.string(), int])),
  commits: z.array(z.tuple([z.string(), z.string()])),
  reports: z.array(z.tuple([z.string(), num, int, z.string(), z.boolean(), num])),
  final: z.object({ score: num, outputHash: z.string().optional(), rule: z.string(), deviating: z.array(z.string()), slot: num, epoch: num }).optional(),
})
const SnapshotSchema = z.object({
  v: z.literal(VERSION),
  height: num, lastBlockHash: z.string(), lastSlot: num,
  forum: z.instanceof(Uint8Array),
  evals: z.object({
    subs: z.array(SubSchema), pending: z.array(z.string()), miners: z.array(z.string()),
    results: z.array(z.object({ epoch: num, miners: z.array(z.string()), uids: z.array(num), weights: z.array(num), weightsHash: z.string() })),
  }),
  nonces: z.array(z.tuple([z.string(), num])),
  genesisChallenges: z.array(z.object({ id: z.string(), moduleHash: z.string(), emissionSharePpm: num })),
  validatorKeys: z.array(z.tuple([z.string(), z.string(), z.string()])),
  challengeTable: z.array(z.object({ id: z.string(), moduleHash: z.string(), emissionSharePpm: num, committeeSize: num.optional(), policy: RuntimePolicySchema.optional() })),
  epochSeed: z.string(),
  prevEpochSeed: z.string(),
})

export function snapshotLedger(s: LedgerState): Uint8Array {
  return encode({
    v: VERSION, height: s.height, lastBlockHash: s.lastBlockHash, lastSlot: s.lastSlot,
    forum: forum.snapshot(s.forum), evals: evalStateView(s.evals),
    nonces: [...s.nonces.keys()].sort().map((k) => [k, s.nonces.get(k)!]), genesisChallenges: s.genesisChallenges,
    validatorKeys: validatorKeysRows(s), epochSeed: s.epochSeed, prevEpochSeed: s.prevEpochSeed, challengeTable: s.challengeTable,
  })
}

export function restoreLedger(bytes: Uint8Array): LedgerState {
  const r = SnapshotSchema.safeParse(decode(bytes))
  if (!r.success) throw new AgoraError('BAD_SNAPSHOT', `not a ledger snapshot: ${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message}`)
  const c = r.data
  const evals: EvalState = { submissions: new Map(), pending: c.evals.pending, miners: c.evals.miners, minerUid: new Map(c.evals.miners.map((m, i) => [m, i])), results: new Map() }
  for (const x of c.evals.subs) {
    const sub: SubmissionRecord = {
      ...x, committee: x.committee.map(([validator, power]) => ({ validator, power })),
      commits: x.commits.map(([validator, commitment]) => ({ validator, commitment })),
      reports: x.reports.map(([validator, score, fuelUsed, outputHash, ok, slot]) => ({ validator, score, fuelUsed, outputHash, ok, slot })),
      ...(x.final ? { final: x.final } : {}),
    }
    if (!x.final) delete sub.final
    evals.submissions.set(x.id, sub)
  }
  for (const res of c.evals.results) evals.results.set(res.epoch, res)
  return {
    height: c.height, lastBlockHash: c.lastBlockHash, lastSlot: c.lastSlot, forum: forum.restore(c.forum), evals,
    nonces: new Map(c.nonces), genesisChallenges: c.genesisChallenges,
    validatorKeys: new Map(c.validatorKeys.map(([m, blsPublicKey, evmAddress]) => [m, { blsPublicKey, evmAddress }])), epochSeed: c.epochSeed, prevEpochSeed: c.prevEpochSeed,
    challengeTable: c.challengeTable.map((r) => {
      const row: ChallengeRow = { id: r.id, moduleHash: r.moduleHash, emissionSharePpm: r.emissionSharePpm }
      if (r.committeeSize !== undefined) row.committeeSize = r.committeeSize
      if (r.policy) row.policy = r.policy
      return row
    }),
  }
}
