// The suite's file order: e2e lanes first (they are the longest, wall-clock bound by slots, and start at
// once), then the unit files known to be slow (longest first), then everything else as vitest orders it
// (slowest first from its cache, else the largest file). A file that a lane in this run already imports is
// dropped, so it does not run twice; named alone on the command line (no lane in the run), it runs by itself.
import { relative } from 'node:path'
import { BaseSequencer, type TestSpecification } from 'vitest/node'
import { E2E_LANES, laneFile } from '../e2e/lanes.ts'

// The slowest unit files of a CI run (2 cores, clean clone), longest first. A clean clone has no vitest
// cache, and without one vitest keeps the glob order, so test/sim/* (31 s and 24 s) started last and ran
// alone on one worker while the other idled; started first, they overlap the many short files.
export const SLOW_UNIT_FILES: readonly string[] = [
  'test/sim/node.test.ts', 'test/sim/node-51-100.test.ts', 'test/devnet/supervisor.test.ts', 'test/cli/keys.test.ts',
  'test/sim/sim.test.ts', 'test/devnet/shutdown.test.ts', 'test/forum/cli.test.ts', 'test/api/cli.test.ts',
  'test/cli/gov.test.ts', 'test/devnet/nodes-cli.test.ts', 'test/devnet/supervisor-stall.test.ts',
]

export class SuiteSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rel = (s: TestSpecification) => relative(s.project.config.root, s.moduleId).split('\\').join('/')
    const lanes = E2E_LANES.map((_, i) => laneFile(i))
    const inRun = new Set(files.map(rel))
    const covered = new Set(E2E_LANES.flatMap((files, i) => (inRun.has(lanes[i]!) ? files : [])))
    const first = [...lanes, ...SLOW_UNIT_FILES]
    const known = files.filter((s) => first.includes(rel(s))).sort((a, b) => first.indexOf(rel(a)) - first.indexOf(rel(b)))
    const rest = await super.sort(files.filter((s) => !first.includes(rel(s)) && !covered.has(rel(s))))
    // Groups (unit before e2e) still run in their order: vitest runs each project's files in the order given.
    return [...known, ...rest]
  }
}
