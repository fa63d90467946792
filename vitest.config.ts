import { defineConfig } from 'vitest/config'

// Two groups, run one after the other: pure and in-process tests on both cores, then the tests that start
// real networks of OS processes one file at a time (each wants both cores; timing-sensitive under load).
const PROCESS_TESTS = ['test/e2e/**/*.test.ts', 'test/**/*.e2e.test.ts', 'test/dashboard/**/*.test.ts']
const shared = {
  setupFiles: ['./core/polyfill.js'],
  testTimeout: 60_000,
  hookTimeout: 60_000,
  pool: 'forks' as const,
}

export default defineConfig({
  test: {
    projects: [
      { test: { ...shared, name: 'unit', include: ['test/**/*.test.ts'], exclude: PROCESS_TESTS, maxWorkers: 2, sequence: { groupOrder: 0 } } },
      { test: { ...shared, name: 'e2e', include: PROCESS_TESTS, maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
  },
})
