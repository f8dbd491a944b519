// `npm run bench:peers:report`: docs/benchmarks.md and docs/benchmarks/*.svg from the JSON
// document of a run (default docs/benchmarks/results.json, as `npm run bench:peers` writes it).
//   npm run bench:peers:report -- [--in result.json]
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateReport } from './generate-report.ts';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const { values } = parseArgs({ options: { in: { type: 'string' } } });
const written = await generateReport({
  result: values.in
    ? resolve(process.env.INIT_CWD ?? process.cwd(), values.in)
    : resolve(root, 'docs/benchmarks/results.json'),
  markdown: resolve(root, 'docs/benchmarks.md'),
  chartDir: resolve(root, 'docs/benchmarks'),
  root,
});
for (const file of written) process.stdout.write(`wrote ${file}\n`);
