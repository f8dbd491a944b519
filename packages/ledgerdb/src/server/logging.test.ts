import { describe, expect, test, vi } from 'vitest';
import { createServerLogger, LineBuffer, type LoggedRequest, logRequest, RequestLog } from './logging.js';

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

describe('LineBuffer buffers', () => {
  test('reused after a stream wrote them before returning, never while a target may hold them', async () => {
    const held: Uint8Array[] = [];
    // A stream with nothing left to write after write() returned (as Node's synchronous stdio pipes).
    const written = { writableLength: 0, write: (chunk: Uint8Array) => held.push(chunk) };
    const buffer = new LineBuffer(written, { maxDelayMs: 60_000 });
    buffer.write(info(1));
    buffer.flush();
    buffer.write(info(2));
    buffer.flush();
    expect(held[1]?.buffer).toBe(held[0]?.buffer);
    // A stream still writing (writableLength > 0) and a bare target keep their bytes.
    for (const target of [
      { writableLength: 1, write: (chunk: Uint8Array) => held.push(chunk) },
      { write: (chunk: Uint8Array) => held.push(chunk) },
    ]) {
      held.length = 0;
      const keeping = new LineBuffer(target, { maxDelayMs: 60_000 });
      keeping.write(info(1));
      keeping.flush();
      keeping.write(info(2));
      keeping.flush();
      expect(held.map((chunk) => Buffer.from(chunk).toString())).toEqual([info(1), info(2)]);
      expect(held[1]?.buffer).not.toBe(held[0]?.buffer);
    }
  });
});

