// HTTPS and mTLS: with a CA configured, clients must present a certificate it signed,
// and still need a token. Certificates come from the openssl command line.
// Starts: an in-process Fastify HTTPS server on a free port.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { LedgerdbClient } from '../src/client.js';
import { codeOf } from './error-code.js';
import { startTestServer, type TestServer } from './server-helpers.js';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'ledgerdb-tls-'));
const file = (name: string) => join(dir, name);
const pem = (name: string) => readFileSync(file(name), 'utf8');

function makeCertificates(): void {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  run(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=test-ca',
  );
  for (const [name, extension] of [
    ['server', 'subjectAltName=IP:127.0.0.1'],
    ['client', 'extendedKeyUsage=clientAuth'],
    ['stranger', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    run(
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${name}`,
    );
    const signer =
      name === 'stranger' ? ['-signkey', `${name}.key`] : ['-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial'];
    writeExt(name, extension);
    run(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      ...signer,
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    );
  }
}

function writeExt(name: string, line: string): void {
  execFileSync('sh', ['-c', `printf '%s\\n' "${line}" > ${name}.ext`], { cwd: dir });
}

const available = hasOpenssl();
let t: TestServer;
beforeAll(async () => {
  if (!available) return;
  makeCertificates();
  t = await startTestServer({
    server: { tls: { key: pem('server.key'), cert: pem('server.crt'), ca: pem('ca.crt') } },
  });
});
afterAll(async () => {
  await t?.close();
});

test.skipIf(!available)('a client certificate signed by the CA and a token are both required', async () => {
  expect(t.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  const tls = { ca: pem('ca.crt'), cert: pem('client.crt'), key: pem('client.key') };
  const client = new LedgerdbClient({ url: t.url, token: t.tokens.writer as string, tls });
  await client.transaction([{ op: 'insert', table: 'orders', id: 'tls-1', data: { secure: true } }]);
  expect(await client.evaluate({ method: 'get', args: ['orders', 'tls-1'] })).toEqual({ secure: true });

  const noCertificate = new LedgerdbClient({
    url: t.url,
    token: t.tokens.writer as string,
    tls: { ca: pem('ca.crt') },
    retry: { retries: 0 },
  });
  expect(await codeOf(noCertificate.digest())).toBe('UNAVAILABLE');
  const selfSigned = new LedgerdbClient({
    url: t.url,
    token: t.tokens.writer as string,
    tls: { ca: pem('ca.crt'), cert: pem('stranger.crt'), key: pem('stranger.key') },
    retry: { retries: 0 },
  });
  expect(await codeOf(selfSigned.digest())).toBe('UNAVAILABLE');
  const noToken = new LedgerdbClient({ url: t.url, token: 'ldb_wrong', tls, retry: { retries: 0 } });
  expect(await codeOf(noToken.digest())).toBe('UNAUTHENTICATED');
});
