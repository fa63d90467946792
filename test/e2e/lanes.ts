// The e2e files of `npm test`, in one lane: the lane is one vitest file (lane-1.test.ts) that imports its e2e
// files, so they run one after another in one worker, beside the unit files after the simulator's
// (vitest.config.ts); a file named
// on the command line still runs alone (the sequencer, test/helpers/sequencer.ts, drops a lane's files from
// the run only when the lane itself runs). One lane, not two side by side: each devnet takes over a core of
// the two, and two at once made the netns file fail.
export const E2E_LANES: readonly (readonly string[])[] = [
  // faults ~100–130 s, p2p ~8 s, dashboard and devnet ~45 s (one devnet: the dashboard watches the run the
  // devnet test checks, test/helpers/readme-devnet.ts, so the dashboard goes first), netns ~35 s
  // (validator-set and governance run under test:soak)
  ['test/e2e/faults.test.ts', 'test/p2p/network.e2e.test.ts', 'test/p2p/fuzz.e2e.test.ts', 'test/dashboard/dashboard.test.ts',
    'test/e2e/devnet.test.ts', 'test/e2e/netns.test.ts'],
]

/** The lane file of lane `i` (0-based), relative to the repository root. */
export const laneFile = (i: number) => `test/e2e/lane-${i + 1}.test.ts`
