// One Yuma-consensus epoch as subtensor's run_epoch.rs computes it: stake normalisation, active-stake
// masking, row-normalised weights (self-weight masked), stake-weighted median consensus per miner,
// clipping, validator trust, ranks/trust/incentive, bonds (original Yuma: column-normalised W∘S EMA;
// Yuma 3: per-validator bond proportions with EMA, optionally liquid alpha), dividends and the emission
// split. Everything in exact I32F32 (../fixed.ts, on the fast paths of ./exact.ts); the matrix work runs a
// miner column at a time in the WASM kernel (./kernel.ts, i64 integer arithmetic). Not modelled: registration/outdated-weight masks,
// minimum stake, max validators (the caller's `validators` are the permit holders), the owner uid.
import { AgoraError } from '../../../core/errors.ts'
import { type Fixed, ONE, div, normalizeInPlace, ratio, sum } from '../fixed.ts'
import { U16_MAX } from '../median.ts'
import { type ColumnsInput, type U16Rows, kernelColumns, kernelDividends } from './kernel.ts'
import { fdiv, fmul } from './exact.ts'
import { type LiquidAlpha, liquidAlphaRate } from './liquid.ts'

export interface YumaParams {
  /** Majority ratio for consensus, u16 (32767 ≈ 0.5). */
  readonly kappa: number
  /** Bond EMA memory in PPM (900000 → alpha 0.1). */
  readonly bondsMovingAverage: number
  /** u16: 0 → bonds follow raw weights, 65535 → clipped weights. */
  readonly bondsPenalty: number
  readonly yuma3: boolean
  /** Only Yuma 3 uses it, as in subtensor (original Yuma runs with liquid alpha disabled). */
  readonly liquidAlpha: LiquidAlpha | null
}

export const DEFAULT_YUMA_PARAMS: YumaParams = { kappa: 32767, bondsMovingAverage: 900_000, bondsPenalty: U16_MAX, yuma3: false, liquidAlpha: null }

export interface YumaEpochInput {
  /** Stake per uid (n = stake.length), any integer unit. */
  readonly stake: readonly bigint[]
  /** Uids holding a validator permit; row k of `weights` and `bonds` belongs to validators[k]. */
  readonly validators: readonly number[]
  /** u16 weight rows, one per validator, n entries each. */
  readonly weights: U16Rows
  /** Uids active this epoch (others' stake is masked). */
  readonly active: readonly number[]
  /** The previous epoch's stored u16 bonds (rows as `weights`); omitted = all zero. */
  readonly bonds?: U16Rows
  /** Emission to split this epoch (integer units, e.g. rao). */
  readonly emission: bigint
}

/** Vectors are per uid (length n) in raw I32F32; matrices are per validator row. */
export interface YumaEpochResult {
  readonly stake: Float64Array
  readonly activeStake: Float64Array
  readonly consensus: Float64Array
  readonly validatorTrust: Float64Array
  readonly ranks: Float64Array
  readonly trust: Float64Array
  readonly incentive: Float64Array
  readonly dividends: Float64Array
  /** Bonds as subtensor stores them (u16; original Yuma column max-upscaled, Yuma 3 proportions), one row per validator. */
  readonly bonds: Uint16Array[]
  readonly serverEmission: bigint[]
  readonly validatorEmission: bigint[]
  /** Combined (server + validator share of the normalised total), as subtensor's Emission storage. */
  readonly emission: bigint[]
  readonly liquidAlphaApplied: boolean
}

export function runYumaEpoch(params: YumaParams, input: YumaEpochInput): YumaEpochResult {
  checkInput(params, input)
  const n = input.stake.length
  const vals = input.validators
  checkU16Rows('weights', input.weights, vals.length, n)
  const bonds = input.bonds ?? null
  if (bonds) checkU16Rows('bonds', bonds, vals.length, n)

  // Stake, normalised (I64F64 then truncated to I32F32 ⇒ floor(s·2^32/Σs)).
  const totalStake = input.stake.reduce((a, b) => a + b, 0n)
  const stake = Float64Array.from(input.stake, (s) => ratio(s, totalStake))
  // Active stake: only active permit holders, renormalised.
  const isActive = new Set(input.active)
  const activeStake = new Float64Array(n)
  for (const uid of vals) if (isActive.has(uid)) activeStake[uid] = stake[uid]!
  normalizeInPlace(activeStake)
  const rowStake = Float64Array.from(vals, (uid) => activeStake[uid]!)

  const pass: ColumnsInput = {
    weights: input.weights, self: vals, bonds, stake: rowStake, cols: n, kappa: div(params.kappa * ONE, U16_MAX * ONE), yuma3: params.yuma3,
    penalty: div(params.bondsPenalty * ONE, U16_MAX * ONE), alpha: ONE - ratio(BigInt(params.bondsMovingAverage), 1_000_000n),
    liquid: params.yuma3 && params.liquidAlpha ? liquidAlphaRate(params.liquidAlpha) : null,
  }
  let columns = kernelColumns(pass)
  // Liquid alpha applies only when some consensus is non-zero, which is known after the pass: otherwise
  // the bonds are recomputed with the plain alpha (every median zero: a network where nobody agrees).
  const liquidAlphaApplied = pass.liquid !== null && columns.consensus.some((c) => c !== 0)
  if (pass.liquid && !liquidAlphaApplied) columns = kernelColumns({ ...pass, liquid: null })
  const { preranks, consensus, ranks, trust: trustRows, stored: storedBonds } = columns
  const trust = ranks.map((r, j) => fdiv(r, preranks[j]!))
  normalizeInPlace(ranks)
  const incentive = Float64Array.from(ranks)

  const bondValue = kernelDividends(incentive)
  const dividendRows = params.yuma3 ? bondValue.map((b, k) => fmul(b, rowStake[k]!)) : bondValue
  normalizeInPlace(dividendRows)
  const dividends = new Float64Array(n)
  const validatorTrust = new Float64Array(n)
  vals.forEach((uid, k) => { dividends[uid] = dividendRows[k]!; validatorTrust[uid] = trustRows[k]! })

  const { serverEmission, validatorEmission, emission } = splitEmission(incentive, dividends, stake, activeStake, input.emission)
  return { stake, activeStake, consensus, validatorTrust, ranks, trust, incentive, dividends, bonds: storedBonds, serverEmission, validatorEmission, emission, liquidAlphaApplied }
}

