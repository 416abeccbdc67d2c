/**
 * The dashboard as a finance officer sees it, read in headless Chromium (Debian's, driven by playwright-core):
 * sign in as the sponsor's finance officer, read the province overview's totals and the budget panel's, then
 * the invoice list's counts by state, parsing the displayed text (`Rp 15.850.000.000`, `3.164`) back into
 * numbers. Screenshots of both pages are saved.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { INVOICE_STATES } from '@lindung/core';
import { chromium, type Page } from 'playwright-core';
import { buildDashboard, distDirectory } from '../../packages/web/src/build.js';
import type { Source } from './three-way.js';

export const CHROMIUM = '/usr/bin/chromium';

/** The invoice list loads one page of this many invoices: a list that long may not be all of them. */
const INVOICE_PAGE = 1_000;

/** `Rp 15.850.000.000` (or `-Rp 1.000`) → 15850000000; anything else is an error, not a guess. */
export const parseRupiah = (text: string): number => {
  const match = /^(-?)Rp (\d{1,3}(?:\.\d{3})*)$/.exec(text.trim());
  if (!match) throw new Error(`the dashboard shows "${text}" where an amount in rupiah belongs`);
  return Number(`${match[1]}${match[2]?.replaceAll('.', '')}`);
};

/** `3.164` (Indonesian grouping) → 3164. */
export const parseCount = (text: string): number => {
  const match = /^(\d{1,3}(?:\.\d{3})*)$/.exec(text.trim());
  if (!match) throw new Error(`the dashboard shows "${text}" where a count belongs`);
  return Number(match[1]?.replaceAll('.', ''));
};

/** Builds the dashboard when packages/web/dist is missing or older than its sources. */
export const ensureDashboardBuilt = async (): Promise<boolean> => {
  const sources = join(distDirectory, '..', 'src');
  const built = join(distDirectory, 'app.js');
  if (existsSync(built)) {
    const builtAt = (await stat(built)).mtimeMs;
    const files = await readdir(sources);
    const newest = Math.max(
      ...(await Promise.all(files.map(async (f) => (await stat(join(sources, f))).mtimeMs))),
    );
    if (newest <= builtAt) return false;
  }
  await buildDashboard();
  return true;
};

export interface DashboardReading {
  readonly sources: readonly Source[];
  /** The overview's heading, e.g. `Jambi Tahun anggaran 2031`. */
  readonly title: string;
  readonly screenshots: readonly string[];
  /** Figures the dashboard shows only in part (a truncated list), so not compared. */
  readonly notes: readonly string[];
  /** Errors the page threw. */
  readonly pageErrors: readonly string[];
}

const textOf = async (page: Page, testId: string): Promise<string> => {
  const locator = page.getByTestId(testId);
  await locator.waitFor();
  return (await locator.textContent()) ?? '';
};

/** Signs in at `url` as the finance officer of `sponsorName` and reads the dashboard's totals. */
export const readDashboard = async (options: {
  readonly url: string;
  readonly sponsorName: string;
  readonly screenshotDir: string;
  /** Prefix of the screenshots' file names. */
  readonly name?: string;
}): Promise<DashboardReading> => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  await mkdir(options.screenshotDir, { recursive: true });
  const shot = (page: Page, what: string) => {
    const path = join(options.screenshotDir, `${options.name ?? 'dashboard'}-${what}.png`);
    return page.screenshot({ path, fullPage: true }).then(() => path);
  };
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    page.setDefaultTimeout(60_000);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(options.url);
    await page.locator('button[data-role="sponsor-officer"]', { hasText: options.sponsorName }).click();

    // The province overview: its totals, and the budget panel of the (only) commitment beside them.
    const title = (await textOf(page, 'region-title')).replace(/\s+/g, ' ').trim();
    const overview = {
      allocated: parseRupiah(await textOf(page, 'total-allocated')),
      spent: parseRupiah(await textOf(page, 'total-spent')),
      remaining: parseRupiah(await textOf(page, 'total-remaining')),
      covered: parseCount(await textOf(page, 'total-covered')),
    };
    const budget = {
      committed: parseRupiah(await textOf(page, 'budget-committed')),
      reserved: parseRupiah(await textOf(page, 'budget-reserved')),
      spent: parseRupiah(await textOf(page, 'budget-spent')),
      released: parseRupiah(await textOf(page, 'budget-released')),
      remaining: parseRupiah(await textOf(page, 'budget-remaining')),
    };
    await page.locator('[data-testid=burn-chart] canvas').first().waitFor();
    const screenshots = [await shot(page, 'overview')];

    // The invoice list: its counts by state (it loads one page of invoices).
    await page.getByTestId('nav-invoices').click();
    await page.getByTestId('invoice-table').waitFor();
    // A state without invoices has no badge: it counts 0.
    const counts: Record<string, number> = Object.fromEntries(
      INVOICE_STATES.map((s) => [`invoices.${s}`, 0]),
    );
    for (const badge of await page.locator('[data-testid^="invoice-count-"]').all()) {
      const state = (await badge.getAttribute('data-testid'))?.replace('invoice-count-', '') ?? '';
      counts[`invoices.${state}`] = Number(await badge.getAttribute('data-count'));
    }
    screenshots.push(await shot(page, 'invoices'));

    const notes: string[] = [];
    const listed = Object.values(counts).reduce((a, b) => a + b, 0);
    const whole = listed < INVOICE_PAGE;
    if (!whole) {
      notes.push(
        `the invoice list shows its first ${INVOICE_PAGE} invoices only: its counts are not compared`,
      );
    }
    return {
      title,
      screenshots,
      notes,
      pageErrors: errors,
      sources: [
        { column: 'dashboard', name: 'overview', figures: overview },
        { column: 'dashboard', name: 'budget panel', figures: budget },
        ...(whole ? [{ column: 'dashboard' as const, name: 'invoice list', figures: counts }] : []),
      ],
    };
  } finally {
    await browser.close();
  }
};
