import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { SuiteResult, WorkloadResult } from '../result-schema.ts';

/** A chart of one group of workloads: its file name, title and Vega-Lite spec. */
export interface ChartSpec {
  /** File name under `docs/benchmarks/`, e.g. `fabric-transactions-throughput.svg`. */
  readonly file: string;
  readonly title: string;
  readonly spec: TopLevelSpec;
}

/**
 * The charts of one suite: per unit of work (transactions, evaluations, reads…), the
 * throughput of every system on every workload (median of rounds, with a line from the lowest
 * to the highest round) and, where latency was measured, its p50 and p99 (medians of rounds).
 *
 * @param suite - one suite of a run
 * @returns its charts, throughput then latency for each unit, in the order the units first appear
 */
export function suiteCharts(suite: SuiteResult): ChartSpec[] {
  const groups = new Map<string, WorkloadResult[]>();
  for (const workload of suite.workloads) groups.set(workload.unit, [...(groups.get(workload.unit) ?? []), workload]);
  return [...groups].flatMap(([unit, group]) => {
    const slug = `${suite.id}-${unit}`
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '');
    const labels = shortLabels(group.map((workload) => workload.title));
    const charts: ChartSpec[] = [
      {
        file: `${slug}-throughput.svg`,
        title: `${suite.id}: ${unit} per second`,
        spec: throughputSpec(suite, unit, group, labels),
      },
    ];
    if (group.some((workload) => Object.values(workload.systems).some((system) => system.latencyP50Ms))) {
      charts.push({
        file: `${slug}-latency.svg`,
        title: `${suite.id}: latency per call`,
        spec: latencySpec(suite, group, labels),
      });
    }
    return charts;
  });
}

/**
 * Renders a Vega-Lite spec to SVG text in Node, without a browser or canvas (Vega's headless
 * `View#toSVG`; without `canvas` installed, text widths are estimated, which suits axis labels).
 * The SVG gets a `<title>` and no ARIA roles on its groups: Biome's accessibility lint checks
 * the committed charts, and the page describes each one in its alt text and tables.
 *
 * @param spec - a Vega-Lite spec with inline data
 * @param title - the chart's title, for screen readers and tooltips
 * @returns the SVG document
 */
export async function renderSvg(spec: TopLevelSpec, title: string): Promise<string> {
  const view = new vega.View(
    vega.parse(compile({ ...spec, config: { ...spec.config, aria: false } } as TopLevelSpec).spec),
    {
      renderer: 'none',
    },
  );
  try {
    const svg = (await view.toSVG()).replace(/ (role|aria-[a-z]+)="[^"]*"/g, '');
    const opening = svg.indexOf('>') + 1;
    return `${svg.slice(0, opening)}<title>${escapeXml(title)}</title>${svg.slice(opening)}\n`;
  } finally {
    view.finalize();
  }
}

// One line per part of the label (`1 endorsing org, 16 clients` on two lines), so labels fit.
const workloadAxis = { labelAngle: 0, labelLimit: 200, labelExpr: "split(datum.label, '|')" };

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function throughputSpec(
  suite: SuiteResult,
  unit: string,
  group: readonly WorkloadResult[],
  labels: readonly string[],
): TopLevelSpec {
  const values = group.flatMap((workload, index) =>
    Object.entries(workload.systems).map(([system, measured]) => ({
      workload: labels[index],
      system,
      median: round(measured.throughput.median),
      min: round(measured.throughput.min),
      max: round(measured.throughput.max),
    })),
  );
  // Workloads a hundred times apart (one-document writes beside 1,000-document batches) share
  // a chart only on a log scale; otherwise the small ones are invisible.
  const medians = values.map((value) => value.median).filter((value) => value > 0);
  const log = Math.max(...medians) / Math.min(...medians) > 50;
  // symlog, not log: bars start at 0, which a log scale has no place for.
  const yScale = log ? { scale: { type: 'symlog' } } : {};
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `${suiteName(suite)}: ${unit} per second`,
      anchor: 'start',
      subtitle: `median of rounds; the black line spans the lowest to the highest round${log ? '; log scale' : ''}`,
    },
    width: { step: 40 },
    height: 220,
    data: { values },
    encoding: {
      x: { field: 'workload', type: 'nominal', title: null, sort: null, axis: workloadAxis },
      xOffset: { field: 'system', type: 'nominal', sort: null },
    },
    layer: [
      {
        mark: 'bar',
        encoding: {
          y: { field: 'median', type: 'quantitative', title: `${unit}/s`, ...yScale },
          color: { field: 'system', type: 'nominal', title: 'system', sort: null, scale: systemColors(values) },
        },
      },
      {
        mark: { type: 'rule', color: '#222' },
        encoding: { y: { field: 'min', type: 'quantitative', ...yScale }, y2: { field: 'max' } },
      },
      {
        mark: { type: 'text', dy: -4, fontSize: 9, baseline: 'bottom', color: '#111' },
        encoding: {
          y: { field: 'max', type: 'quantitative', ...yScale },
          text: { field: 'median', type: 'quantitative', format: '.3~r' },
        },
      },
    ],
  } as TopLevelSpec;
}

