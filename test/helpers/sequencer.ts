// The suite's file order: e2e lanes first (they are the longest, wall-clock bound by slots, and start at
// once), then everything else as vitest orders it (slowest first from its cache, else the largest file).
// A file that a lane in this run already imports is dropped, so it does not run twice; named alone on the
// command line (no lane in the run), it runs by itself.
import { relative } from 'node:path'
import { BaseSequencer, type TestSpecification } from 'vitest/node'
import { E2E_LANES, laneFile } from '../e2e/lanes.ts'

export class SuiteSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rel = (s: TestSpecification) => relative(s.project.config.root, s.moduleId).split('\\').join('/')
    const lanes = E2E_LANES.map((_, i) => laneFile(i))
    const inRun = new Set(files.map(rel))
    const covered = new Set(E2E_LANES.flatMap((files, i) => (inRun.has(lanes[i]!) ? files : [])))
    const lanesFirst = files.filter((s) => lanes.includes(rel(s))).sort((a, b) => lanes.indexOf(rel(a)) - lanes.indexOf(rel(b)))
    const rest = await super.sort(files.filter((s) => !lanes.includes(rel(s)) && !covered.has(rel(s))))
    return [...lanesFirst, ...rest]
  }
}
