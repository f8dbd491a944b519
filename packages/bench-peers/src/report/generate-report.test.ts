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

test('explains a ledgerdb server gap from the run’s own throughput and CPU numbers, shown in a CPU column', async () => {
  const document = JSON.parse(await readFile(fixture, 'utf8'));
  const samples = (...values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return { median: sorted[1], min: sorted[0], max: sorted[2], q1: sorted[0], q3: sorted[2], n: 3, samples: values };
  };
  const system = (throughput: number[], cpu: { client: number; server?: number }) => ({
    throughput: samples(...throughput),
    operations: 300,
    failures: 0,
    rounds: [],
    cpuMsPerOperation: {
      client: samples(cpu.client, cpu.client, cpu.client),
      ...(cpu.server === undefined ? {} : { server: samples(cpu.server, cpu.server, cpu.server) }),
    },
  });
  document.suites.unshift({
    id: 'immudb',
    title: 'immudb vs ledgerdb',
    systems: [],
    seconds: 10,
    workloads: [
      {
        id: 'write-64-clients',
        title: 'Durable single-document writes, 64 clients',
        description: 'writes',
        unit: 'documents',
        systems: {
          immudb: system([600, 630, 650], { client: 0.3, server: 0.34 }),
          'ledgerdb-embedded': system([8000, 8270, 8500], { client: 0.02 }),
          'ledgerdb-server': system([340, 350, 360], { client: 0.26, server: 0.5 }),
        },
        ratios: [
          { of: 'ledgerdb-embedded', to: 'immudb', ratio: samples(13, 13.1, 13.2) },
          { of: 'ledgerdb-server', to: 'immudb', ratio: samples(0.5, 0.55, 0.6) },
        ],
      },
    ],
  });
  const input = join(dir, 'with-immudb.json');
  await writeFile(input, JSON.stringify(document));
  const markdown = join(dir, 'benchmarks.md');
  await generateReport({ result: input, markdown, chartDir: join(dir, 'benchmarks'), root: dir });
  const text = await readFile(markdown, 'utf8');
  expect(text).toContain(
    '| Durable single-document writes, 64 clients | `ledgerdb-server` | – | 350 [340–360] documents |',
  );
  expect(text).toContain('| 0.26 + 0.50 |');
  const behind = text.slice(text.indexOf('### immudb: Durable single-document writes, 64 clients (0.55×)'));
  // 350 writes/s × 0.5 ms of server CPU: 18 % of one core; 1,000 / 0.5 ms: 2,000 writes/s.
  expect(behind).toContain('embedded ledgerdb committed 8,270 writes/s');
  expect(behind).toContain('is 18 % of one core');
  expect(behind).toContain('room for about 2,000 writes/s');
  expect(text).not.toContain('### immudb: Durable single-document writes, 64 clients (13.10×)');
});

test('refuses a document that is not a bench:peers result', async () => {
  const other = join(dir, 'other.json');
  await writeFile(other, JSON.stringify({ format: 'something-else', version: 1 }));
  await expect(
    generateReport({ result: other, markdown: join(dir, 'x.md'), chartDir: join(dir, 'x'), root: dir }),
  ).rejects.toThrow(TypeError);
});
