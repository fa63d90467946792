// Scores, weights and the Yuma epoch emulator: the pure functions the node calls (no I/O, no clock).
export { finalizeScore, isQuorum, type CommitteeMember, type ScoreReport, type ScoreFinality, type FinalizeOptions, type FinalityRule } from './finality.ts'
export { weightedMedian, DEFAULT_KAPPA_U16, U16_MAX } from './median.ts'
export { epochWeights, maxUpscaleU16, denseRow, checkWeights, type ChallengeShare, type BestScore, type WeightVector, type WeightRules } from './weights.ts'
export { runYumaEpoch, DEFAULT_YUMA_PARAMS, type YumaParams, type YumaEpochInput, type YumaEpochResult } from './yuma/epoch.ts'
export { type LiquidAlpha } from './yuma/liquid.ts'
export { parseYumaInput, runYumaEpochs, formatYumaEpoch, yumaInputSchema, type YumaInput } from './yuma/run.ts'
export { type Fixed, ONE as FIXED_ONE, fixedFromDecimal, toNumber as fixedToNumber, toU16Proportion } from './fixed.ts'
