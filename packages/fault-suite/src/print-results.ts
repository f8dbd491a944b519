// `npm run fault`'s last step: prints the JSON lines the scenarios wrote, and exits 1 when
// any scenario lost or duplicated an acknowledged write (or reported itself not ok) or
// when none reported at all.
import { existsSync, readFileSync } from 'node:fs';
import { resultsFile, type ScenarioResult } from './report.ts';

const lines = existsSync(resultsFile)
  ? readFileSync(resultsFile, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
  : [];
let failed = lines.length === 0;
for (const line of lines) {
  const result = JSON.parse(line) as ScenarioResult;
  if (!result.ok || result.lost > 0 || result.duplicates > 0) failed = true;
  console.log(line);
}
if (lines.length === 0) console.error(`no scenario results in ${resultsFile}`);
process.exitCode = failed ? 1 : 0;
