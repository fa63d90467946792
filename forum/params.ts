// Governed parameters: one typed table with bounds and cross-constraints. Genesis supplies the initial
// values; a parameter-change post whose pool passes takes effect at the next epoch boundary. Every value is
// a safe integer (PPM for ratios) or a boolean, so the table encodes canonically.
import { AgoraError, assert } from '../core/errors.ts'
import { backstopFuelLimit } from '../registry/policy.ts'

export interface Params {
  slotMs: number
  epochSlots: number
  committeeSize: number
  poolDurationSlots: number
  quorumPpm: number
  winRatioPpm: number
  bindingPpm: number
  redistributeLosingStakes: boolean
  mintingRatioPpm: number
  stakeForAuthorPpm: number
  referenceChainLimit: number
  revaluationLimitPpm: number
  defaultFuelLimit: number
  maxFuelLimit: number
  defaultMemoryPages: number
  maxMemoryPages: number
  /** Fee (nano-units of the fee currency) a miner pays per submission. */
  submissionFee: number
  maxValidators: number
  availabilityMinLockEpochs: number
  availabilityMaxLockEpochs: number
  /** Governance pools (on a post with a parameter or lifecycle payload): member stakes / circulating REP. */
  govQuorumPpm: number
  /** Governance pools: member stakes in favour / all member stakes (minted halves do not vote). */
  govWinRatioPpm: number
  /** Governance pools: least fee (nano credits), so a proposal costs its proposer something. */
  govMinPoolFee: number
  /** Governance pools: least duration, so every operator's node sees the pool before it closes. */
  govMinDurationSlots: number
  /** A parameter changed at epoch e may next change at epoch e + govCooldownEpochs. */
  govCooldownEpochs: number
  /** Fee (nano credits) of a post, pool or challenge proposal sent by a member. */
  postFee: number
  /** Fee (nano credits) of any other member transaction (stakes, availability, business requests). */
  txFee: number
  /** Transactions a sender without credits may still send per epoch (fees waived), and the total over all senders. */
  freeTxsPerSender: number
  freeTxsPerEpoch: number
  /** Wall-clock budget (ms) of one evaluation and of fetching its payload: the commit window covers both. */
  evaluationBackstopMs: number
  payloadFetchMs: number
  /** Blocks after the commit window during which reports are revealed, before the median finalizes (named
   *  in slots when it counted slots; the governed name is kept, docs/GOVERNANCE.md). */
  revealWindowSlots: number
  /** REP a deviating report is bonded with in its dispute pool (capped at the validator's free REP). */
  disputeBond: number
  /** Fee (credits, paid by the system) of each validator's epoch evidence pool: mints REP for duties done. */
  evidenceFee: number
  /** Share of an equivocating validator's availability stake burned at once. */
  slashPpm: number
  /**
   * Slots a node that starts with an empty signer store watches for messages signed by its own keys before
   * it signs anything (doppelgänger guard): longer than a consensus round, so a running twin is seen.
   */
  doppelgangerGuardSlots: number
}
export type ParamKey = keyof Params

/**
 * DGF defaults for ordinary pools (mintingRatio 1, stakeForAuthor 1/2, winRatio 1/2, quorum 0, binding 1,
 * chain limit 3); governance pools use the stricter gov* values (docs/GOVERNANCE.md says why).
 */
export const DEFAULT_PARAMS: Readonly<Params> = Object.freeze({
  slotMs: 2000,
  epochSlots: 32,
  committeeSize: 4,
  poolDurationSlots: 16,
  quorumPpm: 0,
  winRatioPpm: 500_000,
  bindingPpm: 1_000_000,
  redistributeLosingStakes: true,
  mintingRatioPpm: 1_000_000,
  stakeForAuthorPpm: 500_000,
  referenceChainLimit: 3,
  revaluationLimitPpm: 1_000_000,
  // The most the default backstop lets a run spend at the slowest metered rate (asserted below).
  defaultFuelLimit: 900_000_000,
  maxFuelLimit: 100_000_000_000,
  defaultMemoryPages: 16,
  maxMemoryPages: 1024,
  submissionFee: 0,
  maxValidators: 100,
  availabilityMinLockEpochs: 2,
  availabilityMaxLockEpochs: 1000,
  govQuorumPpm: 100_000,
  govWinRatioPpm: 666_667,
  govMinPoolFee: 10_000_000_000,
  govMinDurationSlots: 32,
  govCooldownEpochs: 4,
  postFee: 1_000_000,
  txFee: 100_000,
  freeTxsPerSender: 4,
  freeTxsPerEpoch: 256,
  evaluationBackstopMs: 10_000,
  payloadFetchMs: 15_000,
  revealWindowSlots: 5,
  disputeBond: 10_000_000_000,
  evidenceFee: 1_000_000_000,
  slashPpm: 100_000,
  doppelgangerGuardSlots: 6,
})
// A default budget the default backstop cuts off before it is spent would end honest runs without a result
// (the registry refuses such a manifest: registry/manifest.ts checkPolicyLimits).
assert(DEFAULT_PARAMS.defaultFuelLimit <= backstopFuelLimit(DEFAULT_PARAMS.evaluationBackstopMs), 'defaultFuelLimit fits the default evaluation backstop')

type Bound = { kind: 'int'; min: number; max: number } | { kind: 'bool' }
const int = (min: number, max: number): Bound => ({ kind: 'int', min, max })

