// A tampering HTTP proxy for client tests: forwards to a real server and lets a test
// rewrite responses, or lose them after the server has answered.
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface ProxyResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type Tamper = (request: { method: string; path: string }, response: ProxyResponse) => ProxyResponse | 'drop';

export async function startProxy(
  target: () => string,
  tamper: Tamper,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(async (request: IncomingMessage, reply) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string' && !['host', 'connection', 'content-length'].includes(name)) headers[name] = value;
    }
    const method = request.method ?? 'GET';
    const path = request.url ?? '/';
    try {
      const upstream = await fetch(new URL(path, target()), {
        method,
        headers,
        ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
      });
      const original: ProxyResponse = {
        status: upstream.status,
        headers: { 'content-type': upstream.headers.get('content-type') ?? 'application/json' },
        body: await upstream.text(),
      };
      for (const name of ['idempotent-replayed']) {
        const value = upstream.headers.get(name);
        if (value !== null) original.headers[name] = value;
      }
      const changed = tamper({ method, path }, original);
      if (changed === 'drop') {
        request.socket.destroy();
        return;
      }
      reply.writeHead(changed.status, changed.headers);
      reply.end(changed.body);
    } catch {
      reply.writeHead(502).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
