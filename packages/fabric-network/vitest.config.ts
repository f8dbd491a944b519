import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The first run on a machine builds Fabric with Go (about 2 minutes) in the global setup.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 600_000,
    // The integration tests each run a network of real processes; one file at a time.
    fileParallelism: false,
  },
});
