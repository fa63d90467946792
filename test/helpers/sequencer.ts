// The suite's file order: the two simulator files (one per core), then the e2e lane (the longest, wall-clock
// bound by slots: it runs on one worker beside the unit files on the other, vitest.config.ts), then the unit
// files known to be slow (longest first), then everything else as vitest orders it (slowest first from its
// cache, else the largest file), the non-isolated project's files kept together.
// A file that a lane in this run already imports is dropped, so it does not run twice; named alone on the
// command line (no lane in the run), it runs by itself.
import { relative } from 'node:path'
import { BaseSequencer, type TestSpecification } from 'vitest/node'
import { E2E_LANES, laneFile } from '../e2e/lanes.ts'

// The slowest unit files of a CI run (2 cores, clean clone, 2026-12-02), longest first: the isolated ones
// (test/sim/* and test/api/network ~26 s and ~20 s), then the non-isolated project's. A clean clone has no
// vitest cache, and without one vitest keeps the glob order, so the longest files started last and ran alone
// on one worker while the other idled; started first, they overlap the many short files.
export const SLOW_UNIT_FILES: readonly string[] = [
  'test/sim/node-51-100.test.ts', 'test/sim/node.test.ts', 'test/api/network.test.ts', 'test/ledger/evidence.test.ts',
  'test/api/mutations.test.ts', 'test/api/queries.test.ts', 'test/sim/sim.test.ts', 'test/ledger/governance.test.ts',
  'test/ledger/state-tree.test.ts', 'test/validator/core/tx-admission.test.ts', 'test/contracts/client.test.ts',
  'test/devnet/supervisor.test.ts', 'test/db/rocks.test.ts', 'test/validator/core/local-snapshots.test.ts',
  'test/cli/challenge.test.ts', 'test/ledger/scoring/yuma-fast.test.ts', 'test/devnet/shutdown.test.ts',
]

/** The leading SLOW_UNIT_FILES that run before the e2e lane starts (the simulator's seeds: CPU-bound, ~30 s each). */
const SIMULATOR_FILES = 2

export class SuiteSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rel = (s: TestSpecification) => relative(s.project.config.root, s.moduleId).split('\\').join('/')
    const lanes = E2E_LANES.map((_, i) => laneFile(i))
    const inRun = new Set(files.map(rel))
    const covered = new Set(E2E_LANES.flatMap((files, i) => (inRun.has(lanes[i]!) ? files : [])))
    // The two simulator files first, on both cores, then the lane beside the remaining unit files.
    const first = [...SLOW_UNIT_FILES.slice(0, SIMULATOR_FILES), ...lanes, ...SLOW_UNIT_FILES.slice(SIMULATOR_FILES)]
    const known = files.filter((s) => first.includes(rel(s))).sort((a, b) => first.indexOf(rel(a)) - first.indexOf(rel(b)))
    const rest = await super.sort(files.filter((s) => !first.includes(rel(s)) && !covered.has(rel(s))))
    // The non-isolated project's files go in one run of the queue (a worker is kept for the next file only
    // while that file is of the same non-isolated project): the slow isolated files first, then the shared
    // ones, then the short isolated ones, which fill in so the two workers finish together.
    const ordered = [...known, ...rest]
    const isShared = (s: TestSpecification) => s.project.config.isolate === false
    const slowIsolated = known.filter((s) => !isShared(s))
    const shortIsolated = rest.filter((s) => !isShared(s))
    // Groups (unit before e2e) still run in their order: vitest runs each project's files in the order given.
    return [...slowIsolated, ...ordered.filter(isShared), ...shortIsolated]
  }
}
