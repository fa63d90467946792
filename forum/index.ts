// Public API of the forum state machine (what the node's ledger, API and scheduler import).
export { applyTx, applyTxOrThrow, resolveDuePools, type TxContext, type TxResult } from './apply.ts'
export { advanceTo, onEpochBoundary } from './epoch.ts'
export type { ForumEvent } from './events.ts'
export { resolvePool, duePools, stakesOf, openDisputePool } from './pool.ts'
export { poolDue, poolOpen } from './pool-window.ts'
export { assignCommittee, type WeightedMember } from './committee.ts'
export { snapshot, restore } from './codec.ts'
export { stateRoot, forumTree, FORUM_ROOT_TAG } from './root.ts'
export { nextEpochParams } from './governance.ts'
export { SAFETY_ENVELOPE, checkEnvelope } from './envelope.ts'
export { chargeFee, feeOf, type FeeClass } from './fees.ts'
export { commitWindowBlocks, evaluationDeadlineBlocks } from './params.ts'
export { DEFAULT_PARAMS, PARAM_BOUNDS, PARAM_KEYS, checkParamValue, checkCrossConstraints, mergeParams, type Params, type ParamKey } from './params.ts'
export {
  createState, cloneState, balanceOf, lockedOf, freeOf, creditsOf, totalSupply, circulatingSupply, sumOfBalances,
  computeValidatorSet, type ForumState, type Genesis, type Account, type PostRecord, type PoolRecord, type PoolOutcome,
  type Citation, type Author, type AvailabilityStake, type Validator, type Totals, type SlashRecord,
} from './state.ts'
export * from './tx.ts'
export { runScenario, ScenarioSchema, type Scenario, type ScenarioOutput } from './scenario.ts'
