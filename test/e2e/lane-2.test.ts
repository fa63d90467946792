// E2E lane 2 (see lanes.ts): its files' tests, registered here so they run one after another in this worker.
// Each file is imported inside a describe of its own, so its top-level hooks (test/p2p/*.e2e.test.ts start a
// network in a top-level beforeAll) cover only its tests: they neither run for the whole lane nor skip the
// other files' tests when they fail.
import { describe } from 'vitest'
import { E2E_LANES } from './lanes.ts'

for (const file of E2E_LANES[1]!) describe(file, async () => { await import(new URL(`../../${file}`, import.meta.url).href) })
