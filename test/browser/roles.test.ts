/**
 * Every role does its work in the dashboard, end to end in headless Chromium against the local stack: a
 * finance officer drafts a commitment over the 12 villages of a district, an approver (another person)
 * approves it, a village operator on a phone enrolls three workers by hand (a double click enrolls once, a
 * refused enrollment changes nothing), ends one coverage and enrolls twenty more from a CSV file uploaded
 * through the dashboard (one row refused, explained), an admin rolls the month, and BPJS billing sees the
 * invoices paid. Every page is checked with axe-core and photographed at 1366 px and 360 px.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { childrenOf } from '@lindung/core';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rupiah } from '../../packages/web/src/format.js';
import { caller, nikIn } from '../support/api-client.js';
import { axeViolations, openEnrollPage, signedInPage } from '../support/dashboard-page.js';
import { eventually, localStack } from '../support/local-stack.js';
import { sponsorWithStaff } from '../support/scenario.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, 'artifacts');
const YEAR = 2045;
const DISTRICT = '15.09.01'; // Tebo Tengah, Kabupaten Tebo: 12 villages
const VILLAGES = childrenOf(DISTRICT).map((v) => v.code as string);
const OPERATOR_VILLAGE = VILLAGES[0] ?? '';
const LAPTOP = { width: 1366, height: 900 };
const PHONE = { width: 360, height: 780 };

/** The twenty workers of the CSV file, and where in it the already covered Siti Aminah is listed again. */
const IMPORTED = Array.from({ length: 20 }, (_, i) => ({
  nik: nikIn('150901', 101 + i),
  name: `Impor ${i + 1}`,
}));
const REFUSED_ROW = 7;
const FULL_YEAR = 12 * 16_800;

const operatorClaims = {
  roles: ['village-operator'],
  villageCodes: [OPERATOR_VILLAGE],
  sub: `operator-${OPERATOR_VILLAGE}`,
};

interface Claims {
  roles: string[];
  sponsorId?: string;
  villageCodes?: string[];
  sub: string;
}

