// Liquid alpha (consensus-based bond EMA rate) as subtensor's Yuma 3 computes it per (validator, miner):
// alpha = low + sigmoid·(high − low), sigmoid = 1 / (1 + e^(−steepness/100 · (diff − 1/2))), where diff
// is how far the validator's weight runs ahead of consensus (buying) or its bond above its weight (selling).
import { type Fixed, HALF, ONE, div, logistic, mul } from '../../../../ledger/scoring/fixed.ts'

export interface LiquidAlpha {
  readonly low: Fixed
  readonly high: Fixed
  readonly steepness: Fixed
}

const clamp = (v: Fixed, lo: Fixed, hi: Fixed): Fixed => (v > hi ? hi : v < lo ? lo : v)

/** A function of (consensus, weight, bond) → alpha, with the steepness factor computed once. */
export function alphaSigmoid(p: LiquidAlpha): (consensus: Fixed, weight: Fixed, bond: Fixed) => Fixed {
  const scale = div(p.steepness, -100 * ONE)
  const span = p.high - p.low
  return (consensus, weight, bond) => {
    const diff = weight >= bond ? clamp(weight - consensus, 0, ONE) : clamp(bond - weight, 0, ONE)
    const sigmoid = logistic(mul(scale, diff - HALF))
    return clamp(p.low + mul(sigmoid, span), p.low, p.high)
  }
}
