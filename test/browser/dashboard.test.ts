/**
 * The dashboard in headless Chromium (Debian's, driven by playwright-core) against the local stack with a
 * seeded sponsor year: a finance officer sees the right totals, opens a village and switches language; a
 * village operator sees only their own village. Screenshots of the main pages go to test/browser/artifacts.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { villagesOf } from '@lindung/core';
import { sponsorScope, yearScope } from '@lindung/store';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Forecast, forecastSentence } from '../../packages/web/src/forecast.js';
import { count, periodLabel, rupiah } from '../../packages/web/src/format.js';
import { caller } from '../support/api-client.js';
import { localStack } from '../support/local-stack.js';
import { projectorCaughtUp, type ReportWorld, seedReportWorld } from '../support/report-world.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, 'artifacts');
const FISCAL_YEAR = 2027;
const stack = localStack();
// Twelve kelurahan of Kota Jambi, across its districts.
const villages = villagesOf('15.71')
  .filter((_, i) => i % 5 === 0)
  .slice(0, 12)
  .map((v) => v.code as string);

const LAPTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };

describe('the dashboard', () => {
  let browser: Browser;
  let world: ReportWorld;
  let budget: { spent: number; remaining: number; forecast: Forecast };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    await mkdir(ARTIFACTS, { recursive: true });
    world = await seedReportWorld(stack, {
      fiscalYear: FISCAL_YEAR,
      villages,
      nikDistrict: '157101',
      months: 3,
      target: 10,
      sponsorName: 'Provinsi Jambi',
    });
    await projectorCaughtUp(world, [
      sponsorScope(world.staff.sponsorId, FISCAL_YEAR).id,
      yearScope(FISCAL_YEAR).id,
    ]);
    budget = (await world.staff.officer.get(`/v1/reports/budget?commitmentId=${world.commitmentId}`)).body;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
  });

  const open = async (viewport = LAPTOP): Promise<Page> => {
    const page = await browser.newPage({ viewport });
    page.on('pageerror', (error) => {
      throw error;
    });
    await page.goto(stack.httpUrl);
    return page;
  };

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  it('shows a finance officer the province with the right totals, a village, and English on request', async () => {
    // Prepare
    const page = await open();
    const covered = [...world.covered.values()].reduce((a, b) => a + b, 0);

    // Act: sign in as the sponsor's finance officer.
    await page.getByRole('button', { name: /Petugas keuangan — Provinsi Jambi/ }).click();

    // Assess: the province overview, in Indonesian, with the sponsor's totals.
    await expect.poll(() => page.getByTestId('region-title').textContent()).toContain('Jambi');
    expect(await page.getByTestId('total-covered').textContent()).toBe(count(covered, 'id'));
    expect(await page.getByTestId('total-target').textContent()).toBe(count(10 * villages.length, 'id'));
    expect(await page.getByTestId('total-spent').textContent()).toBe(rupiah(budget.spent));
    expect(await page.getByTestId('total-remaining').textContent()).toBe(rupiah(budget.remaining));
    expect(await page.getByTestId('total-spent').textContent()).toMatch(/^Rp \d{1,3}(\.\d{3})+$/);
    await page.locator('[data-testid=burn-chart] canvas').first().waitFor();
    // The forecast stays within the fiscal year (issue 19), and says what next year needs.
    const forecast = await page.getByTestId('forecast').textContent();
    expect(forecast).toContain(forecastSentence('id', budget.forecast, FISCAL_YEAR));
    expect(forecast).toContain('cukup sampai akhir tahun anggaran (Des 2027), sisa Rp ');
    expect(forecast).not.toMatch(/20(29|3\d)/);
    // The trend by month through March, the last month rolled, and when the target is reached (issue 19): the
    // leaver of February is gone by March, so coverage has not grown since January.
    const months = page.locator('[data-testid=trend] li');
    await expect.poll(() => months.count()).toBe(3);
    expect(await months.nth(0).getAttribute('data-period')).toBe(`${FISCAL_YEAR}-01`);
    expect(await months.nth(1).locator('.num').textContent()).toBe(count(covered + 1, 'id'));
    expect(await months.nth(2).locator('.num').textContent()).toBe(count(covered, 'id'));
    expect(await page.getByTestId('target-outlook').textContent()).toBe(
      'Cakupan tidak bertambah (0 pekerja per bulan): dengan laju ini target tidak tercapai.',
    );
    await page.locator('li[data-code="15.71"] > .row button').click();
    await page.locator('li[data-code="15.71"] li').first().waitFor();
    await shot(page, 'overview-laptop');

    // Act: the village table, searched, and one village opened.
    await page.getByTestId('nav-villages').click();
    await expect
      .poll(() => page.locator('[data-testid=village-table] tbody tr').count())
      .toBe(villages.length);
    const first = villages[0] ?? '';
    await page.getByTestId('village-search').fill(first);
    await expect.poll(() => page.locator('[data-testid=village-table] tbody tr').count()).toBe(1);
    await shot(page, 'village-table');
    await page.locator(`tr[data-code="${first}"] a`).click();

    // Assess: the village's workers, NIK masked, and its invoices.
    await expect.poll(() => page.getByTestId('village-title').textContent()).toContain(first);
    await page.getByTestId('worker-table').waitFor();
    const niks = await page.locator('[data-testid=worker-table] td.mono').allTextContents();
    expect(niks).toHaveLength(2);
    for (const nik of niks) expect(nik).toMatch(/^\d{4}\*{10}\d{2}$/);
    expect(await page.locator('[data-testid=invoice-table] tbody tr').count()).toBe(3);
    await shot(page, 'village-detail');

    // Act: switch to English.
    await page.getByTestId('lang-switch').click();

    // Assess: the page's language follows the render (an effect after it), so both are waited for.
    await expect.poll(() => page.getByTestId('nav-invoices').textContent()).toBe('Invoices');
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
    await page.getByTestId('nav-invoices').click();
    await page.getByTestId('invoice-table').waitFor();
    expect(await page.locator('[data-testid=invoice-table] .badge').first().textContent()).toBe('Paid');
    await shot(page, 'invoices-en');
    await page.getByTestId('nav-overview').click();
    await expect
      .poll(() => page.getByTestId('forecast').textContent())
      .toContain(forecastSentence('en', budget.forecast, FISCAL_YEAR));
    await page.getByTestId('lang-switch').click();
    expect(await page.getByTestId('nav-invoices').textContent()).toBe('Tagihan');
    await page.close();

    // And on a phone: the overview without horizontal scrolling of the page itself.
    const phone = await open(PHONE);
    await phone.getByRole('button', { name: /Petugas keuangan/ }).click();
    await phone.getByTestId('total-covered').waitFor();
    await phone.locator('[data-testid=burn-chart] canvas').first().waitFor();
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await shot(phone, 'overview-phone');
    await phone.close();
  });

  it('lets a finance officer set the province’s coverage target and shows the gap and its yearly cost', async () => {
    // Prepare
    const page = await open();
    const covered = [...world.covered.values()].reduce((a, b) => a + b, 0);
    const target = 10 * villages.length; // the vulnerable workers on record: the total stays as before

    // Act
    await page.getByRole('button', { name: /Petugas keuangan — Provinsi Jambi/ }).click();
    await page.getByTestId('target-panel').waitFor();
    const before = await page.getByTestId('target-as-set').textContent();
    await page.getByTestId('target-kind').selectOption('workers');
    await page.getByTestId('target-value').fill(String(target));
    await page.getByTestId('save-target').click();

    // Assess
    expect(before).toBe(
      `Belum ada target untuk tahun ini: diukur terhadap ${count(target, 'id')} pekerja rentan.`,
    );
    await expect.poll(() => page.getByTestId('target-message').textContent()).toBe('Target tersimpan.');
    await expect
      .poll(() => page.getByTestId('target-as-set').textContent())
      .toBe(`Target ditetapkan: ${count(target, 'id')} pekerja.`);
    expect(await page.getByTestId('total-target').textContent()).toBe(count(target, 'id'));
    expect(await page.getByTestId('total-gap').textContent()).toBe(count(target - covered, 'id'));
    expect(await page.getByTestId('total-gap-cost').textContent()).toBe(rupiah((target - covered) * 201_600));
    await shot(page, 'target-set');
    await page.close();
  });

  it('shows a BPJS regional office its province with every sponsor side by side, read-only', async () => {
    // Prepare
    const page = await open();

    // Act
    await page.locator('button[data-role="regional-office"]').first().click();

    // Assess
    await expect.poll(() => page.getByTestId('region-title').textContent()).toContain('Jambi');
    await page.getByTestId('sponsor-table').waitFor();
    expect(await page.locator('[data-testid=sponsor-table] tbody td').first().textContent()).toBe(
      'Provinsi Jambi',
    );
    expect(await page.getByTestId('total-target').textContent()).toBe(count(10 * villages.length, 'id'));
    expect(await page.getByTestId('save-target').count()).toBe(0);
    expect(await page.getByTestId('nav-villages').count()).toBe(0);
    await shot(page, 'regional-office');
    await page.close();
  });

  it('shows a village operator only their own village', async () => {
    // Prepare
    const page = await open();

    // Act
    await page.locator('button[data-role="village-operator"]').first().click();

    // Assess: straight to the own village; another village is refused; no region pages.
    await expect.poll(() => page.url()).toMatch(/#\/village\/15\.71\./);
    const own = decodeURIComponent(page.url().split('#/village/')[1] ?? '');
    expect(villages).toContain(own);
    await page.getByTestId('worker-table').waitFor();
    expect(await page.getByTestId('total-target').textContent()).toBe('10');
    expect(await page.getByTestId('nav-villages').count()).toBe(0);
    await shot(page, 'operator-village');
    const other = villages.find((v) => v !== own) ?? '';
    await page.goto(`${stack.httpUrl}/#/village/${other}`);
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('Not allowed');
    await page.close();
  });

  it('lets a finance officer define an incentive scheme and see each one, pending or evaluated, in Indonesian', async () => {
    // Prepare: a money scheme for February, evaluated by the administrator (its awards are unfunded: the
    // commitment's budget is all given to villages). The officer defines a quota scheme for November below.
    const scheme = (body: object) =>
      world.staff.officer.post('/v1/incentives', {
        commitmentId: world.commitmentId,
        threshold: '10',
        ...body,
      });
    const money = await scheme({
      name: 'Insentif desa tangguh',
      period: `${FISCAL_YEAR}-02`,
      award: { kind: 'money', amount: 5_000_000 },
    });
    expect(money.status).toBe(201);
    const admin = await caller(stack, { roles: ['admin'] });
    const evaluated = await admin.post(`/v1/incentives/${money.body.id}/evaluate`, {});
    expect(evaluated.status).toBe(200);
    const { reached, awarded, unfunded } = evaluated.body.outcome;
    const page = await open();

    // Act: sign in, and define the November scheme of 2 worker-years of quota in the form.
    await page.getByRole('button', { name: /Petugas keuangan — Provinsi Jambi/ }).click();
    await page.getByTestId('incentive-table').waitFor();
    await page.getByTestId('incentive-name').fill('Kuota tambahan akhir tahun');
    await page.getByTestId('incentive-period').selectOption('11');
    await page.getByTestId('incentive-threshold').fill('10');
    await page.getByTestId('incentive-kind').selectOption('quota');
    await page.getByTestId('incentive-amount').fill('2');
    await page.getByTestId('incentive-save').click();
    await expect.poll(() => page.getByTestId('incentive-message').textContent()).toContain('Skema tersimpan');
    const schemes = (await world.staff.officer.get(`/v1/sponsors/${world.staff.sponsorId}/incentives`)).body
      .items as { id: string; name: string; period: string; award: unknown }[];
    const quota = { body: schemes.find((s) => s.name === 'Kuota tambahan akhir tahun') ?? { id: '' } };
    expect(quota.body).toMatchObject({
      period: `${FISCAL_YEAR}-11`,
      award: { kind: 'quota', workerYears: 2 },
    });
    await expect.poll(() => page.locator('[data-testid=incentive-table] tbody tr').count()).toBe(2);

    // Assess: one row each, the evaluated one with its outcome, figures in Indonesian notation.
    const row = (id: string) => page.locator(`[data-testid=incentive-table] tr[data-id="${id}"]`);
    expect(reached).toBeGreaterThan(0);
    expect(await row(money.body.id).textContent()).toBe(
      [
        'Insentif desa tangguh',
        periodLabel(`${FISCAL_YEAR}-02`, 'id'),
        '10,0 %',
        'Rp 5.000.000',
        `${reached} wilayah mencapai target: ${awarded} diberikan, ${unfunded} tanpa dana`,
      ].join(''),
    );
    expect(await row(quota.body.id).textContent()).toBe(
      [
        'Kuota tambahan akhir tahun',
        periodLabel(`${FISCAL_YEAR}-11`, 'id'),
        '10,0 %',
        '2 pekerja-tahun kuota',
        'Menunggu akhir periode',
      ].join(''),
    );
    expect(await page.getByTestId('budget-awarded').textContent()).toBe(rupiah(0));
    await shot(page, 'incentives');
    await page.close();
  });
});