/** Inclusive bounds per parameter. A value outside them is refused when a change is posted. */
export const PARAM_BOUNDS: Readonly<Record<ParamKey, Bound>> = Object.freeze({
  slotMs: int(100, 600_000),
  epochSlots: int(2, 1_000_000),
  committeeSize: int(1, 1024),
  poolDurationSlots: int(1, 10_000_000),
  quorumPpm: int(0, 1_000_000),
  winRatioPpm: int(1, 1_000_000),
  bindingPpm: int(0, 1_000_000),
  redistributeLosingStakes: { kind: 'bool' },
  mintingRatioPpm: int(0, 1_000_000_000),
  stakeForAuthorPpm: int(0, 1_000_000),
  referenceChainLimit: int(0, 16),
  revaluationLimitPpm: int(0, 1_000_000),
  defaultFuelLimit: int(1_000, 1_000_000_000_000),
  maxFuelLimit: int(1_000, 1_000_000_000_000),
  defaultMemoryPages: int(1, 65_536),
  maxMemoryPages: int(1, 65_536),
  submissionFee: int(0, Number.MAX_SAFE_INTEGER),
  maxValidators: int(1, 10_000),
  availabilityMinLockEpochs: int(1, 100_000),
  availabilityMaxLockEpochs: int(1, 100_000),
  govQuorumPpm: int(0, 1_000_000),
  govWinRatioPpm: int(1, 1_000_000),
  govMinPoolFee: int(0, Number.MAX_SAFE_INTEGER),
  govMinDurationSlots: int(1, 10_000_000),
  govCooldownEpochs: int(0, 100_000),
  postFee: int(0, Number.MAX_SAFE_INTEGER),
  txFee: int(0, Number.MAX_SAFE_INTEGER),
  freeTxsPerSender: int(0, 1_000_000),
  freeTxsPerEpoch: int(0, 1_000_000),
  evaluationBackstopMs: int(0, 600_000),
  payloadFetchMs: int(0, 600_000),
  revealWindowSlots: int(1, 10_000),
  disputeBond: int(0, Number.MAX_SAFE_INTEGER),
  evidenceFee: int(0, Number.MAX_SAFE_INTEGER),
  slashPpm: int(0, 1_000_000),
  doppelgangerGuardSlots: int(0, 10_000),
})

export const PARAM_KEYS = Object.freeze(Object.keys(PARAM_BOUNDS).sort() as ParamKey[])

export function isParamKey(k: string): k is ParamKey {
  return Object.prototype.hasOwnProperty.call(PARAM_BOUNDS, k)
}

/** Check one value against its bounds; throws BAD_PARAM naming the parameter. */
export function checkParamValue(key: string, value: unknown): void {
  if (!isParamKey(key)) throw new AgoraError('BAD_PARAM', `unknown parameter ${JSON.stringify(key)}`)
  const b = PARAM_BOUNDS[key]
  if (b.kind === 'bool') {
    if (typeof value !== 'boolean') throw new AgoraError('BAD_PARAM', `parameter ${key} must be a boolean`)
    return
  }
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new AgoraError('BAD_PARAM', `parameter ${key} must be an integer`)
  if (value < b.min || value > b.max) throw new AgoraError('BAD_PARAM', `parameter ${key}=${value} out of bounds [${b.min}, ${b.max}]`)
}

/** Relations between parameters that must hold for the whole table (checked on posting and on activation). */
export function checkCrossConstraints(p: Params): void {
  const fail = (msg: string) => { throw new AgoraError('BAD_PARAM', `parameter constraint violated: ${msg}`) }
  // A pool must resolve while the stakes that voted in it are still locked as availability (on a chain that
  // keeps up; when blocks come slots apart a pool's block count stretches it past its slots, pool-window.ts).
  if (p.poolDurationSlots >= p.availabilityMinLockEpochs * p.epochSlots) fail('poolDurationSlots < availabilityMinLockEpochs × epochSlots')
  if (p.committeeSize > p.maxValidators) fail('committeeSize ≤ maxValidators')
  if (p.defaultFuelLimit > p.maxFuelLimit) fail('defaultFuelLimit ≤ maxFuelLimit')
  if (p.defaultMemoryPages > p.maxMemoryPages) fail('defaultMemoryPages ≤ maxMemoryPages')
  if (p.availabilityMinLockEpochs > p.availabilityMaxLockEpochs) fail('availabilityMinLockEpochs ≤ availabilityMaxLockEpochs')
  if (p.freeTxsPerSender > p.freeTxsPerEpoch) fail('freeTxsPerSender ≤ freeTxsPerEpoch')
}

/**
 * Blocks a committee has to commit to its reports after a submission's block: sized in slots, as one
 * evaluation's wall-clock backstop plus fetching its payload (peers, then the DHT), rounded up, plus the
 * inclusion slot, and counted in blocks. A chain decides at most one block per slot, so the window never
 * lasts fewer slots; when blocks are fewer than slots (load, a hand-over) it stretches until enough blocks
 * could carry the commits and reveals.
 */
export const commitWindowBlocks = (p: Params): number => Math.ceil((p.evaluationBackstopMs + p.payloadFetchMs) / p.slotMs) + 1
/** Blocks from a submission's block until the median finalizes it whatever was revealed. */
export const evaluationDeadlineBlocks = (p: Params): number => commitWindowBlocks(p) + p.revealWindowSlots

/** Validate a full table (genesis) or a partial change merged over `base`. Returns the merged table. */
export function mergeParams(base: Params, changes: Readonly<Record<string, unknown>>): Params {
  const out: Params = { ...base }
  for (const key of Object.keys(changes).sort()) {
    const v = changes[key]
    checkParamValue(key, v)
    ;(out as unknown as Record<string, unknown>)[key] = v
  }
  checkCrossConstraints(out)
  return out
}
