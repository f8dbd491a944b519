import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The scenario runs on real backends (a ledgerdb server on a loopback port, an in-process
    // Ethereum chain): results are checked, never speed.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
