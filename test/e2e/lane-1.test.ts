// E2E lane 1 (see lanes.ts): its files' tests, registered here so they run one after another in this worker.
import { E2E_LANES } from './lanes.ts'

for (const file of E2E_LANES[0]!) await import(new URL(`../../${file}`, import.meta.url).href)
