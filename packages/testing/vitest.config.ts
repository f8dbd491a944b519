import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The first run on a machine builds Fabric with Go (minutes) before any test starts a
    // network; leftover networks of killed runs are stopped there too.
    globalSetup: ['test/global-setup.ts'],
    // Property and golden-vector tests run thousands of cases: CPU-bound, and in CI they
    // share two cores with the other packages' servers and networks. They check results,
    // not speed, so a slow machine must not fail them.
    testTimeout: 60_000,
    hookTimeout: 600_000,
    // The files in test/ each run a network of real Fabric processes; one file at a time.
    fileParallelism: false,
  },
});
