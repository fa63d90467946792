// Setup file of the unit project: its workers run at a lower CPU priority (nice), so the e2e lanes' node
// processes, which must answer within their 1 s slots, get the CPU when they need it; the unit tests
// (no timing asserts) take whatever is left. Raising one's own niceness needs no privilege.
import { setPriority } from 'node:os'

/** Niceness of a unit-test worker: the scheduler gives a nice-0 process ~10× its CPU share under contention. */
const UNIT_NICE = 10

try {
  setPriority(UNIT_NICE)
} catch { /* a platform without priorities: the suite still runs, only less evenly */ }
