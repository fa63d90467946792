// Hard safety envelopes: ranges no governance vote can move a parameter out of, whatever its support.
// PARAM_BOUNDS say what a value may be at all (genesis included); the envelope says what a *change* may
// reach, so that capturing one vote can never switch off the rules that keep the network honest and live.
import { AgoraError } from '../core/errors.ts'
import type { ParamKey, Params } from './params.ts'

type Range = readonly [min: number, max: number]

/** Inclusive ranges a governed change must land in (docs/GOVERNANCE.md gives the reason for each). */
export const SAFETY_ENVELOPE: Readonly<Partial<Record<ParamKey, Range>>> = Object.freeze({
  // A pool never passes with less support than against it.
  winRatioPpm: [500_000, 1_000_000],
  // Governance keeps a real quorum and a supermajority.
  govQuorumPpm: [50_000, 1_000_000],
  govWinRatioPpm: [600_000, 1_000_000],
  govMinDurationSlots: [8, 10_000_000],
  govCooldownEpochs: [1, 100_000],
  // Minting stays within ×1/4 … ×4 of the fee: no vote can print REP at will or stop rewarding work.
  mintingRatioPpm: [250_000, 4_000_000],
  stakeForAuthorPpm: [100_000, 900_000],
  // BFT needs n ≥ 3f + 1 with f ≥ 1: at least 4 evaluators and room for 4 validators.
  committeeSize: [4, 1024],
  maxValidators: [4, 10_000],
  // Slots long enough for a consensus round trip, short enough that the network stays responsive.
  slotMs: [500, 60_000],
  epochSlots: [8, 100_000],
  poolDurationSlots: [4, 10_000_000],
  // Equivocation always costs the offender something.
  slashPpm: [10_000, 1_000_000],
  revealWindowSlots: [2, 10_000],
  evaluationBackstopMs: [1_000, 600_000],
  payloadFetchMs: [1_000, 600_000],
  freeTxsPerEpoch: [0, 10_000],
})

/** Refuse a change that moves any parameter outside its envelope (code OUTSIDE_ENVELOPE). */
export function checkEnvelope(next: Params, changed: readonly string[]): void {
  for (const k of [...changed].sort()) {
    const r = SAFETY_ENVELOPE[k as ParamKey]
    if (!r) continue
    const v = next[k as ParamKey] as number
    if (v < r[0] || v > r[1]) throw new AgoraError('OUTSIDE_ENVELOPE', `parameter ${k}=${v} outside the safety envelope [${r[0]}, ${r[1]}]`)
  }
}