const isU16 = (x: number) => Number.isInteger(x) && x >= 0 && x <= U16_MAX

/** Malformed rows (count, length, an entry not a u16) are reported as `checkRows` does; Uint16Array rows hold u16s by type. */
function checkU16Rows(name: string, rows: U16Rows, v: number, n: number): void {
  if (rows.length !== v || rows.some((row) => row.length !== n)) checkRows(name, rows, v, n)
  for (let k = 0; k < v; k++) {
    const row = rows[k]!
    if (row instanceof Uint16Array) continue
    for (let j = 0; j < n; j++) {
      const x = row[j]!
      if ((x & 0xffff) !== x) checkRows(name, rows, v, n) // not an integer in [0, 65535]
    }
  }
}

/** Throws the first problem of malformed rows, in row order. */
function checkRows(name: string, rows: U16Rows, v: number, n: number): void {
  const bad = (msg: string): never => { throw new AgoraError('BAD_YUMA_INPUT', msg) }
  if (rows.length !== v) bad(`${name}: ${rows.length} rows for ${v} validators`)
  rows.forEach((row, k) => {
    if (row.length !== n) bad(`${name}[${k}]: ${row.length} entries, want one per uid (${n})`)
    for (let j = 0; j < row.length; j++) if (!isU16(row[j]!)) bad(`${name}[${k}]: ${row[j]} is not a u16`)
  })
}

/** Servers get incentive, validators dividends, both over Σ(incentive + dividends); all-zero ⇒ by stake. */
function splitEmission(incentive: Float64Array, dividends: Float64Array, stake: Float64Array, activeStake: Float64Array, total: bigint) {
  const combined = incentive.map((x, i) => x + dividends[i]!)
  const emissionSum = sum(combined)
  let server: Float64Array = incentive
  let validator: Float64Array = dividends
  let both: Float64Array = Float64Array.from(combined)
  if (emissionSum !== 0) {
    server = incentive.map((x) => div(x, emissionSum))
    validator = dividends.map((x) => div(x, emissionSum))
    normalizeInPlace(both)
  } else {
    const fallback = sum(activeStake) === 0 ? stake : activeStake
    validator = fallback
    both = fallback
  }
  const share = (x: Fixed) => (BigInt(x) * total) >> 32n
  return { serverEmission: Array.from(server, share), validatorEmission: Array.from(validator, share), emission: Array.from(both, share) }
}

function checkInput(p: YumaParams, input: YumaEpochInput): void {
  const bad = (msg: string): never => { throw new AgoraError('BAD_YUMA_INPUT', msg) }
  if (!isU16(p.kappa)) bad(`kappa must be a u16, got ${p.kappa}`)
  if (!isU16(p.bondsPenalty)) bad(`bondsPenalty must be a u16, got ${p.bondsPenalty}`)
  if (!Number.isInteger(p.bondsMovingAverage) || p.bondsMovingAverage < 0 || p.bondsMovingAverage > 1_000_000) bad(`bondsMovingAverage must be PPM in [0, 1000000], got ${p.bondsMovingAverage}`)
  if (p.liquidAlpha && !(p.liquidAlpha.low >= 0 && p.liquidAlpha.low <= p.liquidAlpha.high && p.liquidAlpha.high <= ONE)) bad('liquidAlpha needs 0 ≤ low ≤ high ≤ 1')
  const n = input.stake.length
  if (n === 0 || n > U16_MAX + 1) bad(`need 1 … 65536 uids, got ${n}`)
  if (input.stake.some((s) => s < 0n)) bad('stake must be non-negative')
  if (input.emission < 0n) bad('emission must be non-negative')
  const seen = new Set<number>()
  for (const uid of input.validators) {
    if (!Number.isInteger(uid) || uid < 0 || uid >= n) bad(`validator uid ${uid} outside 0 … ${n - 1}`)
    if (seen.has(uid)) bad(`validator uid ${uid} listed twice`)
    seen.add(uid)
  }
  for (const uid of input.active) if (!Number.isInteger(uid) || uid < 0 || uid >= n) bad(`active uid ${uid} outside 0 … ${n - 1}`)
}
