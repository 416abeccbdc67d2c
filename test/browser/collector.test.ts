/**
 * A market manager's collector on a phone in headless Chromium (issue 18): the dashboard opens on the day's
 * deposits, in Indonesian. A double tap records one deposit of Rp 1.000; a second one's answer is lost on the
 * way back, and tapping again sends the same receipt number, which the API answers "sudah tercatat" instead of
 * recording it twice. The worker's balance is Rp 2.000, as the page's total and the API's statement say.
 * Photographed at 360 px, checked with axe-core.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { periodAt } from '@lindung/core';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, caller, nikIn } from '../support/api-client.js';
import { axeViolations, signedInPage } from '../support/dashboard-page.js';
import { localStack } from '../support/local-stack.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, 'artifacts');
const PHONE = { width: 360, height: 780 };
const PARTNER = 'Pengelola Pasar Badung';
/** A trader of Denpasar (51.71), a region no other test deposits in. */
const TRADER = nikIn('517101', 1);
const DEPOSITS = '**/v1/partners/*/deposits';

describe('the collector’s daily deposit page', () => {
  const stack = localStack();
  let browser: Browser;
  let collector: Caller;
  let partnerId: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    await mkdir(ARTIFACTS, { recursive: true });
    const admin = await caller(stack, { roles: ['admin'] });
    const partner = await admin.post('/v1/partners', {
      name: PARTNER,
      kind: 'market-manager',
      areaCode: '51.71',
      feeRateBasisPoints: 500,
    });
    expect(partner.status).toBe(201);
    partnerId = partner.body.id;
    collector = await caller(stack, { roles: ['collector'], partnerId, sub: 'kolektor-badung' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('records a double tap once and a retry after a lost answer once: balance Rp 2.000', async () => {
    // Prepare
    const page = await signedInPage(
      browser,
      stack,
      { roles: ['collector'], partnerId, sub: 'kolektor-badung' },
      PHONE,
    );
    const sent: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/deposits')) sent.push(request.url());
    });
    await page.goto(`${stack.httpUrl}/#/`);
    await page.getByTestId('deposits-title').filter({ hasText: PARTNER }).waitFor();
    const outcome = page.getByTestId('deposit-outcome');
    const deposit = async (amount: string) => {
      await page.getByTestId('deposit-nik').fill(TRADER);
      await page.getByTestId('deposit-amount').fill(amount);
    };

    // Act: a double tap on the first deposit
    await deposit('1.000');
    await page.getByTestId('deposit-submit').dblclick();
    await outcome.filter({ hasText: 'Tercatat' }).waitFor();
    const afterFirst = sent.length;

    // Act: the second deposit is recorded but its answer never reaches the phone; the collector taps again
    await deposit('1000');
    const receipt = await page.getByTestId('deposit-receipt').inputValue();
    await page.route(DEPOSITS, async (route) => {
      await route.fetch();
      await route.abort('failed');
    });
    await page.getByTestId('deposit-submit').click();
    await outcome.filter({ hasText: 'Jawaban tidak sampai' }).waitFor();
    const receiptAfterLoss = await page.getByTestId('deposit-receipt').inputValue();
    await page.unroute(DEPOSITS);
    await page.getByTestId('deposit-submit').click();
    await outcome.filter({ hasText: 'Sudah tercatat sebelumnya' }).waitFor();
    await page.getByTestId('month-collected').filter({ hasText: 'Rp 2.000 dari 2 setoran' }).waitFor();

    // Act: the worker's balance
    await page.getByTestId('balance-nik').fill(TRADER);
    await page.getByTestId('balance-submit').click();
    const balance = await page.getByTestId('balance-answer').textContent();

    // Assess: one request for the double tap, the same receipt number sent again after the loss
    expect(afterFirst).toBe(1);
    expect(sent).toHaveLength(3);
    expect(receiptAfterLoss).toBe(receipt);
    expect(await outcome.textContent()).toBe(
      `Sudah tercatat sebelumnya: Rp 1.000 untuk NIK ${TRADER.slice(0, 4)}**********${TRADER.slice(-2)} (tidak dicatat dua kali).`,
    );
    expect(await page.getByTestId('today-total').textContent()).toBe(
      'Total hari ini (setoran yang dicatat di halaman ini): Rp 2.000',
    );
    const listed = await page.getByTestId('session-deposit').allTextContents();
    expect(listed).toHaveLength(2);
    expect(listed[0]).toContain(`${receipt} · Sudah tercatat`);
    expect(listed[1]).toContain('Tercatat');
    expect(balance).toContain('Saldo NIK');
    expect(balance).toContain(': Rp 2.000 (disetor Rp 2.000');

    // Assess: the API recorded two deposits, whatever the page says
    const period = periodAt(Date.now());
    const statement = await collector.get(`/v1/partners/${partnerId}/statements/${period}`);
    const api = await collector.post(`/v1/partners/${partnerId}/balances/lookup`, { nik: TRADER });
    expect(statement.body).toMatchObject({ collected: 2_000, deposits: 2, workers: 1 });
    expect(api.body).toMatchObject({ balance: 2_000, deposited: 2_000 });
    expect(api.body.deposits.map((d: { receiptNumber: string }) => d.receiptNumber)).toContain(receipt);

    // Assess: Indonesian throughout, a phone's width, no serious accessibility violation
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('id');
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).not.toMatch(/\b(Deposits?|Balance|Recorded|Amount|Receipt|Today)\b/);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'collector-deposits-360.png'), fullPage: true });
    await page.close();
  }, 120_000);
});
