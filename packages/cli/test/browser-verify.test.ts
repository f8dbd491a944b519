// The verify entries of every backend, bundled for a browser with no Node polyfills and run in
// real headless Chromium: an auditor can verify a receipt with nothing installed.
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Verification, VerificationBundle } from '@ledgerkit/core';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const cli = fileURLToPath(new URL('..', import.meta.url));
const packages = join(cli, '..');
const backends = ['ledgerdb'] as const;
const verifierNames: Record<(typeof backends)[number], string> = {
  ledgerdb: 'verifyLedgerdbReceipt',
};

interface Vector {
  bundle: VerificationBundle;
  anchor?: unknown;
  expect: { ok: boolean; failing?: string[] };
}

let bundle: string;
let server: Server;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  const contents = [
    ...backends.map((backend) => `import { ${verifierNames[backend]} } from '@ledgerkit/${backend}/verify';`),
    `globalThis.ledgerkitVerify = { ${backends.map((backend) => `${backend}: ${verifierNames[backend]}`).join(', ')} };`,
  ].join('\n');
  const result = await build({
    stdin: { contents, resolveDir: cli, sourcefile: 'verify-entry.js' },
    bundle: true,
    platform: 'browser',
    format: 'iife',
    write: false,
    logLevel: 'silent',
  });
  bundle = result.outputFiles[0]?.text ?? '';
  server = createServer((request, response) => {
    if (request.url === '/verify.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' });
      response.end(bundle);
    } else {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<!doctype html><title>ledgerkit verify</title><script src="/verify.js"></script>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  await page.waitForFunction(() => 'ledgerkitVerify' in globalThis);
  expect(errors).toEqual([]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

test('the bundle of the verify entries imports no node: module and uses no Buffer or process', () => {
  expect(bundle.length).toBeGreaterThan(1000);
  expect(bundle).not.toMatch(/\bfrom\s*["']node:|require\(["']node:|import\(["']node:/);
  expect(bundle).not.toMatch(/\bBuffer\.(from|alloc|concat)\b/);
  expect(bundle).not.toMatch(/\bprocess\.(env|versions|nextTick)\b/);
});

async function verifyInPage(backend: string, vector: Vector): Promise<Verification> {
  // Crosses into the page as JSON text, as an auditor's file would.
  const input = JSON.stringify({
    backend,
    subject: vector.bundle.subject,
    evidence: vector.bundle.evidence,
    anchor: vector.anchor,
  });
  const output = await page.evaluate(async (text: string) => {
    type Verifier = (subject: unknown, evidence: unknown, anchor?: unknown) => Promise<unknown>;
    const { backend, subject, evidence, anchor } = JSON.parse(text);
    const verifiers = (globalThis as unknown as { ledgerkitVerify: Record<string, Verifier> }).ledgerkitVerify;
    return JSON.stringify(await (verifiers[backend] as Verifier)(subject, evidence, anchor));
  }, input);
  return JSON.parse(output) as Verification;
}

describe.each(backends)('%s in Chromium', (backend) => {
  test('a valid golden receipt verifies and a tampered one does not', async () => {
    const folder = join(packages, backend, 'testdata', 'receipts');
    const names = (await readdir(folder)).filter((name) => name.endsWith('.json')).sort();
    const vectors = await Promise.all(
      names.map(async (name) => [name, JSON.parse(await readFile(join(folder, name), 'utf8')) as Vector] as const),
    );
    const valid = vectors.filter(([, vector]) => vector.expect.ok);
    const tampered = vectors.filter(([, vector]) => !vector.expect.ok);
    expect(valid.length).toBeGreaterThan(0);
    expect(tampered.length).toBeGreaterThan(0);
    for (const [name, vector] of [...valid, ...tampered]) {
      const result = await verifyInPage(backend, vector);
      expect({ name, ok: result.ok }).toEqual({ name, ok: vector.expect.ok });
      const failed = result.checks.filter((check) => !check.ok).map((check) => check.name);
      for (const check of vector.expect.failing ?? []) expect(failed, name).toContain(check);
    }
  }, 120_000);
});
