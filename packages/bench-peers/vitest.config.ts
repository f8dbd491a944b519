import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The smoke test starts real servers on a shared two-core machine.
    testTimeout: 60_000,
  },
});
