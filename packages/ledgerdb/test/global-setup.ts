// Vitest global setup: one PostgreSQL server for the whole run. Tests get its URL with
// `inject('postgresUrl')` and create their own schema (random name), so test files can
// run in parallel against the same server.
import type { TestProject } from 'vitest/node';
import { startPostgres } from '../../../scripts/postgres-server.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgres();
  project.provide('postgresUrl', server.url);
  return async () => {
    await server.stop();
  };
}
