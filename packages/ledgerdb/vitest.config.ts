import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // One PostgreSQL server for the run (scripts/postgres.sh), stopped at the end.
    globalSetup: ['test/global-setup.ts'],
  },
});
