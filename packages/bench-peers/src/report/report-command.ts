// `npm run bench:peers:report`: docs/benchmarks.md and docs/benchmarks/*.svg from the JSON
// document of a run (default docs/benchmarks/results.json, as `npm run bench:peers -- --out`
// writes it), then formats the Markdown and JSON with the repository's Biome so `npm run lint`
// accepts them as generated.
//   npm run bench:peers:report -- [--in result.json]
import { execFileSync } from 'node:child_process';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateReport } from './generate-report.ts';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const { values } = parseArgs({ options: { in: { type: 'string' } } });
const result = values.in
  ? resolve(process.env.INIT_CWD ?? process.cwd(), values.in)
  : resolve(root, 'docs/benchmarks/results.json');
const written = await generateReport({
  result,
  markdown: resolve(root, 'docs/benchmarks.md'),
  chartDir: resolve(root, 'docs/benchmarks'),
  root,
});
const inRepository = !relative(root, result).startsWith('..');
execFileSync(
  join(root, 'node_modules/.bin/biome'),
  ['format', '--write', written[0] as string, ...(inRepository ? [result] : [])],
  {
    cwd: root,
    stdio: 'ignore',
  },
);
for (const file of written) process.stdout.write(`wrote ${relative(root, file)}\n`);
