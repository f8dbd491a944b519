// One batch's journey through the page, as a user drives it: the same on every backend.
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

const cli = fileURLToPath(new URL('../../../packages/cli/dist/cli.js', import.meta.url));

/** What {@link journey} needs. */
export interface JourneyOptions {
  browser: Browser;
  url: string;
  backend: 'ledgerdb' | 'ethereum' | 'fabric';
  artifacts: string;
  serverOutput: () => string;
  /** Fabric has one carrier: the refused acceptance is tried by the auditor's organization instead. */
  intruder?: string;
}

const backendLabel = { ledgerdb: /^ledgerdb/, ethereum: /^Ethereum/, fabric: /^Fabric/ } as const;

/**
 * Registers a batch, hands it over, records an over-temperature checkpoint, receives it,
 * shows two refused rules, verifies the provenance in the page and the downloaded file with
 * the CLI; checks labels and keyboard operation on the way, and saves screenshots.
 *
 * @param options - browser, app URL, backend and where screenshots go
 */
export async function journey(options: JourneyOptions): Promise<void> {
  const { browser, url, backend, artifacts } = options;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  try {
    await page.goto(`${url}/`);
    await page.getByRole('radio', { name: backendLabel[backend] }).check();
    await signIn(page, 'acme');
    await expect.poll(() => unlabelledControls(page)).toEqual([]);

    // Registration with the keyboard only: type, Tab through the form in order, Enter submits.
    const id = `lot-${backend.slice(0, 3)}-${Date.now() % 100_000}`;
    await page.getByLabel('Batch id').focus();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(id);
    for (const next of ['Product', 'Highest allowed temperature (°C)', 'Certificate (its SHA-256 is recorded)']) {
      await page.keyboard.press('Tab');
      expect(await isFocused(page.getByLabel(next, { exact: true })), `Tab reaches ${next}`).toBe(true);
    }
    await page.keyboard.press('Tab');
    const register = page.getByRole('button', { name: 'Register batch' });
    expect(await isFocused(register), 'Tab reaches the submit button').toBe(true);
    expect(await focusRing(register), 'the focused button shows a focus ring').not.toBe('none');
    await page.keyboard.press('Enter');
    await announced(page, `Batch ${id} registered`);
    await page.getByRole('button', { name: new RegExp(`^Batch ${id}: mRNA vaccine, active`) }).waitFor();
    await page.getByRole('heading', { name: `Batch ${id}: mRNA vaccine` }).waitFor();

    await page.getByLabel('Offer custody to').selectOption('haulage');
    await page.getByRole('button', { name: 'Offer custody' }).click();
    await announced(page, 'Custody offered to North Haulage');

    // Someone the offer was not made to: refused by the rules, shown as a readable message.
    await signIn(page, options.intruder ?? 'coldtrans');
    await page.getByRole('button', { name: 'Accept custody' }).click();
    await refused(page, /Refused by the rules \(NOT_OFFERED_TO\)|PERMISSION_DENIED/);
    await page.screenshot({ path: join(artifacts, `${backend}-rule-refused.png`), fullPage: true });

    // The right carrier accepts with the keyboard: focus and Space.
    await signIn(page, 'haulage');
    await page.getByRole('button', { name: 'Accept custody' }).focus();
    await page.keyboard.press('Space');
    await announced(page, 'Custody accepted');
    await expect.poll(() => page.locator('.summary').textContent()).toContain('Custodian');
    await checkpoint(page, 'DE-HAM', '5.5');
    expect(await page.getByTestId('flagged').count(), 'a reading below the limit does not flag').toBe(0);
    await checkpoint(page, 'NL-RTM', '12.5');
    await page.getByTestId('flagged').waitFor();
    await page.getByRole('button', { name: new RegExp(`^Batch ${id}: .*flagged`) }).waitFor();

    await page.getByLabel('Offer custody to').selectOption('shop');
    await page.getByRole('button', { name: 'Offer custody' }).click();
    await announced(page, 'Custody offered to City Pharmacy');
    await signIn(page, 'shop');
    await page.getByRole('button', { name: 'Accept custody' }).click();
    await announced(page, 'Custody accepted');
    await checkpoint(page, 'FR-PAR', '4');
    await page.getByRole('button', { name: 'Receive batch' }).click();
    await announced(page, 'Batch received');
    await page.getByRole('button', { name: new RegExp(`^Batch ${id}: mRNA vaccine, received, flagged`) }).waitFor();

    // A received batch is final.
    await page.getByRole('button', { name: 'Receive batch' }).click();
    await refused(page, /Refused by the rules \(BATCH_RECEIVED\)/);

    const timeline = page.getByRole('list', { name: 'Provenance timeline' }).getByRole('listitem');
    await expect.poll(() => timeline.count()).toBe(9);
    expect(await timeline.allTextContents()).toEqual([
      expect.stringMatching(/Registered.*registered mRNA vaccine \(limit 8 °C\)/),
      expect.stringMatching(/Custody offered.*offered custody to .*North Haulage/),
      expect.stringMatching(/Custody changed.*took custody from Acme Pharma/),
      expect.stringMatching(/Checkpoint.*checkpoint 1 at DE-HAM: 5\.5 °C/),
      expect.stringMatching(
        /Checkpoint — excursion.*checkpoint 2 at NL-RTM: 12\.5 °C — above the limit, batch flagged/,
      ),
      expect.stringMatching(/Custody offered.*offered custody to .*City Pharmacy/),
      expect.stringMatching(/Custody changed.*took custody from North Haulage/),
      expect.stringMatching(/Checkpoint.*checkpoint 3 at FR-PAR: 4 °C/),
      expect.stringMatching(/Received.*received the batch \(final\)/),
    ]);
    const chart = page.getByTestId('temperature-chart');
    // A horizontal line has no height, which Playwright calls hidden: attached is what counts.
    await chart.locator('svg .recharts-reference-line line').waitFor({ state: 'attached' });
    await chart.locator('svg .recharts-line path').first().waitFor();
    expect(await chart.getByText('limit 8 °C').count()).toBe(1);
    await chart.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(artifacts, `${backend}-timeline.png`), fullPage: true });

    // The auditor verifies in the page: first against the anchor the operator served…
    await signIn(page, 'audit');
    await page.getByRole('radio', { name: /anchor served with the evidence/ }).check();
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await expect.poll(() => verdictOf(page), { timeout: 60_000 }).toMatch(/^All \d+ receipts verified/);
    const results = page.locator('.bundle-results > li');
    expect(await results.count()).toBeGreaterThanOrEqual(9);
    expect(await page.locator('.checks tr.failed').count()).toBe(0);
    expect(await page.locator('.anchor').first().textContent()).toContain('explicit: false');
    // Each step of the timeline is tied to its verified receipt.
    await expect.poll(() => page.locator('.timeline .step-verified.ok').count()).toBe(9);

    // …then against an anchor it pinned (explicit), and a forged one, which fails.
    await page.getByRole('button', { name: "Pin the operator's current anchor" }).click();
    const anchorBox = page.getByLabel('Pinned anchor (TrustAnchor JSON from a source you trust)');
    await expect.poll(() => anchorBox.inputValue()).toContain('"type"');
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await expect.poll(() => verdictOf(page), { timeout: 60_000 }).toMatch(/^All \d+ receipts verified/);
    expect(await page.locator('.anchor').first().textContent()).toContain('explicit: true');
    await page
      .locator('.bundle-results details')
      .first()
      .evaluate((element) => {
        (element as HTMLDetailsElement).open = true;
      });
    await page.screenshot({ path: join(artifacts, `${backend}-verified.png`), fullPage: true });

    const pinned = JSON.parse(await anchorBox.inputValue());
    await anchorBox.fill(JSON.stringify(forged(pinned)));
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await expect.poll(() => verdictOf(page), { timeout: 60_000 }).toMatch(/receipts failed verification/);
    expect(await page.locator('.checks tr.failed').count()).toBeGreaterThan(0);
    expect(await page.locator('.timeline .step-verified.failed').count()).toBeGreaterThan(0);

    // The provenance file: `ledgerkit verify` accepts it, and refuses it with one value changed.
    await page.getByRole('radio', { name: /anchor served with the evidence/ }).check();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download provenance' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`provenance-${backend}-${id}.json`);
    const file = join(artifacts, download.suggestedFilename());
    await download.saveAs(file);
    const bundles = JSON.parse(await readFile(file, 'utf8')) as Array<{
      format: string;
      subject: { value?: unknown; timestamp?: unknown };
    }>;
    expect(bundles.length).toBeGreaterThanOrEqual(9);
    expect(bundles.every((bundle) => bundle.format === 'ledgerkit.verification-bundle')).toBe(true);
    const verified = spawnSync(process.execPath, [cli, 'verify', file], { encoding: 'utf8' });
    expect(verified.status, verified.stdout + verified.stderr).toBe(0);
    changeOneValue(bundles);
    const changed = join(artifacts, `provenance-${backend}-${id}-changed.json`);
    await writeFile(changed, JSON.stringify(bundles));
    const refusedFile = spawnSync(process.execPath, [cli, 'verify', changed], { encoding: 'utf8' });
    expect(refusedFile.status, refusedFile.stdout + refusedFile.stderr).toBe(1);

    expect(pageErrors, 'no uncaught error in the page').toEqual([]);
  } catch (error) {
    await page.screenshot({ path: join(artifacts, `${backend}-failure.png`), fullPage: true }).catch(() => {});
    throw new Error(`${(error as Error).message}\n--- app server output ---\n${options.serverOutput()}`, {
      cause: error,
    });
  } finally {
    await context.close();
  }
}

