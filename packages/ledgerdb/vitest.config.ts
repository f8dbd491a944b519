import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The tests start servers, child processes and PostgreSQL transactions of thousands of
    // documents; in CI they share two cores with every other package's tests. They check
    // results, not speed (benchmarks do that), so a busy machine must not fail them.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // One PostgreSQL server for the run (scripts/postgres.sh), stopped at the end.
    globalSetup: ['test/global-setup.ts'],
  },
});
