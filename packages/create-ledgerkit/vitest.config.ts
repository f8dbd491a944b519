import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    // The acceptance test installs every template and runs its tests (a Fabric network among
    // them): one file at a time, on a machine shared with the other packages' tests.
    fileParallelism: false,
  },
});
