// The API server: the page's only door to the ledgers. It holds every participant's key and
// acts as the one the page names; it serves the evidence an auditor verifies in the browser,
// and never a verdict of its own.
import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import type { LedgerKind, TrustAnchor } from '@ledgerkit/core';
import type { NewCheckpoint, SupplyChain } from '@ledgerkit/example-supply-chain';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { Backend } from './backend.ts';
import { errorBody, statusOf } from './errors.ts';

/** How a backend that is not running is reported, and how it can be started. */
export interface BackendSlot {
  kind: LedgerKind;
  backend?: Backend;
  /** Why it is not available (`undefined` while it runs). */
  reason?: string | undefined;
  /** Starts it when the page asks (Fabric); absent when it cannot be started from the page. */
  start?: () => Promise<Backend>;
  starting?: Promise<Backend> | undefined;
}

/** Options of {@link createApi}. */
export interface ApiOptions {
  slots: BackendSlot[];
  /** The built page (`dist/`), served at `/`; absent: API only. */
  staticDir?: string;
  log?: (line: string) => void;
}

/**
 * The fastify app with the API under `/api` and the page at `/`.
 *
 * @param options - the backends and the built page
 * @returns the app, not yet listening
 */
export async function createApi(options: ApiOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
  const slots = new Map(options.slots.map((slot) => [slot.kind, slot]));

  app.setErrorHandler((error, _request, reply) => {
    void sendJson(reply, statusOf(error), errorBody(error));
  });
  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith('/api/') || !options.staticDir) {
      return sendJson(reply, 404, {
        error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` },
      });
    }
    // A reload on a client-side route still gets the page.
    return reply.sendFile('index.html');
  });
  if (options.staticDir && existsSync(options.staticDir)) {
    await app.register(fastifyStatic, { root: options.staticDir, prefix: '/' });
  }

  const backendOf = (kind: string): Backend => {
    const slot = slots.get(kind as LedgerKind);
    if (!slot) throw apiError(404, 'NOT_FOUND', `no backend ${kind}; this server has ${[...slots.keys()].join(', ')}`);
    if (!slot.backend) {
      throw apiError(503, 'UNAVAILABLE', `${kind} is not available: ${slot.reason ?? 'not started'}`);
    }
    return slot.backend;
  };
  const asParty = (backend: Backend, body: unknown): SupplyChain => backend.as(stringField(body, 'as'));

  app.get('/api/backends', async () => ({
    backends: options.slots.map((slot) => ({
      kind: slot.kind,
      available: slot.backend !== undefined,
      starting: slot.starting !== undefined && slot.backend === undefined,
      canStart: slot.start !== undefined && slot.backend === undefined,
      ...(slot.backend
        ? {
            trustModel: slot.backend.trustModel,
            description: slot.backend.description,
            participants: slot.backend.participants,
          }
        : { reason: slot.reason ?? 'not started' }),
    })),
  }));

  app.post<{ Params: { kind: string } }>('/api/backends/:kind/start', async (request) => {
    const slot = slots.get(request.params.kind as LedgerKind);
    if (!slot) throw apiError(404, 'NOT_FOUND', `no backend ${request.params.kind}`);
    if (slot.backend) return { kind: slot.kind, available: true };
    if (!slot.start) throw apiError(400, 'INVALID_ARGUMENT', `${slot.kind} cannot be started from the page`);
    await startSlot(slot, options.log);
    return { kind: slot.kind, available: true };
  });

  app.get<{ Params: { kind: string } }>('/api/:kind/batches', async (request) => {
    const backend = backendOf(request.params.kind);
    const reader = backend.as(auditorOf(backend));
    const batches = [];
    for (const id of await backend.batchIds()) batches.push(await reader.batch(id));
    return { batches };
  });

  app.get<{ Params: { kind: string; id: string } }>('/api/:kind/batches/:id', async (request) => {
    const backend = backendOf(request.params.kind);
    const reader = backend.as(auditorOf(backend));
    const [batch, history] = [await reader.batch(request.params.id), await reader.history(request.params.id)];
    return { batch, history };
  });

  app.post<{ Params: { kind: string } }>('/api/:kind/batches', async (request) => {
    const backend = backendOf(request.params.kind);
    const body = request.body;
    const step = await asParty(backend, body).register({
      id: stringField(body, 'id'),
      product: stringField(body, 'product'),
      documentHash: stringField(body, 'documentHash'),
      maxTemperature: numberField(body, 'maxTemperature'),
    });
    backend.registered(stringField(body, 'id'));
    return { step };
  });

  app.post<{ Params: { kind: string; id: string } }>('/api/:kind/batches/:id/offer', async (request) => {
    const backend = backendOf(request.params.kind);
    const to = stringField(request.body, 'to');
    const receiver = backend.participants.find((participant) => participant.name === to);
    if (!receiver) throw apiError(400, 'INVALID_ARGUMENT', `no participant ${to} on ${backend.kind}`);
    return { step: await asParty(backend, request.body).offerCustody(request.params.id, receiver.party) };
  });

  app.post<{ Params: { kind: string; id: string } }>('/api/:kind/batches/:id/accept', async (request) => {
    const backend = backendOf(request.params.kind);
    return { step: await asParty(backend, request.body).acceptCustody(request.params.id) };
  });

  app.post<{ Params: { kind: string; id: string } }>('/api/:kind/batches/:id/checkpoints', async (request) => {
    const backend = backendOf(request.params.kind);
    const body = request.body;
    const checkpoint: NewCheckpoint = {
      location: stringField(body, 'location'),
      temperature: numberField(body, 'temperature'),
      documentHash: stringField(body, 'documentHash'),
    };
    return { step: await asParty(backend, body).recordCheckpoint(request.params.id, checkpoint) };
  });

  app.post<{ Params: { kind: string; id: string } }>('/api/:kind/batches/:id/receive', async (request) => {
    const backend = backendOf(request.params.kind);
    return { step: await asParty(backend, request.body).receive(request.params.id) };
  });

  app.get<{ Params: { kind: string } }>('/api/:kind/anchor', async (request) => {
    const backend = backendOf(request.params.kind);
    return { anchor: await backend.currentAnchor(), servedBy: 'operator', at: new Date().toISOString() };
  });

  // POST: the anchor the auditor pinned travels in the body (ledgerdb evidence must lead to its digest).
  app.post<{ Params: { kind: string; id: string } }>('/api/:kind/batches/:id/bundles', async (request) => {
    const backend = backendOf(request.params.kind);
    const anchor = (request.body as { anchor?: TrustAnchor } | undefined)?.anchor;
    await backend.as(auditorOf(backend)).batch(request.params.id);
    return { bundles: await backend.bundles(request.params.id, anchor) };
  });

  app.addHook('onClose', async () => {
    for (const slot of options.slots) {
      // A backend still starting (a Fabric network) is stopped once it is up, not left running.
      const backend = slot.backend ?? (await slot.starting?.catch(() => undefined));
      await backend?.close().catch(() => {});
    }
  });
  return app;
}

/**
 * Starts a slot's backend once; concurrent requests wait for the same start.
 *
 * @param slot - a slot with `start`
 * @param log - progress lines
 * @returns the running backend
 * @throws the start's error, also kept as the slot's reason
 */
export async function startSlot(slot: BackendSlot, log: (line: string) => void = () => {}): Promise<Backend> {
  if (slot.backend) return slot.backend;
  if (!slot.start) throw apiError(400, 'INVALID_ARGUMENT', `${slot.kind} cannot be started`);
  slot.starting ??= slot.start();
  try {
    slot.backend = await slot.starting;
    slot.reason = undefined;
    log(`${slot.kind}: running`);
    return slot.backend;
  } catch (error) {
    slot.reason = `it failed to start: ${(error as Error)?.message ?? String(error)}`;
    log(`${slot.kind}: ${slot.reason}`);
    throw apiError(503, 'UNAVAILABLE', `${slot.kind} ${slot.reason}`);
  } finally {
    slot.starting = undefined;
  }
}

function auditorOf(backend: Backend): string {
  return (backend.participants.find((participant) => participant.role === 'auditor') ?? backend.participants[0])
    ?.name as string;
}

async function sendJson(reply: FastifyReply, status: number, body: unknown) {
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send(JSON.stringify(body, (_key, value) => (typeof value === 'bigint' ? value.toString() : value)));
}

/** An error the API raises itself, answered like a LedgerError of the same code. */
function apiError(status: number, code: string, message: string): Error {
  return Object.assign(new Error(message), { statusCode: status, apiCode: code });
}

function stringField(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | null | undefined)?.[name];
  if (typeof value !== 'string') throw apiError(400, 'INVALID_ARGUMENT', `the request needs "${name}" (a string)`);
  return value;
}

function numberField(body: unknown, name: string): number {
  const value = (body as Record<string, unknown> | null | undefined)?.[name];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw apiError(400, 'INVALID_ARGUMENT', `the request needs "${name}" (a number)`);
  }
  return value;
}
