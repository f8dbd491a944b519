// The same journey on Fabric. The page shows Fabric unavailable, with the reason, until the
// user presses "Start Fabric": the app server then starts a two-organization network itself.
// Offers go to an organization, so the refused acceptance is tried by the retailer, whose
// organization was not offered the batch.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type AppServer, startAppServer } from './app-server.ts';
import { journey } from './journey.ts';

const artifacts = fileURLToPath(new URL('../test-artifacts/', import.meta.url));

let server: AppServer;
let browser: Browser;

beforeAll(async () => {
  await mkdir(artifacts, { recursive: true });
  server = await startAppServer(['--no-ethereum']);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
}, 120_000);

test('fabric: started from the page, then a batch from registration to receipt, verified in the browser and by the CLI', async () => {
  const page = await browser.newPage();
  try {
    await page.goto(`${server.url}/`);
    const fabric = page.getByRole('radio', { name: /^Fabric/ });
    await fabric.waitFor();
    expect(await fabric.isDisabled()).toBe(true);
    expect(await page.locator('#fabric-reason').textContent()).toMatch(/unavailable: no Fabric network is running/);
    expect(await page.locator('#ethereum-reason').textContent()).toMatch(/--no-ethereum/);
    await page.getByRole('button', { name: 'Start Fabric' }).click();
    // Starting a network takes 20-60 s (longer on a busy machine); a failure shows in the alert region.
    const alert = page.locator('[role="alert"].notice');
    const status = page.locator('[role="status"].notice');
    await expect
      .poll(
        async () => {
          if (await alert.count()) return `alert: ${await alert.textContent()}`;
          return (await status.count()) ? await status.textContent() : '';
        },
        { timeout: 240_000, interval: 1000 },
      )
      .toBe('Fabric is running.');
    expect(await fabric.isDisabled()).toBe(false);
    await page.screenshot({ path: join(artifacts, 'fabric-started.png') });
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- app server output ---\n${server.output()}`, { cause: error });
  } finally {
    await page.close();
  }
  await journey({
    browser,
    url: server.url,
    backend: 'fabric',
    artifacts,
    serverOutput: () => server.output(),
    intruder: 'shop',
  });
}, 420_000);
