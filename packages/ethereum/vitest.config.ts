import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The integration tests start nodes and share the machine with other packages' tests.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