describe('every role in the dashboard', () => {
  const stack = localStack();
  let browser: Browser;
  let sponsorId: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    await mkdir(ARTIFACTS, { recursive: true });
    sponsorId = (
      await sponsorWithStaff(stack, { name: 'Kabupaten Tebo', kind: 'regency', regionCode: '15.09' })
    ).sponsorId;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
  });

  /** A page signed in as `claims`. */
  const signedIn = (claims: Claims, viewport = LAPTOP): Promise<Page> =>
    signedInPage(browser, stack, claims, viewport);

  /** Screenshots at 1366 px and 360 px, and no serious accessibility violation at either width. */
  const record = async (page: Page, name: string) => {
    expect(await axeViolations(page)).toEqual([]);
    for (const [label, size] of [
      ['1366', LAPTOP],
      ['360', PHONE],
    ] as const) {
      await page.setViewportSize(size);
      await page.screenshot({ path: join(ARTIFACTS, `${name}-${label}.png`), fullPage: true });
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  };

  let commitmentId: string;

  /** The operator's village quota of the commitment, as stored (not the projected report). */
  const villageQuota = async (): Promise<{ available: number; reserved: number; workers: number }> => {
    const auditor = await caller(stack, { roles: ['auditor'] });
    const { items } = (await auditor.get(`/v1/commitments/${commitmentId}/allocations?limit=100`)).body;
    return items.find((a: { villageCode: string }) => a.villageCode === OPERATOR_VILLAGE);
  };

  it('lets a finance officer draft a commitment over the villages of a district with the planner and a preview', async () => {
    // Prepare
    const page = await signedIn({ roles: ['sponsor-officer'], sponsorId, sub: `officer-${sponsorId}` });
    await page.goto(`${stack.httpUrl}/#/draft`);

    // Act: Rp 100.000.000 per village, 10 % for premiums, over Tebo Tengah.
    await page.getByTestId('fiscal-year').fill(String(YEAR));
    await page.getByTestId('pick-province').selectOption('15');
    await page.getByTestId('pick-regency').selectOption('15.09');
    await page.getByTestId('pick-district').selectOption(DISTRICT);
    await page.getByTestId('preview-table').waitFor();

    // Assess: the premium, the planner and one quota per village before anything is sent.
    expect(await page.getByTestId('premium').textContent()).toContain('Rp 16.800 per bulan');
    expect(await page.getByTestId('planner').textContent()).toBe(
      'Rp 10.000.000 per desa menanggung 49 pekerja setahun.',
    );
    expect(await page.locator('[data-testid=preview-table] tbody tr').count()).toBe(VILLAGES.length);
    expect(await page.getByTestId('preview-total').textContent()).toBe('12 desa · total Rp 120.000.000');
    await record(page, 'officer-draft');

    // Act: save it, twice in a row (one submission, one key: one draft).
    await page.getByTestId('draft-submit').dblclick();

    // Assess
    await expect.poll(() => page.getByTestId('draft-outcome').textContent()).toContain('Draf tersimpan');
    const officer = await caller(stack, {
      roles: ['sponsor-officer'],
      sponsorId,
      sub: `officer-${sponsorId}`,
    });
    const drafts = (await officer.get(`/v1/sponsors/${sponsorId}/commitments?status=draft`)).body.items;
    expect(drafts).toHaveLength(1);
    expect(drafts[0]).toMatchObject({ fiscalYear: YEAR, budget: 120_000_000, villages: 12 });
    commitmentId = drafts[0].id;
    await page.close();
  });

  it('lets a finance officer upload an eligibility list in parts, with progress, the NIKs kept as hashes', async () => {
    // Prepare: a P3KE file of 1,200 NIKs (two requests), under a header and with one line that is no NIK.
    const niks = Array.from({ length: 1200 }, (_, i) => nikIn('150902', 5000 + i));
    const csv = `nik\n${niks.join('\n')}\nbukan-nik\n`;
    const page = await signedIn({ roles: ['sponsor-officer'], sponsorId, sub: `officer-${sponsorId}` });
    const sent: number[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().includes('/lists/p3ke/members')) {
        sent.push((JSON.parse(request.postData() ?? '{}') as { niks: string[] }).niks.length);
      }
    });
    await page.goto(`${stack.httpUrl}/#/draft`);

    // Act
    await page.getByTestId('list-file').setInputFiles({
      name: 'p3ke.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv),
    });
    await expect
      .poll(() => page.getByTestId('list-read').textContent())
      .toBe('1.200 NIK terbaca, 2 baris dilewati.');
    await page.getByTestId('list-upload').click();

    // Assess: two parts, the list's size in Indonesian, and the API agrees.
    await expect
      .poll(() => page.getByTestId('list-outcome').textContent(), { timeout: 30_000 })
      .toBe('Daftar p3ke kini berisi 1.200 pekerja.');
    expect(sent).toEqual([1000, 200]);
    expect(await page.getByTestId('list-progress').getAttribute('value')).toBe('1200');
    const officer = await caller(stack, { roles: ['sponsor-officer'], sponsorId });
    expect((await officer.get(`/v1/sponsors/${sponsorId}/lists/p3ke`)).body.members).toBe(1200);
    await record(page, 'officer-lists');
    await page.close();
  });

  it('never lets the drafter approve their own draft, and says why', async () => {
    // Prepare: someone who holds both roles looks at a draft they made.
    const both: Claims = {
      roles: ['sponsor-officer', 'sponsor-approver'],
      sponsorId,
      sub: `both-${sponsorId}`,
    };
    const page = await signedIn(both);
    const own = await (await caller(stack, both)).post('/v1/commitments', {
      sponsorId,
      fiscalYear: YEAR,
      budget: { kind: 'fixed', amount: 1_000_000 },
      benefit: { programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 },
      allocation: { method: 'equal', villages: [OPERATOR_VILLAGE] },
    });
    expect(own.status).toBe(201);

    // Act
    await page.goto(`${stack.httpUrl}/#/approvals`);
    const card = page.locator(`[data-testid=draft][data-id="${own.body.id}"]`);
    await card.waitFor();

    // Assess: approve and reject are disabled with the reason; withdrawing works.
    expect(await card.getByTestId('approve').isDisabled()).toBe(true);
    expect(await card.getByTestId('own-draft').textContent()).toContain('persetujuan harus oleh orang lain');
    await card.getByTestId('withdraw').click();
    await expect.poll(() => card.getByTestId('decided').textContent()).toContain('Ditarik');
    await page.close();
  });

  it('lets another person approve the draft from the list of drafts waiting', async () => {
    // Prepare
    const page = await signedIn({ roles: ['sponsor-approver'], sponsorId, sub: `approver-${sponsorId}` });
    await page.goto(`${stack.httpUrl}/#/approvals`);
    const card = page.locator(`[data-testid=draft][data-id="${commitmentId}"]`);
    await card.waitFor();
    expect(await page.locator('[data-testid=draft]').count()).toBe(1);
    expect(await card.getByTestId('draft-villages').textContent()).toBe('12');
    await record(page, 'approver-drafts');

    // Act: a rejection needs a reason; then approve.
    await card.getByTestId('reject').click();
    expect(await card.getByRole('alert').textContent()).toContain('alasan');
    await card.getByTestId('approve').click();

    // Assess
    await expect.poll(() => card.getByTestId('decided').textContent()).toContain('Aktif');
    const approver = await caller(stack, { roles: ['sponsor-approver'], sponsorId });
    expect((await approver.get(`/v1/commitments/${commitmentId}`)).body.status).toBe('active');
    await page.close();
  });

  it('lets a village operator on a phone enroll three workers, once per submission, explaining a refusal', async () => {
    // Prepare
    const operator: Claims = {
      roles: ['village-operator'],
      villageCodes: [OPERATOR_VILLAGE],
      sub: `operator-${OPERATOR_VILLAGE}`,
    };
    const api = await caller(stack, operator);
    const page = await signedIn(operator, PHONE);
    const keys: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/enrollments')) {
        keys.push(request.headers()['idempotency-key'] ?? '');
      }
    });
    const enrolled = async () =>
      (await api.get(`/v1/villages/${OPERATOR_VILLAGE}/enrollments?limit=100`)).body.items.length as number;
    const niks = [1, 2, 3].map((serial) => nikIn('150901', serial));
    await openEnrollPage(page, stack, YEAR);

    // Act / Assess: the NIK's shape and age are told as it is typed.
    await page.getByTestId('nik').fill('15090101');
    expect(await page.getByTestId('nik-feedback').textContent()).toContain('16 angka (8 sekarang)');
    expect(await page.getByTestId('enroll-submit').isDisabled()).toBe(true);
    await page.getByTestId('nik').fill('1509010101100001'); // born 1 January 2010: 35 in 2045
    expect(await page.getByTestId('nik-feedback').textContent()).toContain('umur 35 tahun');
    await page.getByTestId('nik').fill('1509010101500001'); // born 1 January 1950: 95 in 2045
    expect(await page.getByTestId('nik-feedback').textContent()).toContain('maksimal 65 tahun');
    await record(page, 'operator-enroll');

    // Act: the first worker with a double click.
    await page.getByTestId('nik').fill(niks[0] ?? '');
    await page.getByTestId('worker-name').fill('Siti Aminah');
    await page.getByTestId('enroll-submit').dblclick();
    await expect
      .poll(() => page.getByTestId('enroll-outcome').textContent())
      .toContain('Siti Aminah terdaftar');

    // Assess: one enrollment; every POST of that submission carried the same key.
    expect(await enrolled()).toBe(1);
    expect(new Set(keys).size).toBe(1);

    // Act: two more by hand, then the first one again.
    for (const [i, nik] of niks.slice(1).entries()) {
      await page.getByTestId('nik').fill(nik);
      await page.getByTestId('worker-name').fill(`Pekerja ${i + 2}`);
      await page.getByTestId('enroll-submit').click();
      await expect.poll(() => page.getByTestId('enroll-outcome').textContent()).toContain(`Pekerja ${i + 2}`);
    }
    const before = await villageQuota();
    await page.getByTestId('nik').fill(niks[0] ?? '');
    await page.getByTestId('enroll-submit').click();

    // Assess: refused in plain words, and nothing changed (neither the workers nor the quota).
    await expect.poll(() => page.getByTestId('enroll-outcome').textContent()).toContain('sudah terlindungi');
    expect(await page.getByTestId('enroll-outcome').getAttribute('role')).toBe('alert');
    expect(await enrolled()).toBe(3);
    expect(await villageQuota()).toEqual(before);
    expect(new Set(keys).size).toBe(4);
    await page.screenshot({ path: join(ARTIFACTS, 'operator-refused-360.png'), fullPage: true });

    // Act: end the third worker's coverage from June.
    await page.goto(`${stack.httpUrl}/#/village/${OPERATOR_VILLAGE}`);
    const row = page.locator('[data-testid=worker-table] tbody tr', { hasText: 'Pekerja 3' });
    await row.getByTestId('terminate').click();
    await row.getByTestId('terminate-from').selectOption(`${YEAR}-06`);
    await row.getByTestId('terminate-confirm').click();

    // Assess: seven months of Rp 16.800 go back to the village's quota.
    await expect
      .poll(() => page.getByTestId('terminate-outcome').textContent())
      .toContain('Rp 117.600 kembali ke kuota desa');
    await record(page, 'operator-village');
    await page.close();
  });

  let importJobId: string;

  it('lets the operator upload a CSV of workers: wrong files refused at once, progress, every row explained, a reload finds the job', async () => {
    // Prepare: the 20 new workers and, as row 7, Siti Aminah again (enrolled by hand above).
    const api = await caller(stack, operatorClaims);
    const enrolled = async () =>
      (await api.get(`/v1/villages/${OPERATOR_VILLAGE}/enrollments?limit=100`)).body.items.length as number;
    const lines = IMPORTED.map((w) => `${w.nik},${w.name},${YEAR}-01`);
    lines.splice(REFUSED_ROW - 1, 0, `${nikIn('150901', 1)},Siti Aminah,${YEAR}-01`);
    const csv = `nik,name,startPeriod\n${lines.join('\n')}\n`;
    const page = await signedIn(operatorClaims, PHONE);
    const keys: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().includes('/enrollments/import')) {
        keys.push(request.headers()['idempotency-key'] ?? '');
      }
    });
    await page.goto(`${stack.httpUrl}/#/import`);
    await page.getByTestId('import-form').waitFor();
    const file = page.getByTestId('import-file');
    const check = page.getByTestId('import-file-check');
    await record(page, 'operator-import');

    // Act / Assess: the example file to start from.
    const example = page.waitForEvent('download');
    await page.getByTestId('import-example').click();
    const exampleFile = await example;
    expect(exampleFile.suggestedFilename()).toBe('contoh-pekerja.csv');
    expect(await readFile(await exampleFile.path(), 'utf8')).toMatch(
      new RegExp(`^nik,name,startPeriod\n1509014506900001,Siti Aminah,${YEAR}-01\n`),
    );

    // Act / Assess: a spreadsheet that is not CSV, and a CSV with columns of its own, are refused before upload.
    await file.setInputFiles({
      name: 'pekerja.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: Buffer.from('PK'),
    });
    await expect.poll(() => check.textContent()).toContain('“pekerja.xlsx” bukan berkas CSV');
    expect(await page.getByTestId('import-submit').isDisabled()).toBe(true);
    await file.setInputFiles({
      name: 'pekerja.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`nik;nama;mulai\n${nikIn('150901', 9)};Ani;${YEAR}-01\n`),
    });
    await expect
      .poll(() => check.textContent())
      .toBe('Kolom tidak dikenal: "nama", "mulai". Kolom yang dipakai: nik, name, startPeriod, segment.');
    expect(await check.getAttribute('role')).toBe('alert');
    expect(await page.getByTestId('import-submit').isDisabled()).toBe(true);

    // Act / Assess: a file over the API's body limit is refused by the API (413), explained, nothing imported.
    const big = `nik,name,startPeriod\n${`${nikIn('150901', 9)},Pekerja,${YEAR}-01\n`.repeat(190_000)}`;
    await file.setInputFiles({ name: 'besar.csv', mimeType: 'text/csv', buffer: Buffer.from(big) });
    await expect.poll(() => check.textContent()).toContain('siap diunggah');
    await page.getByTestId('import-submit').click();
    await expect
      .poll(() => check.textContent())
      .toContain('Berkas terlalu besar untuk diunggah sekaligus (6,3 MB)');
    expect(await enrolled()).toBe(3);

    // Act: the real file, with a double click.
    await file.setInputFiles({ name: 'pekerja.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await expect.poll(() => check.textContent()).toContain('21 pekerja siap diunggah');
    await page.getByTestId('import-submit').dblclick();

    // Assess: the job's page, in the address, with its progress, until it is done.
    await page.waitForURL(/#\/import\/[0-9A-Z]{26}$/);
    importJobId = decodeURIComponent(page.url().split('/').pop() ?? '');
    const done = page.locator('[data-testid=import-job][data-state=done]');
    await done.waitFor();
    expect(await page.getByTestId('import-progress-text').textContent()).toBe(
      '21 dari 21 baris diproses (100,0 %)',
    );
    expect(await page.getByTestId('import-progress').getAttribute('value')).toBe('21');
    expect(await page.getByTestId('import-summary').textContent()).toBe(
      '20 pekerja terdaftar, 1 baris ditolak.',
    );
    const refused = page.locator('[data-testid=refused-rows] li');
    await expect.poll(() => refused.count()).toBe(1);
    expect(await refused.getAttribute('data-row')).toBe(String(REFUSED_ROW));
    expect(await refused.textContent()).toContain('Siti Aminah');
    expect(await refused.getByTestId('refusal-reason').textContent()).toBe(
      'Sudah terlindungi untuk bulan itu (oleh desa atau sponsor lain); tidak didaftarkan lagi.',
    );
    expect(await page.locator('[data-testid=enrolled-table] tbody tr').count()).toBe(20);
    // One upload for the double click (the 413 file had its own key): 23 workers, 20 of them from the file.
    expect(new Set(keys).size).toBe(2);
    expect(await enrolled()).toBe(23);
    // The quota holds 22 full years and the five months of the worker who ends in June.
    expect((await villageQuota()).reserved).toBe(22 * FULL_YEAR + 5 * 16_800);

    // Act / Assess: the results as a file; English on the switch.
    const download = page.waitForEvent('download');
    await page.getByTestId('import-results-csv').click();
    expect((await download).suggestedFilename()).toBe(`hasil-impor-${importJobId}.csv`);
    await page.getByTestId('lang-switch').click();
    expect(await refused.getByTestId('refusal-reason').textContent()).toContain(
      'Already covered for that month',
    );
    expect(await page.getByTestId('import-summary').textContent()).toBe('20 workers enrolled, 1 refused.');
    await page.getByTestId('lang-switch').click();
    await page.locator('[data-testid=enrolled-rows] summary').click();
    await record(page, 'operator-import-results');

    // Act: reload, then come back from another page.
    await page.reload();
    await done.waitFor();
    expect(await refused.getByTestId('refusal-reason').textContent()).toContain('Sudah terlindungi');
    await page.goto(`${stack.httpUrl}/#/enroll`);
    await page.goto(`${stack.httpUrl}/#/import`);
    await page.getByTestId('last-import').click();

    // Assess: the same job, found again.
    await page.waitForURL(new RegExp(`#/import/${importJobId}$`));
    await done.waitFor();
    expect(await page.getByTestId('import-summary').textContent()).toBe(
      '20 pekerja terdaftar, 1 baris ditolak.',
    );
    await page.close();
  });

  it('shows BPJS billing the invoices of the rolled month, paid, in number order with village names', async () => {
    // Prepare: an admin rolls January, as the monthly schedule would.
    const admin = await caller(stack, { roles: ['admin'] });
    expect((await admin.post(`/v1/periods/${YEAR}-01/roll`, {})).status).toBe(202);
    const billingClaims: Claims = { roles: ['billing'], sponsorId, sub: 'billing' };
    const billing = await caller(stack, billingClaims);
    await eventually(
      async () => {
        const { items } = (await billing.get(`/v1/invoices?sponsorId=${sponsorId}&limit=100`)).body;
        return items.length > 0 && items.every((i: { status: string }) => i.status === 'paid')
          ? true
          : undefined;
      },
      { timeoutMs: 90_000, what: 'billing to pay the January invoice' },
    );
    const page = await signedIn(billingClaims);

    // Act
    await page.goto(`${stack.httpUrl}/#/invoices`);
    await page.getByTestId('invoice-table').waitFor();
    await page.getByTestId('state-filter').selectOption('paid');

    // Assess: the village by name, the count of paid invoices, a CSV to download.
    const village = childrenOf(DISTRICT)[0]?.name ?? '';
    await expect.poll(() => page.getByTestId('invoice-table').textContent()).toContain(village);
    expect(await page.getByTestId('invoice-count-paid').getAttribute('data-count')).toBe('1');
    // January of the 23 workers: 3 enrolled by hand (one ending in June) and 20 from the file.
    const invoice = page.locator('[data-testid=invoice-table] tbody tr');
    expect(await invoice.textContent()).toContain(rupiah(23 * 16_800));
    const download = page.waitForEvent('download');
    await page.getByTestId('invoices-csv').click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('tagihan-paid.csv');
    await record(page, 'billing-invoices');
    await page.close();
  });

  it('passes axe-core on every other page of every role, photographed at 1366 px and 360 px', async () => {
    // Prepare: the pages not photographed above, as each role opens them.
    const officer: Claims = { roles: ['sponsor-officer'], sponsorId, sub: `officer-${sponsorId}` };
    const auditor: Claims = { roles: ['auditor'], sub: 'auditor' };
    const pages: [name: string, claims: Claims | undefined, hash: string][] = [
      ['sign-in', undefined, '#/'],
      ['officer-overview', officer, '#/'],
      ['officer-villages', officer, '#/villages'],
      ['officer-village', officer, `#/village/${OPERATOR_VILLAGE}`],
      ['officer-invoices', officer, '#/invoices'],
      ['officer-approvals', officer, '#/approvals'],
      ['operator-invoices', operatorClaims, '#/invoices'],
      ['auditor-overview', auditor, '#/'],
      ['auditor-invoices', auditor, '#/invoices'],
    ];
    for (const [name, claims, hash] of pages) {
      // Act
      const page = claims ? await signedIn(claims) : await browser.newPage({ viewport: LAPTOP });
      await page.goto(`${stack.httpUrl}/${hash}`);
      await page.waitForFunction(() => {
        const main = document.querySelector('main');
        return Boolean(main?.querySelector('h1')) && !main?.textContent?.includes('Memuat');
      });

      // Assess
      await record(page, name);
      await page.close();
    }
  });
});
