import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The tests run the built bin as a child process, start ledgerdb servers, anvil and
    // Chromium; in CI they share two cores with every other package's tests. They check
    // results, not speed, so a busy machine must not fail them.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
