import { defineConfig } from 'vitest/config'
import { SuiteSequencer } from './test/helpers/sequencer.ts'

// One group on the two cores: the simulator's two files first (CPU-bound, ~25 s each, one per core), then
// the e2e lane (test/e2e/lanes.ts: one lane file imports the tests that start real networks of OS
// processes, one after another; the sequencer, test/helpers/sequencer.ts, orders the run and drops the
// lane's files when the lane runs) on one worker beside the other unit files on the other. The unit workers
// run at a lower CPU priority (test/helpers/unit-priority.ts): a devnet keeps slot time, the unit files
// take what it leaves. Measured quiet on 2 cores (vitest wall): units then e2e 307 s; the lane beside the
// units from the start 287 s (the simulator files, behind the devnets, took 109 s of their 120 s timeout);
// simulator first, then the lane beside the rest 244 s.
// Tried and not kept: the e2e lane beside 2 unit workers, at a higher CPU priority (the lane took 320 s
// instead of ~220 s, the simulator files timed out at 120 s, the suite took 385 s);
// two e2e lanes side by side after the units (266 s against 226 s for the e2e, and the netns file failed);
// both lanes beside the units at equal priority (4 workers: units timed out, devnets missed slots, 693 s).
const PROCESS_TESTS = ['test/e2e/**/*.test.ts', 'test/**/*.e2e.test.ts', 'test/dashboard/**/*.test.ts']
// Longer runs, only under `npm run test:soak` (AGORA_SOAK=1): the spam burst (~45 s; every slot decided in
// 3 of 3 quiet runs since the signer journal and the validation shares), the 5-validator governance devnet
// (~60 s) and the validator-set + registry devnet (~70 s; passing since the round-change fix of issue #17).
// Together ~3 minutes the suite's 5 do not have beside the ~4 it takes.
const SOAK_TESTS = ['test/e2e/spam.test.ts', 'test/e2e/governance.test.ts', 'test/e2e/validator-set.test.ts']
const soak = process.env.AGORA_SOAK === '1'
const shared = {
  testTimeout: 60_000,
  hookTimeout: 60_000,
  pool: 'forks' as const,
}
// Unit files that run without isolation: a worker keeps its module cache from one file to the next, so the
// heavy imports (libp2p, graphql-yoga, ethers, RocksDB) load once per worker, not once per file (the whole
// unit project without isolation took 92 s against ~169 s isolated). Left isolated: files that mock a module
// (test/sim), that failed when sharing a worker (test/ops/metrics: the process-wide metrics registry;
// test/devnet/nodes-cli), and test/api, whose real nodes register process-wide metrics, until each is seen
// passing here. test/ledger (no mocks, no globals, no timers) shares.
const UNIT_ISOLATED = ['test/sim/**/*.test.ts', 'test/ops/metrics.test.ts', 'test/devnet/nodes-cli.test.ts']

export default defineConfig({
  test: {
    sequence: { sequencer: SuiteSequencer },
    projects: [
      // The three projects share one pool of 2 workers (same groupOrder and maxWorkers: vitest puts a project
      // of maxWorkers 1 in a group of its own, after the others); the sequencer queues the shared project's
      // files one after another, since a worker is reused only while the next file is of its project. Under
      // test:soak the e2e files run alone, one at a time. (Two e2e files named on the command line outside
      // the lane would run side by side.)
      { test: { ...shared, name: 'unit', include: UNIT_ISOLATED, setupFiles: ['./core/polyfill.js', './test/helpers/unit-priority.ts'], maxWorkers: 2, sequence: { groupOrder: 0 } } },
      { test: { ...shared, name: 'unit-shared', isolate: false, include: ['test/**/*.test.ts'], exclude: [...PROCESS_TESTS, ...UNIT_ISOLATED], setupFiles: ['./core/polyfill.js', './test/helpers/unit-priority.ts'], maxWorkers: 2, sequence: { groupOrder: 0 } } },
      { test: { ...shared, name: 'e2e', include: soak ? SOAK_TESTS : PROCESS_TESTS, exclude: soak ? [] : SOAK_TESTS, setupFiles: ['./core/polyfill.js'], maxWorkers: soak ? 1 : 2, sequence: { groupOrder: soak ? 1 : 0 } } },
    ],
  },
})
