import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// `ledgerkit-source` points `#merkle-native` at the TypeScript source, so the tests run
// without a build (package.json `imports`).
const conditions = ['ledgerkit-source', ...defaultServerConditions];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Property and golden-vector tests run thousands of cases: CPU-bound, and in CI they
    // share two cores with the other packages' servers and networks. They check results,
    // not speed, so a slow machine must not fail them.
    testTimeout: 60_000,
  },
});