async function signIn(page: Page, name: string): Promise<void> {
  await page.getByLabel('Signed in as').selectOption(name);
}

async function checkpoint(page: Page, location: string, temperature: string): Promise<void> {
  await page.getByLabel('Location code').fill(location);
  await page.getByLabel('Temperature (°C)', { exact: true }).fill(temperature);
  await page.getByRole('button', { name: 'Record checkpoint' }).click();
  await announced(page, `Checkpoint at ${location} recorded`);
}

/** Waits for the status region to announce a committed action (or fails with the alert's text). */
async function announced(page: Page, text: string): Promise<void> {
  const status = page.locator('[role="status"].notice');
  const alert = page.locator('[role="alert"].notice');
  await expect
    .poll(
      async () => {
        if (await alert.count()) return `alert: ${await alert.textContent()}`;
        return (await status.count()) ? await status.textContent() : '';
      },
      { timeout: 90_000 },
    )
    .toContain(text);
}

/** Waits for the alert region to show a refusal; it must be a sentence, not a stack. */
async function refused(page: Page, reason: RegExp): Promise<void> {
  const alert = page.getByRole('alert');
  await expect.poll(() => alert.textContent(), { timeout: 90_000 }).toMatch(reason);
  const text = (await alert.textContent()) ?? '';
  expect(text).not.toMatch(/\n\s+at |Error: |\{"/);
}

/** The verdict line, with the first failed checks when there are any. */
async function verdictOf(page: Page): Promise<string> {
  const verdict = page.getByTestId('verdict');
  if ((await verdict.count()) === 0) return '';
  const text = (await verdict.textContent()) ?? '';
  const failed = await page.locator('.checks tr.failed').allTextContents();
  return failed.length === 0 ? text : `${text} First failed checks: ${failed.slice(0, 3).join(' | ')}`;
}

async function isFocused(locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => element === document.activeElement);
}

async function focusRing(locator: Locator): Promise<string> {
  return locator.evaluate((element) => getComputedStyle(element).outlineStyle);
}

/** Every form control and button on the page without an accessible name. */
async function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('input, select, textarea, button')]
      .filter((element) => {
        const control = element as HTMLInputElement;
        if (control.type === 'hidden') return false;
        if (control.getAttribute('aria-label') || control.getAttribute('aria-labelledby')) return false;
        if (element.tagName === 'BUTTON') return (element.textContent ?? '').trim() === '';
        return (control.labels?.length ?? 0) === 0;
      })
      .map((element) => element.outerHTML.slice(0, 120)),
  );
}

