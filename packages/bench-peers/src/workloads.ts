import type { SuiteEntry } from './suite.ts';

/**
 * Every suite `npm run bench:peers` runs, in this order. To add one, write a module
 * exporting a `Suite` (see suite.ts) and append one entry here.
 */
export const suiteEntries: SuiteEntry[] = [
  { id: 'immudb', load: async () => (await import('./immudb/suite.ts')).immudbSuite },
  { id: 'fabric', load: async () => (await import('./fabric/fabric-suite.ts')).fabricSuite },
  { id: 'ethereum', load: async () => (await import('./ethereum/ethereum-suite.ts')).ethereumSuite },
];
