/**
 * A market manager's collector on a phone in headless Chromium (issue 18): the dashboard opens on the day's
 * deposits, in Indonesian. A double tap records one deposit of Rp 1.000; a second one's answer is lost on the
 * way back, so the phone keeps it and sends the same receipt number again, which the API answers "sudah
 * tercatat" instead of recording it twice. The worker's balance is Rp 2.000, as the page's total and the API's
 * statement say. Without signal, deposits wait on the phone (through a reload) and go when the signal is back.
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
/** Traders paying while the market has no signal. */
const OFFLINE_TRADER = nikIn('517101', 2);
const RELOADED_TRADER = nikIn('517101', 3);
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

    // Act: the second deposit is recorded but its answer never reaches the phone, which keeps it; the
    // collector sends the waiting deposits once the signal is back
    await deposit('1000');
    const receipt = await page.getByTestId('deposit-receipt').inputValue();
    await page.route(DEPOSITS, async (route) => {
      await route.fetch();
      await route.abort('failed');
    });
    await page.getByTestId('deposit-submit').click();
    await outcome.filter({ hasText: 'jawaban tidak sampai' }).waitFor();
    const kept = await page.getByTestId('outbox-deposit').allTextContents();
    await page.unroute(DEPOSITS);
    await page.getByTestId('outbox-send').click();
    await page.getByTestId('outbox').waitFor({ state: 'detached' });
    await page.getByTestId('month-collected').filter({ hasText: 'Rp 2.000 dari 2 setoran' }).waitFor();

    // Act: the worker's balance
    await page.getByTestId('balance-nik').fill(TRADER);
    await page.getByTestId('balance-submit').click();
    const balance = await page.getByTestId('balance-answer').textContent();

    // Assess: one request for the double tap, the same receipt number sent again after the loss
    expect(afterFirst).toBe(1);
    expect(sent).toHaveLength(3);
    expect(kept).toHaveLength(1);
    expect(kept[0]).toContain(`${receipt} · menunggu`);
    expect(kept[0]).toContain(`${TRADER.slice(0, 4)}**********${TRADER.slice(-2)}`);
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

  it('lists the partner collector on the local sign-in page, which opens the day deposits', async () => {
    // Prepare
    const page = await browser.newPage({ viewport: PHONE });

    // Act
    await page.goto(`${stack.httpUrl}/#/`);
    await page.locator('button[data-role="collector"]').filter({ hasText: PARTNER }).click();

    // Assess
    await page.getByTestId('deposits-title').filter({ hasText: PARTNER }).waitFor();
    expect(page.url()).toMatch(/#\/deposits$/);
    expect(await page.locator('nav').textContent()).toContain('Setoran');
    await page.close();
  }, 60_000);

  it('keeps deposits taken without signal on the phone, through a reload, and sends each once', async () => {
    // Prepare
    const claims = { roles: ['collector'], partnerId, sub: 'kolektor-badung-2' };
    const page = await signedInPage(browser, stack, claims, PHONE);
    const sent: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/deposits'))
        sent.push(request.postData() ?? '');
    });
    await page.goto(`${stack.httpUrl}/#/`);
    await page.getByTestId('deposits-title').filter({ hasText: PARTNER }).waitFor();
    const take = async (nik: string, amount: string) => {
      await page.getByTestId('deposit-nik').fill(nik);
      await page.getByTestId('deposit-amount').fill(amount);
      await page.getByTestId('deposit-submit').click();
      await page.getByTestId('deposit-outcome').filter({ hasText: 'disimpan di ponsel ini' }).waitFor();
    };
    const stored = () =>
      page.evaluate(
        (key) => JSON.parse(localStorage.getItem(key) ?? '[]').length as number,
        `lindung:outbox:${partnerId}:${claims.sub}`,
      );

    // Act: no signal in the market; two traders pay
    await page.context().setOffline(true);
    await take(OFFLINE_TRADER, '1.000');
    await take(OFFLINE_TRADER, 'Rp 1.500');
    const summary = await page.getByTestId('outbox-summary').textContent();
    const keptOffline = await stored();
    await page.screenshot({ path: join(ARTIFACTS, 'collector-offline-360.png'), fullPage: true });
    const offlineViolations = await axeViolations(page);

    // Act: the signal comes back
    await page.context().setOffline(false);
    await page.getByTestId('outbox').waitFor({ state: 'detached' });
    const afterOnline = sent.length;

    // Act: a third deposit waits while sending still fails, the tab is reloaded, and it goes on its own
    await page.route(DEPOSITS, (route) => route.abort('failed'));
    await page.getByTestId('deposit-nik').fill(RELOADED_TRADER);
    await page.getByTestId('deposit-amount').fill('2000');
    await page.getByTestId('deposit-submit').click();
    await page.getByTestId('outbox-summary').waitFor();
    const keptBeforeReload = await stored();
    await page.unroute(DEPOSITS);
    await page.reload();
    await page.getByTestId('session-deposit').filter({ hasText: 'Tercatat' }).waitFor();
    await page.getByTestId('outbox').waitFor({ state: 'detached' });

    // Assess: the phone kept them, sent them in one request once online, and the API recorded each once
    expect(summary).toContain('2 setoran, Rp 2.500, tersimpan di ponsel ini');
    expect(keptOffline).toBe(2);
    expect(offlineViolations).toEqual([]);
    expect(afterOnline).toBe(1); // nothing was sent while offline, one batch after
    expect(JSON.parse(sent[0] ?? '{}').deposits).toHaveLength(2);
    expect(keptBeforeReload).toBe(1);
    expect(await stored()).toBe(0);
    const period = periodAt(Date.now());
    const offline = await collector.post(`/v1/partners/${partnerId}/balances/lookup`, {
      nik: OFFLINE_TRADER,
    });
    const reloaded = await collector.post(`/v1/partners/${partnerId}/balances/lookup`, {
      nik: RELOADED_TRADER,
    });
    expect(offline.body).toMatchObject({ balance: 2_500, deposited: 2_500 });
    expect(offline.body.deposits).toHaveLength(2);
    expect(reloaded.body).toMatchObject({ balance: 2_000, deposited: 2_000 });
    const statement = await collector.get(`/v1/partners/${partnerId}/statements/${period}`);
    expect(statement.body).toMatchObject({ collected: 6_500, deposits: 5, workers: 3 });
    await page.close();
  }, 120_000);
});
