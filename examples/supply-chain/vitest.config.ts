import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // CPU-bound work shares two cores with other packages' servers in CI: results are checked, never speed.
    testTimeout: 120_000,
    hookTimeout: 600_000,
    projects: [
      {
        extends: true,
        test: { name: 'fast', include: ['src/**/*.test.ts', 'test/scenario.test.ts', 'test/ledgerdb-server.test.ts'] },
      },
      {
        extends: true,
        // A real two-organization Fabric network; the global setup builds the Fabric binaries
        // once per machine (about 2 minutes) and stops networks a killed run left behind.
        // demo.test.ts runs the README's demo (a second network): one file at a time on two cores.
        test: {
          name: 'fabric',
          include: ['test/fabric.test.ts', 'test/demo.test.ts'],
          globalSetup: ['test/fabric-global-setup.ts'],
          testTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
