import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { PeerBenchResult } from '../result-schema.ts';
import { type ChartSpec, renderSvg, suiteCharts } from './charts.ts';
import { renderMarkdown } from './render-markdown.ts';

/** Where {@link generateReport} reads and writes. */
export interface ReportPaths {
  /** The run's JSON document. */
  readonly result: string;
  /** The Markdown file to write, e.g. `docs/benchmarks.md`. */
  readonly markdown: string;
  /** Directory of the SVG charts, e.g. `docs/benchmarks` (its old `.svg` files are replaced). */
  readonly chartDir: string;
  /** Repository root, to name the result file relative to it in the report. */
  readonly root: string;
}

/**
 * Writes the Markdown report and its SVG charts from a `bench:peers` result document.
 *
 * @param paths - the result to read, the report and chart directory to write
 * @returns the files written
 * @throws TypeError when the document is not a `ledgerkit.bench-peers` version 1 result
 */
export async function generateReport(paths: ReportPaths): Promise<string[]> {
  const result = JSON.parse(await readFile(paths.result, 'utf8')) as PeerBenchResult;
  if (result.format !== 'ledgerkit.bench-peers' || result.version !== 1) {
    throw new TypeError(`${paths.result} is not a ledgerkit.bench-peers version 1 result`);
  }
  await mkdir(paths.chartDir, { recursive: true });
  // Charts of workloads no longer in the run must not linger next to the new ones.
  for (const file of await readdir(paths.chartDir)) {
    if (file.endsWith('.svg')) await rm(join(paths.chartDir, file));
  }
  const charts = new Map<string, ChartSpec[]>();
  const written: string[] = [];
  for (const suite of result.suites) {
    const specs = suiteCharts(suite);
    charts.set(suite.id, specs);
    for (const chart of specs) {
      const file = join(paths.chartDir, chart.file);
      await writeFile(file, await renderSvg(chart.spec, chart.title));
      written.push(file);
    }
  }
  const markdown = renderMarkdown(result, {
    charts,
    chartDir: relative(join(paths.markdown, '..'), paths.chartDir),
    resultPath: relative(paths.root, paths.result),
  });
  await writeFile(paths.markdown, markdown);
  return [paths.markdown, ...written];
}
