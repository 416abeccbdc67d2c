/**
 * A village operator in headless Chromium sees which of the village's commitments can pay for the worker being
 * typed, and why, in Indonesian (issue 19): a village fund for RT/RW heads and village officials comes before the
 * regency, so a farmer goes to the regency and an RT head to the village fund, which the form enrolls by
 * priority when no commitment is picked. Photographed at 360 px, checked with axe-core. A finance officer
 * drafts a commitment with eligibility rules (age, segments, a P3KE list) and a priority on the dashboard.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { villagesOf } from '@lindung/core';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caller } from '../support/api-client.js';
import { axeViolations, openEnrollPage, signedInPage } from '../support/dashboard-page.js';
import { localStack } from '../support/local-stack.js';
import { commitmentDraft, type SponsorStaff, sponsorWithStaff } from '../support/scenario.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, 'artifacts');
const YEAR = 2042;
const VILLAGE = villagesOf('15.08')[20]?.code ?? '';
const PHONE = { width: 360, height: 780 };
/** A NIK of Bungo, born 1 January 2010 (32 in 2042), serial in a range no other test uses. */
const nik = (serial: number) => `1508010101100${String(500 + serial).padStart(3, '0')}`;
const operatorClaims = { roles: ['village-operator'], villageCodes: [VILLAGE], sub: `operator-${VILLAGE}` };

describe('the funding options of a village in the enrollment form', () => {
  const stack = localStack();
  let browser: Browser;
  let villageFund: string;
  let regency: string;
  let bungoStaff: SponsorStaff;

  /** Drafts and approves a commitment of `YEAR` over the village. */
  const fund = async (staff: SponsorStaff, extra: Record<string, unknown> = {}) => {
    const draft = await staff.officer.post('/v1/commitments', {
      ...commitmentDraft(staff.sponsorId, { villages: [VILLAGE], fiscalYear: YEAR }),
      ...extra,
    });
    expect((await staff.approver.post(`/v1/commitments/${draft.body.id}/approve`, {})).status).toBe(200);
    return draft.body.id as string;
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    await mkdir(ARTIFACTS, { recursive: true });
    const [bungo, desa] = await Promise.all([
      sponsorWithStaff(stack, { name: 'Kabupaten Bungo', kind: 'regency', regionCode: '15.08' }),
      sponsorWithStaff(stack, { name: 'Dana Kelurahan Jaya Setia', kind: 'village', regionCode: VILLAGE }),
    ]);
    bungoStaff = bungo;
    regency = await fund(bungo);
    villageFund = await fund(desa, { eligibility: { segments: ['rt-rw', 'village-official'] } });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
  });

  /** The options shown, as `verdict: text`. */
  const shown = async (page: Page) =>
    page
      .getByTestId('funding-option')
      .evaluateAll((items) => items.map((li) => `${li.getAttribute('data-verdict')}: ${li.textContent}`));

  it('shows who can pay for the worker and why, and enrolls by priority', async () => {
    // Prepare
    const page = await signedInPage(browser, stack, operatorClaims, PHONE);
    await openEnrollPage(page, stack, YEAR);

    // Act: a farmer
    await page.getByTestId('nik').fill(nik(1));
    await page.getByTestId('segment').selectOption('farmer');

    // Assess: the village fund first, refusing a farmer in Indonesian; the regency takes and would be used
    await expect.poll(() => shown(page)).toHaveLength(2);
    const [first = '', second = ''] = await shown(page);
    expect(first).toMatch(
      /^not-eligible: .*Dana Kelurahan Jaya Setia.*prioritas 100.*Hanya untuk kelompok: Ketua RT\/RW/,
    );
    expect(second).toMatch(/^takes: .*Kabupaten Bungo.*prioritas 200.*Akan dipakai.*Dapat membiayai/);
    expect(await page.getByTestId('commitment').inputValue()).toBe('');
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'operator-funding-options-360.png'), fullPage: true });

    // Act: an RT head instead, enrolled with no commitment picked
    await page.getByTestId('segment').selectOption('rt-rw');
    await expect.poll(async () => (await shown(page))[0]).toMatch(/^takes: .*Akan dipakai/);
    await page.getByTestId('worker-name').fill('Rahmat');
    await page.getByTestId('enroll-submit').click();

    // Assess: enrolled on the village fund, as the panel said
    await expect
      .poll(() => page.getByTestId('enroll-outcome').textContent())
      .toContain('Dibiayai oleh Dana Kelurahan Jaya Setia');
    const operator = await caller(stack, operatorClaims);
    const list = await operator.get(`/v1/villages/${VILLAGE}/enrollments?limit=10`);
    expect(list.body.items.map((e: { commitmentId: string }) => e.commitmentId)).toEqual([villageFund]);
    expect(regency).not.toBe(villageFund);
    await page.close();
  });

  it('lets a finance officer draft a commitment with eligibility rules and a priority', async () => {
    // Prepare
    const { sponsorId } = bungoStaff;
    const claims = { roles: ['sponsor-officer'], sponsorId, sub: `officer-${sponsorId}` };
    const page = await signedInPage(browser, stack, claims, { width: 1366, height: 900 });
    await page.goto(`${stack.httpUrl}/#/draft`);

    // Act: next year's budget over the village's district, for RT/RW heads and village officials up to 60 on
    // the P3KE list, paying before the village fund (priority 50).
    await page.getByTestId('fiscal-year').fill(String(YEAR + 1));
    await page.getByTestId('pick-province').selectOption('15');
    await page.getByTestId('pick-regency').selectOption('15.08');
    await page.getByTestId('pick-district').selectOption(VILLAGE.slice(0, 8));
    await page.getByTestId('preview-table').waitFor();
    await page.getByTestId('max-age').fill('60');
    await page.locator('[data-segment=rt-rw]').check();
    await page.locator('[data-segment=village-official]').check();
    await page.getByTestId('eligibility-list').fill('p3ke');
    await page.getByTestId('priority').fill('50');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByTestId('draft-submit').click();

    // Assess
    await expect.poll(() => page.getByTestId('draft-outcome').textContent()).toContain('Draf tersimpan');
    const drafts = (await bungoStaff.officer.get(`/v1/sponsors/${sponsorId}/commitments?status=draft`)).body
      .items as { fiscalYear: number; eligibility: unknown; priority: number }[];
    expect(drafts.find((d) => d.fiscalYear === YEAR + 1)).toMatchObject({
      eligibility: { maxAge: 60, segments: ['village-official', 'rt-rw'], list: 'p3ke' },
      priority: 50,
    });
    await page.close();
  });
});
