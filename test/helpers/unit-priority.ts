// Unit workers run at a lower CPU priority than the e2e lane beside them (vitest.config.ts): a devnet's
// nodes keep slot time, so when both want the two cores, the slots win and the unit files wait. Child
// processes a unit file starts (nodes of test/devnet) inherit the priority.
import { constants, getPriority, setPriority } from 'node:os'

const BELOW_NORMAL = constants.priority.PRIORITY_BELOW_NORMAL
if (getPriority() < BELOW_NORMAL) setPriority(BELOW_NORMAL)
