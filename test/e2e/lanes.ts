// The e2e files of `npm test`, in two lanes: each lane is one vitest file (lane-1/lane-2.test.ts) that
// imports its e2e files, so they run one after another. After the unit files, the e2e project runs the lanes
// one after the other, or side by side with AGORA_E2E_WORKERS=2 (vitest.config.ts), so they are balanced
// (~145 s and ~116 s in CI); a file named on the command line still runs alone (the sequencer,
// test/helpers/sequencer.ts, drops a lane's files from the run only when the lane itself runs).
export const E2E_LANES: readonly (readonly string[])[] = [
  // faults ~140 s, p2p ~5 s
  ['test/e2e/faults.test.ts', 'test/p2p/network.e2e.test.ts', 'test/p2p/fuzz.e2e.test.ts'],
  // devnet ~62 s, netns ~47 s, dashboard ~7 s (validator-set and governance run under test:soak)
  ['test/e2e/devnet.test.ts', 'test/e2e/netns.test.ts', 'test/dashboard/dashboard.test.ts'],
]

/** The lane file of lane `i` (0-based), relative to the repository root. */
export const laneFile = (i: number) => `test/e2e/lane-${i + 1}.test.ts`
