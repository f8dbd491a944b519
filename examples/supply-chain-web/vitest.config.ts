import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A real browser, an in-process chain and the page's build share two cores with other packages in CI.
    testTimeout: 240_000,
    hookTimeout: 240_000,
    // The page answers within milliseconds on an idle machine; CI runs every package's tests at once.
    expect: { poll: { timeout: 30_000, interval: 100 } },
    // One app server and one browser at a time: the files share the machine, not state.
    fileParallelism: false,
    // The Fabric test's network needs the Fabric binaries (built with Go once per machine).
    globalSetup: ['test/fabric-global-setup.ts'],
  },
});
