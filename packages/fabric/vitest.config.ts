import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// `ledgerkit-source` points `#verify-native` at the TypeScript source of its Node side, so
// the tests run without a build (package.json `imports`).
const conditions = ['ledgerkit-source', ...defaultServerConditions];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
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
