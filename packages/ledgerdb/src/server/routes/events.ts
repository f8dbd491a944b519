// GET /v1/events: committed revisions as server-sent events, resumable by event id.
import type { ServerResponse } from 'node:http';
import { isLedgerError, LedgerError } from '@ledgerkit/core';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { tableNamePattern } from '../../internal/paths.js';
import type { LedgerDatabase } from '../../ledger-database.js';
import { requireRead } from '../access.js';
import { toHttpError } from '../errors.js';
import { EventsQuery } from '../schemas.js';
import { reservedTablePrefix } from '../transactions.js';

/** What the event route needs of the server. */
export interface EventRoutesContext {
  ledger: LedgerDatabase;
  /** Milliseconds between heartbeat comments. */
  heartbeatMs: number;
  /** The open streams, which the server ends when it closes. */
  streams: Set<AbortController>;
  /** Counts and logs the request when its stream has ended (the server's onSend hook never sees a stream's answer). */
  ended?: (request: FastifyRequest, status: number) => void;
}

/** Registers GET /v1/events. */
export function registerEventRoutes(
  app: FastifyInstance,
  { ledger, heartbeatMs, streams, ended }: EventRoutesContext,
): void {
  app.get<{ Querystring: Static<typeof EventsQuery> }>(
    '/v1/events',
    {
      schema: {
        summary:
          'Server-sent events of committed revisions, resumable from an event id (Last-Event-ID or ?from=block:index)',
        querystring: EventsQuery,
      },
    },
    async (request, reply) => {
      const { principal } = request;
      const tables = request.query.tables?.split(',').filter((name) => name.length > 0);
      if (tables) {
        for (const table of tables) {
          if (!tableNamePattern.test(table)) {
            throw new LedgerError('INVALID_ARGUMENT', `'${table}' is not a table name`, {
              details: { path: '/tables' },
            });
          }
          requireRead(principal, table);
        }
      } else if (principal.read !== '*') {
        throw new LedgerError(
          'PERMISSION_DENIED',
          `token ${principal.name} may not read every table: name the tables with ?tables=`,
        );
      }
      const lastEventId = request.headers['last-event-id'];
      const position = typeof lastEventId === 'string' && lastEventId.length > 0 ? lastEventId : request.query.from;
      let from: { block: number; index: number } | undefined;
      if (position !== undefined) {
        const match = /^([0-9]{1,15}):([0-9]{1,9})$/.exec(position);
        if (!match) {
          throw new LedgerError('INVALID_ARGUMENT', `event id '${position}' is not block:index`, {
            details: { path: '/from' },
          });
        }
        from = { block: Number(match[1]), index: Number(match[2]) };
      }
      const wanted = tables ? new Set(tables) : undefined;
      const controller = new AbortController();
      streams.add(controller);
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'x-request-id': request.id,
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      raw.write(': stream of committed revisions\nretry: 1000\n\n');
      const heartbeat = setInterval(() => raw.write(': heartbeat\n\n'), heartbeatMs);
      raw.on('close', () => controller.abort());
      try {
        for await (const event of ledger.events({ ...(from ? { from } : {}), signal: controller.signal })) {
          const table = event.name;
          if (table.startsWith(reservedTablePrefix) || (wanted && !wanted.has(table))) continue;
          const id = `${event.checkpoint.block}:${event.checkpoint.index}`;
          if (!raw.write(`id: ${id}\nevent: revision\ndata: ${JSON.stringify(event)}\n\n`)) {
            await drained(raw, controller.signal);
          }
        }
      } catch (error) {
        if (!controller.signal.aborted && !isLedgerError(error, 'UNAVAILABLE')) {
          app.log.error({ requestId: request.id, err: error }, 'event stream failed');
          raw.write(`event: error\ndata: ${JSON.stringify(toHttpError(error).body)}\n\n`);
        }
      } finally {
        clearInterval(heartbeat);
        streams.delete(controller);
        raw.end();
        ended?.(request, 200);
      }
    },
  );
}

function drained(raw: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      raw.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    raw.once('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
