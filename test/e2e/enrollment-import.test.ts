import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { lambdaContext } from '../../packages/local/src/lambda.js';
import { type Answer, caller, nikIn } from '../support/api-client.js';
import { localStack } from '../support/local-stack.js';
import { activeCommitment, repositories, sponsorWithStaff } from '../support/scenario.js';

const FULL_YEAR = 12 * 16_800;
const QUOTA = 10_000_000;
/** Full-year workers a quota of Rp 10.000.000 covers. */
const FITS = Math.floor(QUOTA / FULL_YEAR);

const importPath = (village: string) => `/v1/villages/${village}/enrollments/import`;

/** A NIK of someone born in January 2015: 12 in 2027, too young to be subsidised. */
const childNik = (serial: number) => `150101010115${String(serial).padStart(4, '0')}`;

/** Sets up an active commitment over one village and signs in that village's operator. */
const villageWithQuota = async (village: string) => {
  const stack = localStack();
  const staff = await sponsorWithStaff(stack);
  const commitmentId = await activeCommitment(staff, { villages: [village], perVillage: QUOTA });
  const operator = await caller(stack, { roles: ['village-operator'], villageCodes: [village] });
  return { staff, commitmentId, operator };
};

const statusesOf = (answer: Answer) => answer.body.rows.map((r: { status: number }) => r.status);