describe('RequestLog', () => {
  function logger(level = 'info') {
    const lines: string[] = [];
    const stream = { write: (line: string) => lines.push(line) };
    return { log: createServerLogger({ level: level as 'info', stream }), lines, stream };
  }
  const at = (line: string | undefined) => (line ?? '').replace(/"time":[0-9]+/, '"time":0');

  const requests: [string, LoggedRequest, number, string][] = [
    ['completed', { id: 'r-1', method: 'GET', url: '/v1/digest', principal: { name: 'admin' } }, 200, '/v1/digest'],
    [
      'failed, with a reason to escape',
      {
        id: '0b5a6a1e-5d6f-4f0e-9d59-3c1c3e6f1e2a',
        method: 'PUT',
        url: '/v1/tables/t/documents/caf%C3%A9?x="y"',
        principal: { name: 'w "quoted" \u00e9\u2028' },
        failure: { code: 'OCC_CONFLICT', message: 'version 3 of t/"a\\b"\n is not 2', error: undefined },
      },
      409,
      '/v1/tables/:table/documents/:id',
    ],
    [
      'refused, without a principal',
      {
        id: 'r-3',
        method: 'GET',
        url: '/v1/digest',
        failure: { code: 'UNAUTHENTICATED', message: 'invalid bearer token', error: undefined },
      },
      401,
      '/v1/digest',
    ],
    [
      'secrets in the URL and the reason are masked',
      {
        id: 'r-4',
        method: 'GET',
        url: '/v1/x?t=ldb_abcdef',
        failure: { code: 'UNAVAILABLE', message: 'postgres://u:hunter2@db/x refused', error: undefined },
      },
      404,
      'unmatched',
    ],
  ];

  test.each(requests)(
    '%s: the bytes put in a LineBuffer are what pino writes',
    async (_name, request, status, route) => {
      const { log: pinoLog, lines } = logger();
      const chunks: Buffer[] = [];
      const sink = new LineBuffer(
        { write: (chunk: Uint8Array) => chunks.push(Buffer.from(chunk)) },
        { maxDelayMs: 60_000 },
      );
      const strings = vi.spyOn(sink, 'write');
      logRequest(pinoLog, request, status, route, 1.2345);
      new RequestLog(pinoLog, sink).write(request, status, route, 1.2345);
      expect(strings).not.toHaveBeenCalled();
      sink.flush();
      expect(chunks).toHaveLength(1);
      const line = chunks[0]?.toString('utf8');
      expect(at(line)).toBe(at(lines[0]));
      expect(line).not.toContain('hunter2');
      expect(line).not.toContain('ldb_abcdef');
      JSON.parse(line as string);
    },
  );

  test('in a LineBuffer: lines after lines, a full buffer written first, milliseconds as JavaScript prints them', async () => {
    const { log: pinoLog, lines } = logger();
    const chunks: string[] = [];
    const sink = new LineBuffer(
      { write: (chunk: Uint8Array) => chunks.push(Buffer.from(chunk).toString()) },
      {
        maxDelayMs: 60_000,
        maxBytes: 4096,
      },
    );
    // The sink is the logger's own stream, as in the server: a line too long for it goes through pino into it.
    const log = new RequestLog(createServerLogger({ stream: sink }), sink);
    const elapsed = [0, 0.004, 0.005, 0.05, 0.1, 1, 9.99, 10.05, 12.5, 123.456, 99999.995, 1e9 + 0.07, 3e15, 1e300];
    for (const [i, ms] of elapsed.entries()) {
      const request: LoggedRequest = { id: `r-${i}`, method: 'GET', url: `/v1/x/${'y'.repeat(i * 60)}` };
      logRequest(pinoLog, request, 200, '/v1/x/:y', ms);
      log.write(request, 200, '/v1/x/:y', ms);
    }
    // A line longer than the whole buffer goes through the string path, which writes it alone.
    const long: LoggedRequest = { id: 'r-long', method: 'GET', url: `/v1/x/${'\u00e9'.repeat(1000)}` };
    logRequest(pinoLog, long, 200, '/v1/x/:y', 1);
    log.write(long, 200, '/v1/x/:y', 1);
    sink.flush();
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((chunk) => Buffer.byteLength(chunk) <= 4096 || !chunk.slice(0, -1).includes('\n'))).toBe(true);
    expect(chunks.join('').split('\n').slice(0, -1).map(at)).toEqual(lines.map((line) => at(line).slice(0, -1)));
  });
  test('the time is written in the digits JavaScript prints, below and above 2^31 and with zeros inside', async () => {
    const { log: pinoLog } = logger();
    const chunks: Buffer[] = [];
    const sink = new LineBuffer(
      { write: (chunk: Uint8Array) => chunks.push(Buffer.from(chunk)) },
      { maxDelayMs: 60_000 },
    );
    const log = new RequestLog(pinoLog, sink);
    const times = [
      0,
      7,
      10,
      2 ** 31 - 1,
      2 ** 31,
      1_000_000_000_000,
      1_733_000_000_123,
      1_733_400_000_000,
      2 ** 53 - 1,
    ];
    const now = vi.spyOn(Date, 'now');
    try {
      for (const time of times) {
        now.mockReturnValue(time);
        log.write({ id: 'r', method: 'GET', url: '/v1/digest' }, 200, '/v1/digest', 1);
      }
    } finally {
      now.mockRestore();
    }
    sink.flush();
    const written = Buffer.concat(chunks).toString().split('\n').slice(0, -1);
    expect(written.map((line) => /"time":([0-9]+),/.exec(line)?.[1])).toEqual(times.map(String));
  });

  test('in a LineBuffer, lines are made at the end of the event loop’s turn, in order with every other line', async () => {
    const chunks: Buffer[] = [];
    const sink = new LineBuffer(
      { write: (chunk: Uint8Array) => chunks.push(Buffer.from(chunk)) },
      { maxDelayMs: 60_000 },
    );
    const pinoLog = createServerLogger({ stream: sink });
    const log = new RequestLog(pinoLog, sink);
    const put = vi.spyOn(sink, 'gather');
    const request = (id: string): LoggedRequest => ({ id, method: 'GET', url: '/v1/digest' });
    log.write(request('r-1'), 200, '/v1/digest', 1);
    log.write(request('r-2'), 200, '/v1/digest', 1);
    expect(put).not.toHaveBeenCalled();
    // Another line through the logger comes after the request lines held before it.
    pinoLog.info('between');
    expect(put).toHaveBeenCalledTimes(2);
    log.write(request('r-3'), 200, '/v1/digest', 1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(put).toHaveBeenCalledTimes(3);
    // A flush (as at exit) makes what is still held first.
    log.write(request('r-4'), 200, '/v1/digest', 1);
    log.write({ ...request('r-5'), failure: { code: 'INTERNAL', message: 'x', error: new Error('x') } }, 500, '/', 1);
    log.write(request('r-6'), 200, '/v1/digest', 1);
    sink.flush();
    const written = Buffer.concat(chunks)
      .toString()
      .split('\n')
      .slice(0, -1)
      .map((line) => JSON.parse(line));
    expect(written.map((line) => line.requestId ?? line.msg)).toEqual([
      'r-1',
      'r-2',
      'between',
      'r-3',
      'r-4',
      'r-5',
      'r-6',
    ]);
  });

  test('a 5xx goes through pino with its error serialized and masked', async () => {
    const { log: pinoLog, lines, stream } = logger();
    const error = new Error('cannot reach postgres://u:hunter2@db/x');
    new RequestLog(pinoLog, stream).write(
      { id: 'r-5', method: 'GET', url: '/v1/digest', failure: { code: 'INTERNAL', message: 'internal', error } },
      500,
      '/v1/digest',
      3,
    );
    const line = JSON.parse(lines[0] as string);
    expect(line).toMatchObject({ level: 50, status: 500, msg: 'request failed', err: { type: 'Error' } });
    expect(lines[0]).not.toContain('hunter2');
  });

  test('the level is the logger’s at each line, so a change at run time applies', async () => {
    const lines: string[] = [];
    const sink = new LineBuffer({
      write: (chunk: Uint8Array) => lines.push(...Buffer.from(chunk).toString().split('\n').slice(0, -1)),
    });
    const pinoLog = createServerLogger({ level: 'warn', stream: sink });
    const log = new RequestLog(pinoLog, sink);
    const request: LoggedRequest = { id: 'r-6', method: 'GET', url: '/v1/digest' };
    log.write(request, 200, '/v1/digest', 1);
    log.write({ ...request, failure: { code: 'UNAUTHENTICATED', message: 'no', error: undefined } }, 401, '/', 1);
    sink.flush();
    expect(lines.map((line) => JSON.parse(line).level)).toEqual([40]);
    pinoLog.level = 'info';
    log.write(request, 200, '/v1/digest', 1);
    sink.flush();
    expect(lines.map((line) => JSON.parse(line).level)).toEqual([40, 30]);
  });
});
