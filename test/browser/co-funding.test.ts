/**
 * A province's finance officer drafts a commitment paying half of each worker-month on the dashboard, in
 * Indonesian ("Menanggung Rp 8.400 dari Rp 16.800"), and a regency's officer drafts the one co-funding it by
 * naming its id (issue 18). Checked with axe-core.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, signedInPage } from '../support/dashboard-page.js';
import { localStack } from '../support/local-stack.js';
import { type SponsorStaff, sponsorWithStaff } from '../support/scenario.js';

const CHROMIUM = '/usr/bin/chromium';
/**
 * A fiscal year before every other browser test's: these drafts are never approved, so no quota of it moves, and
 * the dashboard, which opens on the latest fiscal year with commitments, keeps opening on the dashboard test's
 * (2027) when this file runs first in the shared stack.
 */
const YEAR = 2026;
const DISTRICT = '15.07.03';

describe('drafting a shared and a co-funding commitment on the dashboard', () => {
  const stack = localStack();
  let browser: Browser;
  let province: SponsorStaff;
  let regency: SponsorStaff;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    [province, regency] = await Promise.all([
      sponsorWithStaff(stack, { name: 'Provinsi Jambi (draf bersama)', kind: 'province', regionCode: '15' }),
      sponsorWithStaff(stack, {
        name: 'Kabupaten Tanjung Jabung Timur',
        kind: 'regency',
        regionCode: '15.07',
      }),
    ]);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
  });

  /** Opens the draft form as the officer of `staff` with a fixed budget over the district's villages. */
  const draftPage = async (staff: SponsorStaff) => {
    const claims = {
      roles: ['sponsor-officer'],
      sponsorId: staff.sponsorId,
      sub: `officer-${staff.sponsorId}`,
    };
    const page = await signedInPage(browser, stack, claims, { width: 1366, height: 900 });
    await page.goto(`${stack.httpUrl}/#/draft`);
    await page.getByTestId('fiscal-year').fill(String(YEAR));
    await page.getByTestId('rule-fixed').check();
    await page.getByTestId('amount').fill('9000000');
    await page.getByTestId('pick-province').selectOption('15');
    await page.getByTestId('pick-regency').selectOption('15.07');
    await page.getByTestId('pick-district').selectOption(DISTRICT);
    await page.getByTestId('preview-table').waitFor();
    return page;
  };

  const drafts = async (staff: SponsorStaff) =>
    (await staff.officer.get(`/v1/sponsors/${staff.sponsorId}/commitments?status=draft`)).body.items as {
      id: string;
      fiscalYear: number;
      share?: unknown;
      coFunds?: string;
    }[];

  it('drafts a province paying 50 % and a regency co-funding it', async () => {
    // Act: the province's half
    const page = await draftPage(province);
    await page.getByTestId('share-kind').selectOption('percent');
    await page.getByTestId('share-percent').fill('50');
    const shown = await page.getByTestId('share-shown').textContent();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByTestId('draft-submit').click();
    await expect.poll(() => page.getByTestId('draft-outcome').textContent()).toContain('Draf tersimpan');
    await page.close();
    const provinceDraft = (await drafts(province)).find((d) => d.fiscalYear === YEAR);

    // Act: the regency tops it up
    const regencyPage = await draftPage(regency);
    await regencyPage.getByTestId('co-funds').fill(provinceDraft?.id ?? '');
    await regencyPage.getByTestId('draft-submit').click();
    await expect
      .poll(() => regencyPage.getByTestId('draft-outcome').textContent())
      .toContain('Draf tersimpan');
    await regencyPage.close();

    // Assess
    expect(shown).toBe('Menanggung Rp 8.400 dari Rp 16.800 per pekerja per bulan.');
    expect(provinceDraft).toMatchObject({ share: { kind: 'percent', basisPoints: 5_000 } });
    expect((await drafts(regency)).find((d) => d.fiscalYear === YEAR)).toMatchObject({
      coFunds: provinceDraft?.id,
    });
  });
});
