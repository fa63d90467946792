// A schedule's faults, all drawn from its seed: network drops, duplicates, delays with jitter (hence
// reordering), a partition that heals, crashes with restart, and byzantine validators holding < 1/3
// power. After GST (global stabilisation time) the network is synchronous and every node is up.
import type { ValidatorSet } from '../../validator/consensus/index.ts'
import type { Rng } from './prng.ts'

export type Strategy = 'silent' | 'equivocate' | 'invalid' | 'replay' | 'mixed'
export const STRATEGIES: readonly Strategy[] = ['silent', 'equivocate', 'invalid', 'replay', 'mixed']

export interface FaultPlan {
  readonly gst: number
  readonly dropRate: number
  readonly dupRate: number
  readonly baseDelay: number
  readonly jitter: number
  /** Delay bound after GST (ms). */
  readonly syncDelay: number
  readonly partition?: { readonly start: number; readonly end: number; readonly side: ReadonlySet<string> }
  readonly crashes: readonly { readonly id: string; readonly at: number; readonly restartAt: number }[]
  readonly byzantine: ReadonlyMap<string, Strategy>
}

export function planFaults(rng: Rng, set: ValidatorSet, byzantineCount: number, strategy?: Strategy): FaultPlan {
  const ids = set.validators.map((v) => v.id)
  const gst = rng.range(1000, 3000)
  const byzantine = new Map<string, Strategy>()
  let byzPower = 0n
  for (const id of rng.shuffle(ids)) {
    if (byzantine.size >= byzantineCount) break
    const p = set.byId(id)!.power
    if ((byzPower + p) * 3n >= set.totalPower) continue // keep the adversary strictly below 1/3
    byzPower += p
    byzantine.set(id, strategy ?? rng.pick(STRATEGIES))
  }
  const honest = ids.filter((id) => !byzantine.has(id))
  let partition: FaultPlan['partition']
  if (rng.chance(0.4)) {
    const start = rng.range(0, Math.floor(gst / 2))
    const side = new Set(rng.shuffle(ids).slice(0, rng.range(1, ids.length - 1)))
    partition = { start, end: rng.range(start + 100, gst), side }
  }
  const crashes: { id: string; at: number; restartAt: number }[] = []
  if (rng.chance(0.4)) {
    for (const id of rng.shuffle(honest).slice(0, rng.range(1, Math.min(2, honest.length)))) {
      const at = rng.range(0, gst - 200)
      crashes.push({ id, at, restartAt: rng.range(at + 50, gst) })
    }
  }
  return {
    gst,
    dropRate: rng.next() * 0.3,
    dupRate: rng.next() * 0.2,
    baseDelay: rng.range(1, 10),
    jitter: rng.range(0, 60),
    syncDelay: 20,
    ...(partition ? { partition } : {}),
    crashes,
    byzantine,
  }
}

export function describeFaults(p: FaultPlan): string {
  const byz = [...p.byzantine].map(([id, s]) => `${id}:${s}`).join(',') || 'none'
  const part = p.partition ? `partition ${p.partition.start}-${p.partition.end}ms [${[...p.partition.side].join(',')}]` : 'no partition'
  const crashes = p.crashes.map((c) => `${c.id}@${c.at}-${c.restartAt}ms`).join(',') || 'none'
  return `gst ${p.gst}ms, drop ${p.dropRate.toFixed(2)}, dup ${p.dupRate.toFixed(2)}, delay ${p.baseDelay}+${p.jitter}ms, ${part}, crashes ${crashes}, byzantine ${byz}`
}
