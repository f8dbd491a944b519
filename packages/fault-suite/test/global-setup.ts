// Vitest global setup: a run starts with an empty results file (src/report.ts appends one
// line per scenario; `npm run fault` prints them afterwards).
import { writeFileSync } from 'node:fs';
import { resultsFile } from '../src/report.ts';

export default function setup(): void {
  writeFileSync(resultsFile, '');
}
