import { describe, expect, test } from 'vitest';
import {
  alternate,
  latencySummary,
  pairedRatio,
  quantile,
  spread,
  summarizeSystem,
  timedLoop,
  workloadResult,
} from './stats.ts';

describe('spread', () => {
  test('median of an odd count is the middle value, of an even count the mean of the two middle ones', () => {
    expect(spread([5, 1, 3]).median).toBe(3);
    expect(spread([4, 1, 3, 2]).median).toBe(2.5);
  });

  test('quartiles interpolate linearly and samples keep round order', () => {
    const s = spread([10, 40, 20, 30, 50]);
    expect([s.min, s.q1, s.median, s.q3, s.max, s.n]).toEqual([10, 20, 30, 40, 50, 5]);
    expect(s.samples).toEqual([10, 40, 20, 30, 50]);
    expect(quantile([0, 10], 0.25)).toBe(2.5);
  });

  test('no samples gives NaN statistics, not an exception', () => {
    expect(Number.isNaN(spread([]).median)).toBe(true);
  });
});

test('latencySummary reports percentiles of every operation', () => {
  const values = Array.from({ length: 101 }, (_, i) => 100 - i);
  const summary = latencySummary(values);
  expect(summary).toMatchObject({ p50: 50, p90: 90, p99: 99, mean: 50, max: 100 });
  expect(latencySummary([])).toBeUndefined();
});

test('alternate rotates which system goes first in each round', async () => {
  const order: string[] = [];
  const contender = (id: string) => ({
    id,
    round: async () => {
      order.push(id);
      return { operations: 1, failures: 0, seconds: 1, throughput: 1 };
    },
  });
  const rounds = await alternate([contender('a'), contender('b'), contender('c')], 3);
  expect(order).toEqual(['a', 'b', 'c', 'b', 'c', 'a', 'c', 'a', 'b']);
  expect(rounds.b?.map((r) => [r.round, r.order])).toEqual([
    [0, 1],
    [1, 0],
    [2, 2],
  ]);
});

test('ratios pair rounds by number, so a slow round slows both sides of its ratio', () => {
  const rounds = (values: number[]) =>
    values.map((throughput, round) => ({ round, order: 0, operations: 1, failures: 0, seconds: 1, throughput }));
  const ratio = pairedRatio(rounds([200, 100, 300]), rounds([100, 50, 150]));
  expect(ratio.samples).toEqual([2, 2, 2]);
  const workload = workloadResult(
    { id: 'w', title: 'W', description: 'd', unit: 'ops' },
    { x: rounds([200, 100, 300]), y: rounds([100, 50, 150]) },
    [['x', 'y']],
  );
  expect(workload.ratios[0]?.ratio.median).toBe(2);
  expect(workload.systems.x?.throughput.median).toBe(200);
  expect(workload.systems.x?.cpuMsPerOperation).toBeUndefined();
});

test('CPU per operation is summarised when rounds measured it', () => {
  const rounds = [0.5, 0.7, 0.6].map((client, round) => ({
    round,
    order: 0,
    operations: 1,
    failures: 0,
    seconds: 1,
    throughput: 1,
    cpuMsPerOperation: { client, server: client * 2 },
  }));
  const summary = summarizeSystem(rounds);
  expect(summary.cpuMsPerOperation?.client.median).toBe(0.6);
  expect(summary.cpuMsPerOperation?.server?.median).toBe(1.2);
});

describe('timedLoop', () => {
  test('runs exactly the operation budget across workers and counts units per call', async () => {
    const seen = new Set<number>();
    const result = await timedLoop(
      async (_, sequence) => {
        seen.add(sequence);
        await new Promise((resolve) => setImmediate(resolve));
      },
      { operations: 50, concurrency: 4, unitsPerCall: 10 },
    );
    expect(seen.size).toBe(50);
    expect(result.operations).toBe(500);
    expect(result.latencyMs?.p50).toBeGreaterThan(0);
  });

  test('counts failures when asked, and rethrows otherwise', async () => {
    const failing = async (_: number, sequence: number) => {
      if (sequence % 2 === 0) throw new Error('no');
    };
    const counted = await timedLoop(failing, { operations: 10, countFailures: true });
    expect([counted.operations, counted.failures]).toEqual([5, 5]);
    await expect(timedLoop(failing, { operations: 10 })).rejects.toThrow('no');
  });
});
