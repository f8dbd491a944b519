// The same journey on Fabric: the app server starts a two-organization network itself
// (`--fabric`), as a user would; offers go to an organization, so the refused acceptance is
// tried by the retailer, whose organization was not offered the batch.
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, test } from 'vitest';
import { type AppServer, startAppServer } from './app-server.ts';
import { journey } from './journey.ts';

const artifacts = fileURLToPath(new URL('../test-artifacts/', import.meta.url));

let server: AppServer;
let browser: Browser;

beforeAll(async () => {
  await mkdir(artifacts, { recursive: true });
  server = await startAppServer(['--fabric', '--no-ethereum']);
  // The page is served at once; Fabric becomes available when its network is up.
  const deadline = Date.now() + 300_000;
  for (;;) {
    const { backends } = (await (await fetch(`${server.url}/api/backends`)).json()) as {
      backends: Array<{ kind: string; available: boolean; starting: boolean; reason?: string }>;
    };
    const fabric = backends.find((backend) => backend.kind === 'fabric');
    if (fabric?.available) break;
    if (!fabric?.starting || Date.now() > deadline) {
      throw new Error(`Fabric did not start: ${fabric?.reason ?? 'no answer'}\n${server.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
}, 360_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
}, 120_000);

test('fabric: a batch from registration to receipt, a refused rule, verified in the browser, the file verified by the CLI', async () => {
  await journey({
    browser,
    url: server.url,
    backend: 'fabric',
    artifacts,
    serverOutput: () => server.output(),
    intruder: 'shop',
  });
});