describe('bulk enrollment import (POST /v1/villages/{code}/enrollments/import)', () => {
  it('enrolls exactly the quota’s worth of 5,000 JSON rows, gives every other row its own 409 or 422, and a rerun creates nothing', async ({
    annotate,
  }) => {
    // Prepare: every 500 rows, four invalid ones of different kinds; all NIKs distinct.
    const village = '15.01.01.2001';
    const { staff, commitmentId, operator } = await villageWithQuota(village);
    const invalid = new Map<number, string>([
      [100, 'a 15-digit NIK'],
      [200, 'a start outside the fiscal year'],
      [300, 'a child'],
      [400, 'an unknown field'],
    ]);
    const rows = Array.from({ length: 5_000 }, (_, i) => {
      const row = i + 1;
      const nik = nikIn('150101', row);
      switch (row % 500) {
        case 100:
          return { nik: nik.slice(1), startPeriod: '2027-01' };
        case 200:
          return { nik, startPeriod: '2028-01' };
        case 300:
          return { nik: childNik(row), startPeriod: '2027-01' };
        case 400:
          return { nik, startPeriod: '2027-01', village };
        default:
          return { nik, name: `Pekerja ${row}`, startPeriod: '2027-01' };
      }
    });
    const request = { commitmentId, rows };

    // Act
    const started = Date.now();
    const first = await operator.post(importPath(village), request, { 'idempotency-key': 'import-5000' });
    const elapsed = Date.now() - started;
    const replay = await operator.post(importPath(village), request, { 'idempotency-key': 'import-5000' });
    const rerun = await operator.post(importPath(village), request);
    await annotate(`5,000 rows imported in ${elapsed} ms`);

    // Assess: the first answer, row by row.
    expect(first.status).toBe(200);
    const results = first.body.rows as {
      row: number;
      status: number;
      code?: string;
      enrollmentId?: string;
    }[];
    expect(results.map((r) => r.row)).toEqual(rows.map((_, i) => i + 1));
    const invalidRows = results.filter((r) => invalid.has(r.row % 500));
    expect(invalidRows).toHaveLength(40);
    expect(invalidRows.every((r) => r.status === 422 && r.code === 'validation-failed')).toBe(true);
    const valid = results.filter((r) => !invalid.has(r.row % 500));
    expect(valid.filter((r) => r.status === 201)).toHaveLength(FITS);
    expect(valid.filter((r) => r.status === 201).every((r) => typeof r.enrollmentId === 'string')).toBe(true);
    expect(
      valid.filter((r) => r.status !== 201).every((r) => r.status === 409 && r.code === 'quota-exhausted'),
    ).toBe(true);
    expect(first.body.summary).toEqual({
      rows: 5_000,
      created: FITS,
      failed: 5_000 - FITS,
      byStatus: { '201': FITS, '409': 5_000 - 40 - FITS, '422': 40 },
      byCode: { 'quota-exhausted': 5_000 - 40 - FITS, 'validation-failed': 40 },
    });
    expect(JSON.stringify(first.body)).not.toMatch(/\d{16}/);
    // Within API Gateway's 29 s integration timeout, which the Lambda's timeout follows.
    expect(elapsed).toBeLessThan(29_000);

    // Assess: the replay is the first answer; the rerun moved nothing.
    expect(replay).toEqual(first);
    expect(rerun.status).toBe(200);
    expect(rerun.body.summary.created).toBe(0);
    expect(statusesOf(rerun).filter((s: number) => s === 422)).toHaveLength(40);
    const store = repositories(localStack());
    const allocation = await store.commitments.allocation(commitmentId, village);
    expect(allocation).toMatchObject({
      reserved: FITS * FULL_YEAR,
      available: QUOTA - FITS * FULL_YEAR,
      workers: FITS,
    });
    expect((await store.ledger.reconcile(allocation as NonNullable<typeof allocation>)).problems).toEqual([]);
    const listed = await staff.officer.get(`/v1/commitments/${commitmentId}`);
    expect(listed.body.totals.enrolledWorkers).toBe(FITS);
  });

  it('still tries a cheaper row after dearer ones were turned away for want of quota', async () => {
    // Prepare: 200 full-year workers exhaust the quota long before the 10 who start in December come up.
    const village = '15.01.01.2006';
    const { commitmentId, operator } = await villageWithQuota(village);
    const rows = Array.from({ length: 210 }, (_, i) => ({
      nik: nikIn('150106', i + 1),
      startPeriod: i < 200 ? '2027-01' : '2027-12',
    }));

    // Act
    const answer = await operator.post(importPath(village), { commitmentId, rows });

    // Assess: what is left after 49 full years (Rp 121.600) covers 7 Decembers of Rp 16.800.
    const created = (from: number, to: number) =>
      answer.body.rows.slice(from, to).filter((r: { status: number }) => r.status === 201).length;
    expect(created(0, 200)).toBe(FITS);
    expect(created(200, 210)).toBe(7);
    const allocation = await repositories(localStack()).commitments.allocation(commitmentId, village);
    expect(allocation?.available).toBe(QUOTA - FITS * FULL_YEAR - 7 * 16_800);
  });

  it('reads CSV with quoted names and empty cells, fails bad lines alone, and a rerun reports the enrolled as already covered', async () => {
    // Prepare
    const village = '15.01.01.2002';
    const { commitmentId, operator } = await villageWithQuota(village);
    const nik = (serial: number) => nikIn('150102', serial);
    const csv = [
      'nik,name,startPeriod',
      `${nik(1)},"Siti, binti Ahmad",2027-01`,
      `${nik(2)},,2027-02`,
      `${nik(3)},Budi,2027-03`,
      '12345,Pendek,2027-01',
      `${nik(4)},Bulan,2027-13`,
      `${nik(5)},Terlalu,banyak,kolom`,
      '',
      `${nik(1)},Siti lagi,2027-06`,
    ].join('\r\n');
    const send = () =>
      operator.send('POST', `${importPath(village)}?commitmentId=${commitmentId}`, {
        body: csv,
        headers: { 'content-type': 'text/csv; charset=utf-8' },
      });

    // Act
    const first = await send();
    const rerun = await send();
    const enrolled = await operator.get(`/v1/villages/${village}/enrollments?limit=100`);

    // Assess: rows count data lines, skipping the blank one.
    expect(first.status).toBe(200);
    const [one, two, three, four, five, six, seven] = first.body.rows;
    expect([two, three].map((r) => r.status)).toEqual([201, 201]);
    expect([four, five, six].map((r) => [r.row, r.status, r.code])).toEqual([
      [4, 422, 'validation-failed'],
      [5, 422, 'validation-failed'],
      [6, 422, 'validation-failed'],
    ]);
    expect(four.detail).toMatch(/^nik:/);
    expect(five.detail).toMatch(/^startPeriod:/);
    expect(six.detail).toMatch(/4 fields/);
    // The same worker twice in one file: one row covers them, the other is refused (rows run concurrently).
    expect([one, seven].map((r) => r.status).sort()).toEqual([201, 409]);
    expect([one, seven].find((r) => r.status === 409).code).toBe('already-covered');
    expect(first.body.summary).toMatchObject({ rows: 7, created: 3, failed: 4 });
    expect(JSON.stringify(first.body)).not.toMatch(/\d{16}/);

    expect(rerun.body.summary).toMatchObject({ rows: 7, created: 0, byCode: { 'already-covered': 4 } });
    expect(statusesOf(rerun)).toEqual([409, 409, 409, 422, 422, 422, 409]);
    expect(enrolled.body.items).toHaveLength(3);
    expect(enrolled.body.items.map((e: { name?: string }) => e.name).sort()).toEqual(
      expect.arrayContaining(['Budi']),
    );
    expect(
      enrolled.body.items.some(
        (e: { name?: string }) => e.name === 'Siti, binti Ahmad' || e.name === 'Siti lagi',
      ),
    ).toBe(true);
  });

  it('refuses a whole request that is empty, over 5,000 rows, without a usable CSV header or commitment', async () => {
    // Prepare
    const village = '15.01.01.2003';
    const { commitmentId, operator } = await villageWithQuota(village);
    const other = await villageWithQuota('15.01.01.2011');
    const row = { nik: nikIn('150103', 1), startPeriod: '2027-01' };
    const csv = (text: string, query = `?commitmentId=${commitmentId}`) =>
      operator.send('POST', `${importPath(village)}${query}`, {
        body: text,
        headers: { 'content-type': 'text/csv' },
      });

    // Act
    const tooMany = await operator.post(importPath(village), {
      commitmentId,
      rows: Array.from({ length: 5_001 }, () => row),
    });
    const tooManyCsv = await csv(
      ['nik,startPeriod', ...Array.from({ length: 5_001 }, () => `${row.nik},2027-01`)].join('\n'),
    );
    const empty = await operator.post(importPath(village), { commitmentId, rows: [] });
    const headerOnly = await csv('nik,name,startPeriod\n');
    const badHeader = await csv(`nik,nama,startPeriod\n${row.nik},Ani,2027-01\n`);
    const brokenQuote = await csv(`nik,name,startPeriod\n${row.nik},"Ani,2027-01\n`);
    const noCommitment = await csv(`nik,startPeriod\n${row.nik},2027-01\n`, '');
    const unknownCommitment = await operator.post(importPath(village), {
      commitmentId: '01JUNKNOWNC0MM1TMENT000000',
      rows: [row],
    });
    const notThisVillage = await operator.post(importPath(village), {
      commitmentId: other.commitmentId,
      rows: [row],
    });
    const after = await operator.get(`/v1/villages/${village}/enrollments`);

    // Assess
    for (const answer of [tooMany, tooManyCsv, empty, headerOnly, badHeader, brokenQuote, noCommitment]) {
      expect(answer.status).toBe(422);
      expect(answer.contentType).toMatch(/^application\/problem\+json/);
      expect(answer.body.code).toBe('validation-failed');
    }
    expect(JSON.stringify(tooMany.body)).toContain('at most 5000 rows');
    expect(JSON.stringify(tooManyCsv.body)).toContain('at most 5000 rows');
    expect(JSON.stringify(badHeader.body)).toContain('nik,name,startPeriod');
    expect(JSON.stringify(brokenQuote.body)).not.toContain(row.nik);
    expect(unknownCommitment.status).toBe(404);
    expect(notThisVillage.status).toBe(404);
    expect(after.body.items).toEqual([]);
  });

  it('reads a base64-encoded CSV body, as API Gateway passes it for a binary media type', async () => {
    // Prepare: the handler itself, with the event API Gateway would build.
    const { handler } = await import('../../functions/http/api.js');
    const village = '15.01.01.2005';
    const { commitmentId } = await villageWithQuota(village);
    const csv = `nik,name,startPeriod\n${nikIn('150105', 1)},Dewi,2027-04\n`;
    const event = {
      version: '2.0',
      routeKey: 'POST /v1/villages/{code}/enrollments/import',
      rawPath: importPath(village),
      rawQueryString: `commitmentId=${commitmentId}`,
      headers: { 'content-type': 'text/csv' },
      queryStringParameters: { commitmentId },
      pathParameters: { code: village },
      requestContext: {
        http: { method: 'POST', path: importPath(village) },
        requestId: 'base64-import',
        routeKey: 'POST /v1/villages/{code}/enrollments/import',
        authorizer: {
          jwt: {
            claims: { sub: 'operator-base64', roles: '[village-operator]', villageCodes: `[${village}]` },
          },
        },
      },
      body: Buffer.from(csv).toString('base64'),
      isBase64Encoded: true,
    } as unknown as APIGatewayProxyEventV2;

    // Act
    const result = (await handler(event, lambdaContext('http-api', 29))) as APIGatewayProxyStructuredResultV2;

    // Assess
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body ?? '').summary).toMatchObject({ rows: 1, created: 1 });
  });
});
