// 500 seeded schedules of the real engine under faults (drops, duplicates, reordering, partitions,
// crashes with restart, byzantine validators < 1/3 power), n = 4, 7, 16, equal and very unequal powers.
// The simulator uses a cheap test signer (see test-crypto.ts); a few schedules run with real ed25519.
import { describe, expect, it } from 'vitest'
import { replayCommand, runSchedule, type SimConfig } from './simulate.ts'

const suites: { name: string; seeds: number; cfg: Omit<SimConfig, 'seed'> }[] = [
  { name: 'n=4 equal', seeds: 120, cfg: { validators: 4, byzantine: 1, heights: 3 } },
  { name: 'n=4 one at 30%', seeds: 100, cfg: { validators: 4, byzantine: 1, heights: 3, powers: [9n, 7n, 7n, 7n] } },
  { name: 'n=7 equal', seeds: 100, cfg: { validators: 7, byzantine: 2 } },
  { name: 'n=7 unequal 1,1,1,1,5,5,10', seeds: 80, cfg: { validators: 7, byzantine: 2, powers: [1n, 1n, 1n, 1n, 5n, 5n, 10n] } },
  { name: 'n=16 equal', seeds: 50, cfg: { validators: 16, byzantine: 5 } },
  { name: 'n=16 one at 30%', seeds: 50, cfg: { validators: 16, byzantine: 5, powers: [45n, ...Array(15).fill(7n)] } },
]

describe('consensus simulator', () => {
  for (const s of suites) {
    it(`${s.name}: ${s.seeds} seeds, no safety or liveness violation`, async () => {
      const failures: string[] = []
      let decisions = 0
      for (let seed = 1; seed <= s.seeds; seed++) {
        const cfg = { seed, ...s.cfg }
        const r = await runSchedule(cfg)
        decisions += r.decisions
        if (r.violations.length) failures.push(`seed ${seed}: ${r.violations.join('; ')}\n  faults: ${r.faults}\n  replay: ${replayCommand(cfg)}`)
      }
      expect(failures, failures.join('\n')).toEqual([])
      const honest = s.cfg.validators - s.cfg.byzantine
      expect(decisions).toBeGreaterThanOrEqual(s.seeds * (s.cfg.heights ?? 2) * (honest - 1))
    })
  }

  it('replays a seed exactly', async () => {
    const cfg: SimConfig = { seed: 42, validators: 7, byzantine: 2 }
    const [a, b] = [await runSchedule(cfg), await runSchedule(cfg)]
    expect(b).toEqual(a)
    expect((await runSchedule({ ...cfg, seed: 43 })).faults).not.toEqual(a.faults)
  })

  it('runs with real ed25519 signatures too', async () => {
    for (let seed = 1; seed <= 4; seed++) {
      const r = await runSchedule({ seed, validators: 4, byzantine: 1, crypto: 'ed25519' })
      expect(r.violations).toEqual([])
      expect(r.decisions).toBe(6)
    }
  })
})
