import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT_CODES, run } from '@lindung/cli';
import { describe, expect, it } from 'vitest';
import { captureIo, fakeLindung, tokenRoute } from './fake-lindung.js';

const invoice = (n: number, status = 'paid') => ({
  id: `C_15.01.01.${2000 + n}_2027-03`,
  number: n,
  numberText: `2027/${String(n).padStart(6, '0')}`,
  villageCode: `15.01.01.${2000 + n}`,
  period: '2027-03',
  total: 823_200,
  lineCount: 49,
  status,
  ...(status === 'paid' && { paymentCode: `0000000000${n}` }),
});

/** Invoices in pages of two, with the page token the API gives. */
const pagedInvoices = (all: readonly ReturnType<typeof invoice>[]) =>
  fakeLindung({
    'POST /local/tokens': tokenRoute,
    'GET /v1/invoices': (request) => {
      const start = Number(request.query.pageToken ?? 0);
      const next = start + 2 < all.length ? String(start + 2) : undefined;
      return {
        status: 200,
        body: { items: all.slice(start, start + 2), ...(next && { nextPageToken: next }) },
      };
    },
  });

describe('lindung invoices export', () => {
  it('pages through every invoice of the sponsor and writes the CSV columns, amounts in integer rupiah', async () => {
    // Prepare
    const fake = pagedInvoices([invoice(1), invoice(2), invoice(3, 'acknowledged')]);
    const captured = captureIo(fake);

    // Act
    const code = await run(
      ['invoices', 'export', '--period', '2027-03', '--format', 'csv', '--sponsor', 'S1'],
      captured.io,
    );

    // Assess
    expect(code).toBe(EXIT_CODES.ok);
    expect(fake.to(/local\/tokens/)[0]?.body).toEqual({ roles: ['sponsor-officer'], sponsorId: 'S1' });
    const pages = fake.to(/invoices/);
    expect(pages.map((p) => p.query.pageToken)).toEqual([undefined, '2']);
    expect(pages[0]?.query).toMatchObject({ sponsorId: 'S1', period: '2027-03', limit: '1000' });
    expect(captured.stdout()).toBe(
      [
        'number,village,period,total,status,paymentCode',
        '2027/000001,15.01.01.2001,2027-03,823200,paid,00000000001',
        '2027/000002,15.01.01.2002,2027-03,823200,paid,00000000002',
        '2027/000003,15.01.01.2003,2027-03,823200,acknowledged,',
        '',
      ].join('\n'),
    );
    expect(captured.stderr()).toBe('3 invoices of 2027-03, Rp 2.469.600 in all, 2 paid\n');
  });

  it('writes JSON to a file for a village, with the village operator’s token', async () => {
    // Prepare
    const fake = pagedInvoices([invoice(1)]);
    const captured = captureIo(fake);
    const out = join(await mkdtemp(join(tmpdir(), 'lindung-invoices-')), 'invoices.json');

    // Act
    const code = await run(
      ['invoices', 'export', '--village', '15.01.01.2001', '--format', 'json', '--out', out],
      captured.io,
    );

    // Assess
    expect(code).toBe(EXIT_CODES.ok);
    expect(fake.to(/local\/tokens/)[0]?.body).toEqual({
      roles: ['village-operator'],
      villageCodes: ['15.01.01.2001'],
    });
    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual([invoice(1)]);
    expect(captured.stdout()).toBe('');
  });

  it('asks for a sponsor or a village when it must mint a token, and refuses an unknown format', async () => {
    // Prepare
    const fake = pagedInvoices([]);
    const unscoped = captureIo(fake);
    const xml = captureIo(fake);

    // Act
    const unscopedCode = await run(['invoices', 'export', '--period', '2027-03'], unscoped.io);
    const xmlCode = await run(['invoices', 'export', '--sponsor', 'S1', '--format', 'xml'], xml.io);

    // Assess
    expect(unscopedCode).toBe(EXIT_CODES.usage);
    expect(unscoped.stderr()).toContain('lindung invoices export: name --sponsor or --village');
    expect(xmlCode).toBe(EXIT_CODES.usage);
    expect(xml.stderr()).toContain('--format must be csv or json');
    expect(fake.received).toHaveLength(0);
  });
});

describe('lindung roll', () => {
  it('rolls the period as an administrator and says what was queued, in Indonesian numbers', async () => {
    // Prepare
    const fake = fakeLindung({
      'POST /local/tokens': tokenRoute,
      'POST /v1/periods/2027-01/roll': () => ({
        status: 202,
        body: { period: '2027-01', commitments: 2, units: 1_585, closing: 1_562 },
      }),
    });
    const captured = captureIo(fake);

    // Act
    const code = await run(['roll', '--period', '2027-01'], captured.io);

    // Assess
    expect(code).toBe(EXIT_CODES.ok);
    expect(fake.to(/local\/tokens/)[0]?.body).toEqual({ roles: ['admin'] });
    expect(fake.to(/roll$/)[0]?.headers.authorization).toBe('Bearer token-admin');
    expect(captured.stdout()).toBe(
      'Roll of 2027-01 queued: 1.585 villages of 2 commitments to renew; 1.562 villages of the previous year to close.\n',
    );
  });

  it('shows the problem code and detail when the token may not roll', async () => {
    // Prepare
    const fake = fakeLindung({
      'POST /v1/periods/2027-01/roll': () => ({
        status: 403,
        body: {
          status: 403,
          code: 'forbidden',
          title: 'Forbidden',
          detail: 'Not allowed to rollPeriod in this scope',
        },
      }),
    });
    const captured = captureIo(fake);

    // Act
    const code = await run(['roll', '--period', '2027-01', '--token', 'an-operator-token'], captured.io);

    // Assess
    expect(code).toBe(EXIT_CODES.failure);
    expect(captured.stderr()).toBe(
      'lindung roll: forbidden (HTTP 403): Not allowed to rollPeriod in this scope\n',
    );
  });

  it('refuses a period that is not YYYY-MM before calling anyone', async () => {
    // Prepare
    const fake = fakeLindung({});
    const captured = captureIo(fake);

    // Act
    const code = await run(['roll', '--period', '2027-13'], captured.io);

    // Assess
    expect(code).toBe(EXIT_CODES.usage);
    expect(captured.stderr()).toContain('--period');
    expect(fake.received).toHaveLength(0);
  });
});

describe('lindung import', () => {
  it('asks which import is meant', async () => {
    // Prepare
    const captured = captureIo(fakeLindung({}));

    // Act
    const code = await run(['import'], captured.io);

    // Assess
    expect(code).toBe(EXIT_CODES.usage);
    expect(captured.stderr()).toContain('name what to import: workers or targets');
    expect(captured.stderr()).toContain('import workers');
  });
});
