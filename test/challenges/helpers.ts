// Runs a bundled challenge in-process on a payload and decodes score and detail.
import { loadChallenge } from '../../challenges/index.ts'
import { sha256 } from '../../core/hash.ts'
import { evaluateInProcess, type EvaluationResult } from '../../validator/infra/runtime/execute.ts'
import { challengeDetail, challengeScore } from '../../validator/infra/runtime/score.ts'

export const seedOf = (label: string): Uint8Array => sha256(new TextEncoder().encode(label))

export function runChallenge(name: string, payload: Uint8Array, seed: Uint8Array): { result: EvaluationResult; score: bigint; detail: DataView } {
  const ch = loadChallenge(name)
  const result = evaluateInProcess({ module: ch.module, input: payload, seed, policy: ch.policy })
  if (!result.ok) throw new Error(`${name} failed: ${result.error?.code} ${result.error?.message}`)
  const d = challengeDetail(result.output)
  return { result, score: challengeScore(result.output), detail: new DataView(d.buffer, d.byteOffset, d.byteLength) }
}
