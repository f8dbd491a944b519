import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Empties the results file at the start of a run (src/report.ts appends to it).
    globalSetup: ['test/global-setup.ts'],
    // Scenarios start real servers and inject faults on a shared two-core machine: one
    // file at a time keeps their timing (and recovery times) meaningful.
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
