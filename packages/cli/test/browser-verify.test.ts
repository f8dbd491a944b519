// The verify entries of every backend, bundled for a browser with no Node polyfills and run in
// real headless Chromium: an auditor can verify a receipt with nothing installed.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Verification } from '@ledgerkit/core';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type GoldenVector, goldenVectors } from './golden-vectors.js';

const cli = fileURLToPath(new URL('..', import.meta.url));
const backends = ['ledgerdb', 'ethereum', 'fabric'] as const;
const verifierNames: Record<(typeof backends)[number], string> = {
  ledgerdb: 'verifyLedgerdbReceipt',
  ethereum: 'verifyEthereumReceipt',
  fabric: 'verifyFabricReceipt',
};

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

// A `process` reference behind a `typeof process` guard (the debug package) is harmless; the
// page below, which has no process global, is the real check.
test('the bundle of the verify entries imports no node: module and uses no Buffer', () => {
  expect(bundle.length).toBeGreaterThan(1000);
  expect(bundle).not.toMatch(/\bfrom\s*["']node:|require\(["']node:|import\(["']node:/);
  expect(bundle).not.toMatch(/\bBuffer\.(from|alloc|concat)\b/);
});

async function verifyInPage(backend: string, vector: GoldenVector): Promise<Verification> {
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
  test('every valid golden receipt verifies and every tampered one does not', async () => {
    const vectors = await goldenVectors(backend);
    expect(vectors.filter((vector) => vector.ok).length).toBeGreaterThan(0);
    expect(vectors.filter((vector) => !vector.ok).length).toBeGreaterThan(0);
    for (const vector of vectors) {
      const result = await verifyInPage(backend, vector);
      expect({ name: vector.name, ok: result.ok }).toEqual({ name: vector.name, ok: vector.ok });
      const failed = result.checks.filter((check) => !check.ok).map((check) => check.name);
      for (const check of vector.failing) expect(failed, vector.name).toContain(check);
    }
  }, 120_000);
});
