import { defineConfig } from 'vitest/config'
import { SuiteSequencer } from './test/helpers/sequencer.ts'

// One run, two projects side by side in one pool of 4 workers on a 2-core machine:
// - e2e: the tests that start real networks of OS processes. In `npm test` they run as two lanes
//   (test/e2e/lanes.ts: lane-1/lane-2.test.ts import their files), so at most two devnets run at once,
//   each lane's files one after another; the sequencer starts the lanes first.
// - unit: pure and in-process tests on the other two workers, at a lower CPU priority
//   (test/helpers/unit-priority.ts), so the devnets' 1 s slots are not starved by them.
// Devnets are wall-clock bound (slots) and use well under a core each: the unit tests fill the rest.
const PROCESS_TESTS = ['test/e2e/**/*.test.ts', 'test/**/*.e2e.test.ts', 'test/dashboard/**/*.test.ts']
// Long or not-yet-passing runs, only under `npm run test:soak` (AGORA_SOAK=1): the spam burst does not yet
// keep ≥ 80 % of slots decided (see the hardening issue's note), so it cannot gate `npm test`.
const SOAK_TESTS = ['test/e2e/spam.test.ts']
const soak = process.env.AGORA_SOAK === '1'
/** Two lanes + two unit workers (one group shares one pool, so both projects name the same count). */
const WORKERS = 4
const shared = {
  testTimeout: 60_000,
  hookTimeout: 60_000,
  pool: 'forks' as const,
  maxWorkers: soak ? 1 : WORKERS,
}

export default defineConfig({
  test: {
    sequence: { sequencer: SuiteSequencer },
    projects: [
      { test: { ...shared, name: 'unit', include: ['test/**/*.test.ts'], exclude: PROCESS_TESTS, setupFiles: ['./core/polyfill.js', './test/helpers/unit-priority.ts'] } },
      { test: { ...shared, name: 'e2e', include: soak ? SOAK_TESTS : PROCESS_TESTS, exclude: soak ? [] : SOAK_TESTS, setupFiles: ['./core/polyfill.js'] } },
    ],
  },
})
