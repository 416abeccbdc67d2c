/**
 * Bulk imports as asynchronous jobs through the local stack: 202 with a job at once, the import worker enrolls
 * the rows from the queue, the job shows progress and per-row results; a crashed worker's job resumes without
 * enrolling anyone twice; the same Idempotency-Key names the same job.
 */
import { createImport, type ImportServices, type Principal, runImport } from '@lindung/api';
import {
  CommitmentRepository,
  documentClient,
  EnrollmentRepository,
  type EnrollmentRequest,
  ImportJobRepository,
  ListRepository,
  ReallocationRepository,
} from '@lindung/store';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { continueImport } from '../../functions/shared/imports.js';
import { lambdaContext } from '../../packages/local/src/lambda.js';
import { caller, nikIn } from '../support/api-client.js';
import { importAndWait, importPath, importResults } from '../support/imports.js';
import { localClients, localStack } from '../support/local-stack.js';
import { activeCommitment, repositories, sponsorWithStaff } from '../support/scenario.js';

const FULL_YEAR = 12 * 16_800;
const QUOTA = 10_000_000;
/** Full-year workers a quota of Rp 10.000.000 covers. */
const FITS = Math.floor(QUOTA / FULL_YEAR);

/** A NIK of someone born in January 2015: 12 in 2027, too young to be subsidised. */
const childNik = (serial: number) => `150101010115${String(serial).padStart(4, '0')}`;

/** Sets up an active commitment over one village and signs in that village's operator. */
const villageWithQuota = async (village: string, perVillage = QUOTA) => {
  const stack = localStack();
  const staff = await sponsorWithStaff(stack);
  const commitmentId = await activeCommitment(staff, { villages: [village], perVillage });
  const operator = await caller(stack, { roles: ['village-operator'], villageCodes: [village] });
  return { staff, commitmentId, operator };
};

const statusesOf = (rows: readonly { status: number }[]) => rows.map((r) => r.status);

