import { defineConfig } from 'tsdown';
import { tsdownBase } from '../../tsdown.base.mjs';

export default defineConfig({
  ...tsdownBase,
  entry: {
    index: 'src/index.ts',
    verify: 'src/verify.ts',
    storage: 'src/storage.ts',
    server: 'src/server.ts',
    client: 'src/client.ts',
    postgres: 'src/postgres.ts',
    partiql: 'src/partiql.ts',
    cli: 'src/cli.ts',
    main: 'src/main.ts',
  },
});
