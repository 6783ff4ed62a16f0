import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHost } from '../../src/local-host/host';
import { APP_DIR, startApp } from '../e2e/orders';

/*
 * The saga dashboard in headless Chromium against the embedded host: place an order and watch it complete,
 * place one whose payment fails and watch the compensations run in order. Debian's `chromium` package
 * provides the browser (CI installs it); without it the test is skipped and says why.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const RESULTS_DIR = path.join(APP_DIR, 'test-results');
const SCREENSHOT_FOR_README = process.env.DASHBOARD_SCREENSHOT; // e.g. docs/images/dashboard.png

let host: RunningHost | undefined;
let browser: Browser | undefined;
let page: Page;

beforeAll(async () => {
  if (!hasChromium) return;
  ({ host } = await startApp());
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  // The page loads nothing from elsewhere: any request to another origin fails the test.
  page.on('request', (request) => {
    if (!request.url().startsWith(host!.url) && !request.url().startsWith('data:')) throw new Error(`the dashboard requested ${request.url()}`);
  });
});

afterAll(async () => {
  await browser?.close();
  await host?.stop();
});

async function placeOrder(options: { simulateFailure?: string; sagaStyle?: string } = {}): Promise<string> {
  await page.selectOption('#order-form select[name="productId"]', 'hamster-wheel');
  await page.fill('#order-form input[name="quantity"]', '2');
  await page.selectOption('#order-form select[name="sagaStyle"]', options.sagaStyle ?? 'orchestration');
  await page.selectOption('#order-form select[name="simulateFailure"]', options.simulateFailure ?? '');
  await page.click('#place-order');
  await page.waitForSelector('#place-result:has-text("accepted")');
  const result = (await page.textContent('#place-result')) ?? '';
  const orderId = /Order (\S+) accepted/.exec(result)?.[1];
  expect(orderId, result).toBeTruthy();
  return orderId as string;
}

async function waitForSagaStatus(status: string): Promise<void> {
  await page.waitForSelector(`#t-saga-status:text-is("${status}")`, { timeout: 30_000 });
}

const rowValues = (attribute: string) => page.$$eval('#order-rows tr', (rows, name) => rows.map((row) => row.getAttribute(name)), attribute);

const steps = (list: string) =>
  page.$$eval(`#${list} li`, (items) => items.map((item) => [item.getAttribute('data-name'), item.getAttribute('data-status')]));

const SUITE = hasChromium
  ? 'the saga dashboard in headless Chromium'
  : `the saga dashboard in headless Chromium: SKIPPED, no browser at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`;

if (!hasChromium) console.warn(SUITE);

describe.skipIf(!hasChromium)(SUITE, () => {
  it('shows an order placed from its form running to Completed, with every step succeeded', async () => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      // Chromium reports every 4xx answer as a console error; those are checked one by one below.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text());
    });
    page.on('response', (response) => {
      // A saga is 404 until it has started; the page polls it from the moment the order is accepted.
      const expected = response.status() === 404 && /\/api\/orders\/[^/]+\/saga$/.test(new URL(response.url()).pathname);
      if (response.status() >= 400 && !expected) errors.push(`${response.status()} ${response.url()}`);
    });
    await page.goto(`${host!.url}/api/dashboard`);
    await page.waitForSelector('#order-form select[name="productId"] option[value="hamster-wheel"]', { state: 'attached' });

    const orderId = await placeOrder();
    await waitForSagaStatus('Completed');
    expect(await steps('t-steps')).toEqual([
      ['ReserveInventory', 'Succeeded'],
      ['ProcessPayment', 'Succeeded'],
      ['FulfillOrder', 'Succeeded'],
    ]);
    expect(await page.textContent('#t-order-status')).toBe('Completed');
    expect(await page.isHidden('#t-compensation')).toBe(true);
    // The list picks the order up on its own refresh.
    await page.waitForSelector(`tr[data-order-id="${orderId}"][data-status="Completed"]`, { timeout: 10_000 });
    expect(errors).toEqual([]);
  });

  it('shows a failed payment and the compensations in order, naming the step that caused them', async () => {
    const orderId = await placeOrder({ simulateFailure: 'payment' });
    await waitForSagaStatus('Compensated');
    expect(await steps('t-steps')).toEqual([
      ['ReserveInventory', 'Succeeded'],
      ['ProcessPayment', 'Failed'],
      ['FulfillOrder', 'Pending'],
    ]);
    expect(await steps('t-compensations')).toEqual([
      ['RefundPayment', 'NothingToCompensate'],
      ['ReleaseInventory', 'Compensated'],
    ]);
    expect(await page.textContent('#t-cause')).toMatch(/^ProcessPayment failed: .*simulated payment failure/i);
    expect(await page.textContent('#t-steps li[data-name="ProcessPayment"]')).toContain('caused the compensation');
    expect(await page.textContent('#t-order-status')).toBe('Cancelled');
    await page.waitForSelector(`tr[data-order-id="${orderId}"][data-status="Cancelled"]`, { timeout: 10_000 });

    mkdirSync(RESULTS_DIR, { recursive: true });
    await page.screenshot({ path: path.join(RESULTS_DIR, 'dashboard.png'), fullPage: true });
    if (SCREENSHOT_FOR_README) await page.screenshot({ path: path.resolve(APP_DIR, SCREENSHOT_FOR_README), fullPage: true });
  });

  it('filters the list by status and by saga style', async () => {
    await placeOrder({ sagaStyle: 'choreography' });
    await waitForSagaStatus('Completed');
    await page.selectOption('#filter-status', 'Cancelled');
    await expect.poll(() => rowValues('data-status'), { timeout: 10_000 }).toEqual(['Cancelled']);
    await page.selectOption('#filter-status', '');
    await page.selectOption('#filter-style', 'choreography');
    await expect.poll(() => page.$$eval('#order-rows tr td:nth-child(4)', (cells) => cells.map((cell) => cell.textContent)), { timeout: 10_000 }).toEqual([
      'choreography',
    ]);
  });

  it('serves the API reference page, rendered by Swagger UI from the installed package', async () => {
    await page.goto(`${host!.url}/api/docs`);
    await page.waitForSelector('.swagger-ui .info .title', { timeout: 20_000 });
    expect(await page.textContent('.swagger-ui .info .title')).toContain('PetStore Saga');
    await page.waitForSelector('#operations-Orders-createOrder');
  });
});
