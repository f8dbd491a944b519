import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Property and golden-vector tests run thousands of cases: CPU-bound, and in CI they
    // share two cores with the other packages' servers and networks. They check results,
    // not speed, so a slow machine must not fail them.
    testTimeout: 60_000,
  },
});
