import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // A real network starts in test/network.test.ts: generous limits on a busy machine.
    testTimeout: 120_000,
    hookTimeout: 600_000,
  },
});
