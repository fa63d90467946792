// The WASM runtime's public surface: policy, metering, in-process evaluation, the worker-pool service,
// and the challenge-score reader the node uses.
export { DEFAULT_POLICY, HOST_FUNCTIONS, parsePolicy, policyToJson, runtimePolicySchema, type RuntimePolicy, type RuntimePolicyInput, type HostFunctionName } from './policy.ts'
export { meterModule, DEFAULT_INITIAL_FUEL, type MeterOptions } from './meter.ts'
export { evaluateInProcess, ModuleCache, type EvaluationRequest, type EvaluationResult, type EvaluationError } from './execute.ts'
export { createExecutionService, DEFAULT_MAX_QUEUED_JOBS, ServiceErrorCode, type ExecutionService, type ExecutionServiceOptions, type ServiceResult } from './service.ts'
export { challengeScore, challengeDetail, MAX_SCORE_PPM } from './score.ts'
export { auditHash, policyHash, type AuditRecord } from './audit.ts'
export { DEFAULT_ENTRY, FUEL_GLOBAL, STACK_GLOBAL, HOST_MODULE, HOST_SIGNATURES, NestedStatus } from './abi.ts'
