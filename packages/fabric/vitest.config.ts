import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Builds the Fabric binaries on a machine's first run and stops networks that killed
    // runs left behind.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // The integration tests each run a network of real processes; one file at a time.
    fileParallelism: false,
  },
});
