// GET /v1/events as an async iterable of verified events that survives dropped connections
// and server restarts: it reconnects with Last-Event-ID after a jittered pause.
import { type EventsOptions, isLedgerError, type LedgerEvent, type RetryOptions } from '@ledgerkit/core';
import type { DocumentRevision } from '../types.js';
import { errorFromBody, errorOf, retryableStatus, type ServerApi } from './server-api.js';
import { readEvents } from './sse.js';
import type { HttpResponse } from './transport.js';

/** What the event stream needs of its client. */
export interface EventStreamContext {
  api: ServerApi;
  /** Aborted when the client closes. */
  closed: AbortSignal;
  /** Pauses between reconnections (base and maximum delay). */
  retry: RetryOptions;
  /** Checks each event's revision before it is delivered. */
  verifyRevision(revision: DocumentRevision): Promise<void>;
}

/**
 * Committed revisions as events, each verified, resumable from any delivered checkpoint.
 *
 * @param options - where to start, which tables, and a signal that ends the stream
 * @param context - the client's API, its close signal, pauses and verification
 */
export async function* ledgerEvents(
  options: EventsOptions & { tables?: readonly string[] },
  context: EventStreamContext,
): AsyncIterable<LedgerEvent> {
  let last = options.from ? `${options.from.block}:${options.from.index}` : undefined;
  const signals = [context.closed, ...(options.signal ? [options.signal] : [])];
  const signal = AbortSignal.any(signals);
  let failures = 0;
  while (!signal.aborted) {
    const query = new URLSearchParams();
    if (options.tables) query.set('tables', options.tables.join(','));
    let response: HttpResponse;
    try {
      response = await context.api.stream(
        `v1/events${query.size > 0 ? `?${query}` : ''}`,
        { accept: 'text/event-stream', ...(last ? { 'last-event-id': last } : {}) },
        signal,
      );
    } catch (error) {
      if (signal.aborted) return;
      if (!isLedgerError(error, 'UNAVAILABLE')) throw error;
      await pause(context.retry, ++failures, signal);
      continue;
    }
    if (response.status !== 200) {
      const error = await errorOf(response);
      if (!retryableStatus.has(response.status)) throw error;
      await pause(context.retry, ++failures, signal);
      continue;
    }
    try {
      for await (const message of readEvents(response.body)) {
        failures = 0;
        if (message.event === 'error') throw errorFromBody(JSON.parse(message.data), 500);
        if (message.event !== 'revision') continue;
        const event = JSON.parse(message.data) as LedgerEvent;
        await context.verifyRevision(event.payload as unknown as DocumentRevision);
        last = message.id ?? last;
        yield event;
      }
    } catch (error) {
      response.cancel();
      if (signal.aborted) return;
      if (!isLedgerError(error, 'UNAVAILABLE')) throw error;
    }
    if (signal.aborted) return;
    // The server ended the stream (shutdown) or the connection dropped: resume.
    await pause(context.retry, ++failures, signal);
  }
}

async function pause(retry: RetryOptions, attempt: number, signal: AbortSignal): Promise<void> {
  const base = retry.baseDelayMs ?? 50;
  const max = retry.maxDelayMs ?? 2_000;
  const delay = Math.min(max, base * 2 ** Math.min(attempt, 16)) * (0.5 + Math.random() / 2);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, delay);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