describe('bulk enrollment import (POST /v1/villages/{code}/enrollments/import, GET /v1/imports/{id})', () => {
  it('answers 2,000 JSON rows with 202 and a job at once; the worker enrolls exactly the quota’s worth and explains every other row; the same key names the same job', async ({
    annotate,
  }) => {
    // Prepare: every 500 rows, four invalid ones of different kinds; all NIKs distinct.
    const village = '15.01.01.2001';
    const { staff, commitmentId, operator } = await villageWithQuota(village);
    const invalid = new Set([100, 200, 300, 400]);
    const rows = Array.from({ length: 2_000 }, (_, i) => {
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
    const key = { 'idempotency-key': 'import-2000' };

    // Act
    const started = Date.now();
    const posted = await fetch(`${localStack().httpUrl}${importPath(village)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operator.token}`, 'content-type': 'application/json', ...key },
      body: JSON.stringify(request),
    });
    const elapsed = Date.now() - started;
    const job = await posted.json();
    const replay = await operator.post(importPath(village), request, key);
    const { job: done, rows: results } = await importResults(operator, job.id);
    const again = await operator.post(importPath(village), request, key);
    await annotate(`202 after ${elapsed} ms; every row done after ${Date.now() - started} ms`);

    // Assess: the job at once, where to read it.
    expect(posted.status).toBe(202);
    expect(posted.headers.get('location')).toBe(`/v1/imports/${job.id}`);
    expect(job).toMatchObject({
      villageCode: village,
      commitmentId,
      rows: { total: 2_000 },
      links: { self: `/v1/imports/${job.id}` },
    });
    expect(['queued', 'running', 'done']).toContain(job.state);
    // Well within API Gateway's 29 s: the request only stores the rows.
    expect(elapsed).toBeLessThan(29_000);
    expect(replay.status).toBe(202);
    expect(replay.body.id).toBe(job.id);
    expect(again.body.id).toBe(job.id);

    // Assess: every row's result, in order, the NIK masked.
    expect(results.map((r) => r.row)).toEqual(rows.map((_, i) => i + 1));
    const invalidRows = results.filter((r) => invalid.has(r.row % 500));
    expect(invalidRows).toHaveLength(16);
    expect(
      invalidRows.every((r) => r.outcome === 'refused' && r.status === 422 && r.code === 'validation-failed'),
    ).toBe(true);
    expect(invalidRows.find((r) => r.row === 200)?.message).toMatch(/fiscal year 2027/);
    expect(invalidRows.find((r) => r.row === 300)?.message).toMatch(/18 to 65/);
    const valid = results.filter((r) => !invalid.has(r.row % 500));
    const enrolled = valid.filter((r) => r.outcome === 'enrolled');
    expect(enrolled).toHaveLength(FITS);
    expect(new Set(enrolled.map((r) => r.enrollmentId)).size).toBe(FITS);
    expect(
      valid
        .filter((r) => r.outcome === 'refused')
        .every((r) => r.status === 409 && r.code === 'quota-exhausted'),
    ).toBe(true);
    expect(results[0]?.nik).toMatch(/^1501\*{10}\d{2}$/);
    expect(JSON.stringify(results)).not.toMatch(/\d{16}/);
    expect(done).toMatchObject({
      state: 'done',
      rows: { total: 2_000, done: 2_000, enrolled: FITS, refused: 2_000 - FITS },
      byCode: { 'quota-exhausted': 2_000 - 16 - FITS, 'validation-failed': 16 },
    });

    // Assess: only the refused rows, a page at a time.
    const refusedPage = await operator.get(`/v1/imports/${job.id}?outcome=refused&limit=10`);
    expect(refusedPage.body.items).toHaveLength(10);
    expect(refusedPage.body.items.every((r: { outcome: string }) => r.outcome === 'refused')).toBe(true);
    expect(refusedPage.body.nextPageToken).toMatch(/^\d+$/);

    // Assess: the quota moved once per enrolled row.
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

  it('resumes a job whose worker crashed mid-chunk, after another chunk was done, without enrolling anyone twice', async () => {
    // Prepare: room for every worker; 1,200 rows (three chunks), two of them invalid.
    const village = '15.01.01.2012';
    const stack = localStack();
    const { commitmentId, operator } = await villageWithQuota(village, 1_300 * FULL_YEAR);
    const rows = Array.from({ length: 1_200 }, (_, i) =>
      i === 10 || i === 900
        ? { nik: '123', startPeriod: '2027-01' }
        : { nik: nikIn('150107', i + 1), startPeriod: '2027-01' },
    );
    const db = documentClient(localClients(stack).dynamodb);
    const table = stack.tables.ledger?.name ?? '';
    const enrollments = new EnrollmentRepository(db, table);
    let calls = 0;
    // A worker that dies after 700 enrollments: in its second chunk, with rows written but not recorded.
    const dying = Object.assign(Object.create(enrollments), {
      enroll: async (request: EnrollmentRequest) => {
        if (++calls > 700) throw new Error('the worker died');
        return enrollments.enroll(request);
      },
      enrollBatch: async (requests: (EnrollmentRequest & { id: string })[]) => {
        const outcome = await enrollments.enrollBatch(requests);
        calls += requests.length;
        if (calls > 700) throw new Error('the worker died');
        return outcome;
      },
    }) as EnrollmentRepository;
    const handedOn: number[] = [];
    const services: ImportServices = {
      commitments: new CommitmentRepository(db, table),
      enrollments: dying,
      reallocations: new ReallocationRepository(db, table),
      lists: new ListRepository(db, table),
      imports: new ImportJobRepository(db, table),
      // Not queued yet: this test plays the first worker itself.
      continueImport: async (_, cursor) => void handedOn.push(cursor),
    };
    const principal: Principal = {
      sub: 'operator-crash',
      roles: new Set(['village-operator']),
      villageCodes: [village],
    };
    const job = await createImport(services, principal, village, { commitmentId, rows });

    // Act: a first slice does one chunk (its clock runs short), a second dies in the next chunk…
    const first = await runImport(services, job.id, 'first-worker', () => 1_000);
    const crash = runImport(services, job.id, 'second-worker', () => 3_000);
    await expect(crash).rejects.toThrow('the worker died');
    const stuck = await services.imports.get(job.id);
    // …and its message comes back (here: is sent again) to the worker of the local stack.
    await continueImport(job.id, stuck?.cursor ?? 0);
    const { job: done, rows: results } = await importResults(operator, job.id);
    const redelivered = await runImport({ ...services, enrollments }, job.id, 'late-worker', () => 60_000);

    // Assess: the crash left the job at its second chunk, with rows of it enrolled.
    expect(first).toMatchObject({ outcome: 'handed-on', chunks: 1 });
    expect(handedOn).toEqual([0, 1]);
    expect(stuck).toMatchObject({ state: 'running', cursor: 1, rows: { done: 500 } });
    // Assess: every row enrolled once; the two invalid ones refused.
    expect(done.rows).toEqual({ total: 1_200, done: 1_200, enrolled: 1_198, refused: 2 });
    expect(results.filter((r) => r.outcome === 'refused').map((r) => r.row)).toEqual([11, 901]);
    expect(new Set(results.map((r) => r.enrollmentId).filter(Boolean)).size).toBe(1_198);
    const store = repositories(stack);
    const allocation = await store.commitments.allocation(commitmentId, village);
    expect(allocation).toMatchObject({ workers: 1_198, reserved: 1_198 * FULL_YEAR });
    expect((await store.ledger.reconcile(allocation as NonNullable<typeof allocation>)).problems).toEqual([]);
    // A message delivered once more after the end changes nothing.
    expect(redelivered).toMatchObject({ outcome: 'done', chunks: 0 });
    expect((await services.imports.get(job.id))?.rows).toEqual(done.rows);
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
    const { rows: results } = await importAndWait(operator, village, { commitmentId, rows });

    // Assess: what is left after 49 full years (Rp 121.600) covers 7 Decembers of Rp 16.800.
    const created = (from: number, to: number) =>
      results.slice(from, to).filter((r) => r.status === 201).length;
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
    const firstJob = await send();
    const first = await importResults(operator, firstJob.body.id);
    const rerunJob = await send();
    const rerun = await importResults(operator, rerunJob.body.id);
    const enrolled = await operator.get(`/v1/villages/${village}/enrollments?limit=100`);

    // Assess: rows count data lines, skipping the blank one.
    expect(firstJob.status).toBe(202);
    const [one, two, three, four, five, six, seven] = first.rows;
    expect([two, three].map((r) => r.status)).toEqual([201, 201]);
    expect([four, five, six].map((r) => [r.row, r.status, r.code])).toEqual([
      [4, 422, 'validation-failed'],
      [5, 422, 'validation-failed'],
      [6, 422, 'validation-failed'],
    ]);
    expect(four.message).toMatch(/^nik:/);
    expect(five.message).toMatch(/^startPeriod:/);
    expect(six.message).toMatch(/4 fields/);
    // The same worker twice in one file: one row covers them, the other is refused (rows run concurrently).
    expect([one, seven].map((r) => r.status).sort()).toEqual([201, 409]);
    expect([one, seven].find((r) => r.status === 409).code).toBe('already-covered');
    expect(first.job.rows).toEqual({ total: 7, done: 7, enrolled: 3, refused: 4 });
    expect(JSON.stringify(first.rows)).not.toMatch(/\d{16}/);

    expect(rerun.job).toMatchObject({ rows: { enrolled: 0 }, byCode: { 'already-covered': 4 } });
    expect(statusesOf(rerun.rows)).toEqual([409, 409, 409, 422, 422, 422, 409]);
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

  it('refuses a whole request that is empty, over 50,000 rows, without a usable CSV header or commitment', async () => {
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
      rows: Array.from({ length: 50_001 }, () => row),
    });
    const tooManyCsv = await csv(
      ['nik,startPeriod', ...Array.from({ length: 50_001 }, () => `${row.nik},2027-01`)].join('\n'),
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
    expect(JSON.stringify(tooMany.body)).toContain('at most 50000 rows');
    expect(JSON.stringify(tooManyCsv.body)).toContain('at most 50000 rows');
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
    expect(result.statusCode).toBe(202);
    const job = JSON.parse(result.body ?? '');
    expect(job.rows.total).toBe(1);
    const operator = await caller(localStack(), { roles: ['village-operator'], villageCodes: [village] });
    expect((await importResults(operator, job.id)).job.rows.enrolled).toBe(1);
  });
});
