import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The integration tests start a real Fabric network; the first run on a machine
    // builds Fabric with Go (about 2 minutes) in the global setup.
    globalSetup: ['test/global-setup.ts'],
    // CPU-bound harness tests and a network of real processes share two cores in CI with
    // other packages' servers: generous limits, and results are checked, never speed.
    testTimeout: 180_000,
    hookTimeout: 600_000,
  },
});
