import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    verify: 'src/verify.ts',
    server: 'src/server.ts',
    client: 'src/client.ts',
    postgres: 'src/postgres.ts',
    partiql: 'src/partiql.ts',
    cli: 'src/cli.ts',
    main: 'src/main.ts',
  },
  format: ['esm'],
  dts: {
    entry: {
      index: 'src/index.ts',
      verify: 'src/verify.ts',
      server: 'src/server.ts',
      client: 'src/client.ts',
      postgres: 'src/postgres.ts',
      partiql: 'src/partiql.ts',
      cli: 'src/cli.ts',
    },
  },
  sourcemap: true,
  clean: true,
  target: 'node22',
  // Keep `node:` specifiers: `node:sqlite` exists only under that name.
  removeNodeProtocol: false,
});