/** The same anchor with its hash changed: what a forger would hand the auditor. */
function forged(anchor: Record<string, unknown>): Record<string, unknown> {
  if (anchor.type === 'ledgerdb-digest') {
    const digest = anchor.digest as Record<string, unknown>;
    return { ...anchor, digest: { ...digest, rootHash: flipLast(String(digest.rootHash)) } };
  }
  if (anchor.type === 'ethereum-block') return { ...anchor, hash: flipLast(String(anchor.hash)) };
  // MSP roots: another organization's root for every MSP.
  const roots = anchor.roots as Record<string, string[]>;
  const [first, second] = Object.keys(roots);
  return { ...anchor, roots: { ...roots, [first as string]: roots[second as string] ?? [] } };
}

function flipLast(hex: string): string {
  return `${hex.slice(0, -1)}${hex.endsWith('0') ? '1' : '0'}`;
}

/**
 * Changes the product of the first revision that holds one (a value the receipt proves), or,
 * in a file of receipts (Fabric), the first receipt's commit time.
 */
function changeOneValue(bundles: Array<{ subject: { value?: unknown; timestamp?: unknown } }>): void {
  for (const bundle of bundles) {
    const value = bundle.subject.value as Record<string, unknown> | undefined;
    if (value && typeof value.product === 'string') {
      value.product = value.product.startsWith('0x') ? flipLast(value.product) : `${value.product} (forged)`;
      return;
    }
  }
  const receipt = bundles[0]?.subject;
  if (typeof receipt?.timestamp !== 'string') throw new Error('nothing to change in the provenance file');
  receipt.timestamp = new Date(Date.parse(receipt.timestamp) + 1000).toISOString();
}
