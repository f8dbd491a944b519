import { describe, expect, test } from 'vitest';
import { LineBuffer } from './logging.js';

function recorder() {
  const writes: string[] = [];
  return { writes, target: { write: (chunk: Uint8Array) => writes.push(Buffer.from(chunk).toString('utf8')) } };
}

const info = (n: number) => `{"level":30,"time":1,"n":${n}}\n`;

describe('LineBuffer', () => {
  test('gathers lines into one write once the first has waited maxDelayMs', async () => {
    const { writes, target } = recorder();
    const buffer = new LineBuffer(target, { maxDelayMs: 30 });
    buffer.write(info(1));
    buffer.write(info(2));
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(writes).toEqual([info(1) + info(2)]);
    buffer.write(info(3));
    buffer.flush();
    expect(writes).toEqual([info(1) + info(2), info(3)]);
    buffer.flush();
    expect(writes).toHaveLength(2);
  });

  test('an error or fatal line is written at once, with every line before it', () => {
    const { writes, target } = recorder();
    const buffer = new LineBuffer(target, { maxDelayMs: 60_000 });
    buffer.write(info(1));
    const error = '{"level":50,"time":1,"msg":"request failed"}\n';
    buffer.write(error);
    expect(writes).toEqual([info(1) + error]);
    const fatal = '{"level":60,"time":1,"msg":"down"}\n';
    buffer.write(fatal);
    expect(writes).toEqual([info(1) + error, fatal]);
    // A warning waits like any other line.
    buffer.write('{"level":40,"time":1}\n');
    expect(writes).toHaveLength(2);
    buffer.flush();
    expect(writes).toHaveLength(3);
  });

  test('maxBytes gathered are written at once; a longer line alone, after what was gathered', () => {
    const { writes, target } = recorder();
    const buffer = new LineBuffer(target, { maxDelayMs: 60_000, maxBytes: 3 * info(1).length });
    buffer.write(info(1));
    buffer.write(info(2));
    expect(writes).toEqual([]);
    buffer.write(info(3));
    expect(writes).toEqual([info(1) + info(2) + info(3)]);
    buffer.write(info(4));
    const long = `{"level":30,"msg":"${'é'.repeat(3 * info(1).length)}"}\n`;
    buffer.write(long);
    expect(writes).toEqual([info(1) + info(2) + info(3), info(4), long]);
  });

  test('a chunk written stays as it was when the buffer is reused', () => {
    const chunks: Uint8Array[] = [];
    const buffer = new LineBuffer({ write: (chunk: Uint8Array) => chunks.push(chunk) }, { maxDelayMs: 60_000 });
    buffer.write(info(1));
    buffer.flush();
    buffer.write(info(2));
    buffer.flush();
    expect(chunks.map((chunk) => Buffer.from(chunk).toString('utf8'))).toEqual([info(1), info(2)]);
  });
});
