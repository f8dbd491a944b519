// The web app in real headless Chromium, on ledgerdb (centralized) and Ethereum (decentralized):
// a batch's whole journey through the page, a refused rule shown as a readable message, the
// provenance verified in the browser, and the downloaded file accepted by `ledgerkit verify`.
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { type AppServer, startAppServer } from './app-server.ts';
import { journey } from './journey.ts';

const artifacts = fileURLToPath(new URL('../test-artifacts/', import.meta.url));

let server: AppServer;
let browser: Browser;

beforeAll(async () => {
  await mkdir(artifacts, { recursive: true });
  server = await startAppServer();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe.each(['ledgerdb', 'ethereum'] as const)('%s', (backend) => {
  test('a batch from registration to receipt, a refused rule, verified in the browser, the file verified by the CLI', async () => {
    await journey({ browser, url: server.url, backend, artifacts, serverOutput: () => server.output() });
  });
});
