import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { generateReport } from './generate-report.ts';

// A small real result (a quick run, trimmed): two Fabric and two Ethereum workloads, one failed suite.
const fixture = new URL('./testdata/small-result.json', import.meta.url);
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ledgerkit-report-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function generate() {
  const paths = {
    result: fixture.pathname,
    markdown: join(dir, 'benchmarks.md'),
    chartDir: join(dir, 'benchmarks'),
    root: join(fixture.pathname, '..'),
  };
  const written = await generateReport(paths);
  return { written, markdown: await readFile(paths.markdown, 'utf8'), chartDir: paths.chartDir };
}

test('writes a throughput and a latency SVG chart per suite and unit, each linked from the Markdown', async () => {
  const { written, markdown, chartDir } = await generate();
  const svgs = (await readdir(chartDir)).sort();
  expect(svgs).toEqual([
    'ethereum-reads-latency.svg',
    'ethereum-reads-throughput.svg',
    'ethereum-transactions-latency.svg',
    'ethereum-transactions-throughput.svg',
    'fabric-evaluations-latency.svg',
    'fabric-evaluations-throughput.svg',
    'fabric-transactions-latency.svg',
    'fabric-transactions-throughput.svg',
  ]);
  expect(written).toHaveLength(svgs.length + 1);
  for (const file of svgs) expect(markdown).toContain(`](benchmarks/${file})`);
  const throughput = await readFile(join(chartDir, 'ethereum-reads-throughput.svg'), 'utf8');
  expect(throughput.startsWith('<svg')).toBe(true);
  // The bars' value labels: medians of 96.2 and 410 reads/s, and both systems in the legend.
  expect(throughput).toContain('>96.2<');
  expect(throughput).toContain('>410<');
  expect(throughput).toContain('>ethers<');
  const latency = await readFile(join(chartDir, 'fabric-transactions-latency.svg'), 'utf8');
  expect(latency).toContain('>p99<');
});

test('renders the machine, the Caliper-style table and the ratios with their values', async () => {
  const { markdown } = await generate();
  expect(markdown).toContain('| 2 | Intel(R) Xeon(R) Processor |');
  expect(markdown).toContain('`npm run bench:peers -- --rounds 2 --quick --only fabric,ethereum,broken --out <file>`');
  expect(markdown).toMatch(
    /\| Submit, 1 endorsing org, 1 client \| `ledgerkit` \| 1\.9 \| 1\.9 \[1\.88–1\.92\] transactions \| 527 \| 529 \| 4 \| 0 \|/,
  );
  expect(markdown).toContain('| fabric | Submit, 1 endorsing org, 1 client | ledgerkit ÷ fabric-gateway | 1.05× |');
  expect(markdown).toContain(
    '| ethereum | Verified read on EDR (in-process) | ledgerkit ÷ ethers | 0.23× | 0.21×–0.25× |',
  );
  expect(markdown).toContain('**The suite did not run to the end:** node did not start (`UNAVAILABLE`)');
});

test('explains every workload where ledgerkit is behind, and only those', async () => {
  const { markdown } = await generate();
  const behind = markdown.slice(markdown.indexOf('## Where ledgerkit is behind'));
  expect(behind).toContain('### ethereum: Verified read on EDR (in-process) (0.23×)');
  expect(behind).toContain('**What would close it.**');
  expect(behind).toContain("- ledgerkit's read split");
  expect(behind).not.toContain('Submit on EDR');
  expect(behind).not.toContain('### fabric');
});

test('refuses a document that is not a bench:peers result', async () => {
  const other = join(dir, 'other.json');
  await writeFile(other, JSON.stringify({ format: 'something-else', version: 1 }));
  await expect(
    generateReport({ result: other, markdown: join(dir, 'x.md'), chartDir: join(dir, 'x'), root: dir }),
  ).rejects.toThrow(TypeError);
});