function latencySpec(suite: SuiteResult, group: readonly WorkloadResult[], labels: readonly string[]): TopLevelSpec {
  const values = group.flatMap((workload, index) =>
    Object.entries(workload.systems).flatMap(([system, measured]) =>
      (
        [
          ['p50', measured.latencyP50Ms?.median],
          ['p99', measured.latencyP99Ms?.median],
        ] as const
      )
        .filter(([, ms]) => ms !== undefined)
        .map(([percentile, ms]) => ({
          workload: labels[index],
          system,
          series: `${system} ${percentile}`,
          percentile,
          ms: round(ms as number),
        })),
    ),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `${suiteName(suite)}: latency per call`,
      anchor: 'start',
      subtitle: 'milliseconds per call (a batch is one call); p50 (solid) and p99 (light) per round, median of rounds',
    },
    width: { step: 24 },
    height: 220,
    data: { values },
    encoding: {
      x: { field: 'workload', type: 'nominal', title: null, sort: null, axis: workloadAxis },
      xOffset: { field: 'series', type: 'nominal', sort: null },
    },
    layer: [
      {
        mark: 'bar',
        encoding: {
          y: { field: 'ms', type: 'quantitative', title: 'ms' },
          color: { field: 'system', type: 'nominal', title: 'system', sort: null, scale: systemColors(values) },
          opacity: {
            field: 'percentile',
            type: 'ordinal',
            title: 'percentile',
            scale: { domain: ['p50', 'p99'], range: [1, 0.45] },
          },
        },
      },
      {
        mark: { type: 'text', dy: -3, fontSize: 8, baseline: 'bottom', color: '#111' },
        encoding: {
          y: { field: 'ms', type: 'quantitative' },
          text: { field: 'ms', type: 'quantitative', format: '.3~r' },
        },
      },
    ],
  } as TopLevelSpec;
}

/** ledgerkit's systems (ledgerkit*, ledgerdb*) in blues, the others in warm colors, in the order met. */
function systemColors(values: readonly { system: string }[]) {
  const systems = [...new Set(values.map((value) => value.system))];
  const ours = systems.filter(isOurs);
  const theirs = systems.filter((system) => !isOurs(system));
  const blues = ['#1f5fbf', '#6b9be0', '#0b3c7a'];
  const warm = ['#e07b39', '#4c9a52', '#b8860b', '#9467bd'];
  return {
    domain: [...ours, ...theirs],
    range: [
      ...ours.map((_, index) => blues[index % blues.length] as string),
      ...theirs.map((_, index) => warm[index % warm.length] as string),
    ],
  };
}

/**
 * Whether a system id is one of ledgerkit's (the numerator of the report's ratios).
 *
 * @param system - a system id of a run
 * @returns true for `ledgerkit…` and `ledgerdb…` ids
 */
export function isOurs(system: string): boolean {
  return system.startsWith('ledgerkit') || system.startsWith('ledgerdb');
}

/**
 * Axis labels: titles without the words every title of the group starts with
 * (`Submit, 1 org` → `1 org`), cut into lines (joined by `|`) at commas and every ~22 characters.
 */
function shortLabels(titles: readonly string[]): string[] {
  return commonPrefixRemoved(titles).map((title) =>
    title
      .split(', ')
      .flatMap((part) => wrap(part, 22))
      .join('|'),
  );
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

function commonPrefixRemoved(titles: readonly string[]): string[] {
  if (titles.length < 2) return [...titles];
  const words = titles.map((title) => title.split(' '));
  let common = 0;
  while (words.every((title) => title.length > common + 1 && title[common] === (words[0] as string[])[common])) {
    common++;
  }
  return words.map((title) => title.slice(common).join(' '));
}

/** `fabric` → `Fabric`, `immudb` → `immudb`: the suite id, as a chart title starts. */
const suiteName = (suite: SuiteResult) =>
  suite.id === 'immudb' ? suite.id : suite.id[0]?.toUpperCase() + suite.id.slice(1);
const round = (value: number) => (Number.isFinite(value) ? Math.round(value * 100) / 100 : 0);
