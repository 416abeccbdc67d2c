import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT_CODES, parseWorkerRows, run } from '@lindung/cli';
import { describe, expect, it } from 'vitest';
import { captureIo, type FakeLindung, fakeLindung, type Received, tokenRoute } from './fake-lindung.js';

const VILLAGE = '15.01.01.2001';
const COMMITMENT = '01JZ0000000000000000000000';

/** A NIK of a Jambi man born in 1985, serial `n`. */
const nik = (n: number) => `15010101018${5}${String(n).padStart(4, '0')}`.slice(0, 16);

/** A CSV of `count` workers; rows named in `broken` get a 15-digit NIK. */
const workersCsv = (count: number, broken: readonly number[] = [], delimiter = ',') =>
  [
    ['nik', 'name', 'startPeriod'].join(delimiter),
    ...Array.from({ length: count }, (_, i) =>
      [broken.includes(i + 1) ? nik(i + 1).slice(1) : nik(i + 1), `Pekerja ${i + 1}`, '2027-01'].join(
        delimiter,
      ),
    ),
  ].join('\n');

/**
 * The import endpoint of a village whose quota fits `quota` workers, as jobs: a post answers 202 with a job
 * (the same job for a repeated idempotency key) whose rows are done at once; a 16-digit NIK is enrolled while
 * the quota lasts, then refused with quota-exhausted. `failOn` (1-based request numbers, any route) answers 500.
 */
const importEndpoint = (quota: number, failOn: readonly number[] = [], pageSize = 1000): FakeLindung => {
  let enrolled = 0;
  let requests = 0;
  const jobs = new Map<string, { rows: Record<string, unknown>[] }>();
  const byKey = new Map<string, string>();
  const fail = () =>
    failOn.includes(++requests)
      ? { status: 500, body: { status: 500, code: 'internal-error', title: 'Internal Server Error' } }
      : undefined;
  const view = (id: string) => {
    const rows = jobs.get(id)?.rows ?? [];
    const enrolledRows = rows.filter((r) => r.outcome === 'enrolled').length;
    return {
      id,
      state: 'done',
      rows: {
        total: rows.length,
        done: rows.length,
        enrolled: enrolledRows,
        refused: rows.length - enrolledRows,
      },
      byCode: {},
    };
  };
  return fakeLindung({
    'POST /local/tokens': tokenRoute,
    'POST /v1/villages/[^/]+/enrollments/import': (request: Received) => {
      const failure = fail();
      if (failure) return failure;
      const key = request.headers['idempotency-key'] ?? '';
      const known = byKey.get(key);
      if (known) return { status: 202, body: view(known) };
      const rows = (request.body.rows as { nik: string }[]).map((row, i) => {
        if (!/^\d{16}$/.test(row.nik)) {
          return {
            row: i + 1,
            outcome: 'refused',
            status: 422,
            code: 'validation-failed',
            message: 'worker.nik: a NIK is 16 digits',
          };
        }
        if (enrolled >= quota)
          return { row: i + 1, outcome: 'refused', status: 409, code: 'quota-exhausted' };
        enrolled++;
        return { row: i + 1, outcome: 'enrolled', status: 201 };
      });
      const id = `JOB${jobs.size + 1}`;
      jobs.set(id, { rows });
      byKey.set(key, id);
      return { status: 202, body: view(id) };
    },
    'GET /v1/imports/[^/]+': (request: Received) => {
      const failure = fail();
      if (failure) return failure;
      const id = request.path.split('/').at(-1) ?? '';
      const from = Number(request.query.pageToken ?? '1');
      const limit = Math.min(Number(request.query.limit ?? '100'), pageSize);
      const all = (jobs.get(id)?.rows ?? []).filter((r) => (r.row as number) >= from);
      const page = all.slice(0, limit);
      const items = page.filter((r) => !request.query.outcome || r.outcome === request.query.outcome);
      const next = all[limit];
      return { status: 200, body: { ...view(id), items, ...(next && { nextPageToken: String(next.row) }) } };
    },
  });
};

const setUp = async (csv: string) => {
  const dir = await mkdtemp(join(tmpdir(), 'lindung-import-'));
  const file = join(dir, 'desa.csv');
  await writeFile(file, csv);
  return { dir, file, errors: join(dir, 'desa.errors.csv'), state: join(dir, 'desa.import-state.json') };
};

const importArgs = (file: string, ...more: string[]) => [
  'import',
  'workers',
  file,
  '--village',
  VILLAGE,
  '--commitment',
  COMMITMENT,
  ...more,
];

const reportRows = async (errors: string) => (await readFile(errors, 'utf8')).trim().split('\n').slice(1);

describe('parseWorkerRows', () => {
  it('reads rows under a header in any order, with `;` as Indonesian spreadsheets write it, and flags a row with missing fields', () => {
    // Act
    const rows = parseWorkerRows(
      'startPeriod;NIK;name\n2027-01;1501010101850001;Siti\n\n2027-02;1501010101850002\n',
      'f.csv',
    );

    // Assess
    expect(rows).toEqual([
      { row: 1, line: 2, nik: '1501010101850001', name: 'Siti', startPeriod: '2027-01' },
      {
        row: 2,
        line: 4,
        nik: '1501010101850002',
        startPeriod: '2027-02',
        problem: 'has 2 fields; the header names 3',
      },
    ]);
  });

  it('refuses a header without the nik column', () => {
    // Act
    const read = () => parseWorkerRows('name,startPeriod\nSiti,2027-01\n', 'f.csv');

    // Assess
    expect(read).toThrow(/no nik column/);
  });
});

describe('lindung import workers', () => {
  it('posts the file as one import job as the village operator, writes the rows not enrolled to the error report, and exits 1', async () => {
    // Prepare: 30 rows, two with a broken NIK, a quota for 20 workers.
    const paths = await setUp(workersCsv(30, [3, 17]));
    const fake = importEndpoint(20);
    const captured = captureIo(fake);

    // Act
    const code = await run(importArgs(paths.file), captured.io);

    // Assess
    expect(code).toBe(EXIT_CODES.failure);
    const [token] = fake.to(/local\/tokens/);
    expect(token?.body).toEqual({ roles: ['village-operator'], villageCodes: [VILLAGE] });
    const imports = fake.to(/import$/);
    expect(imports.map((r) => r.body.rows.length)).toEqual([30]);
    expect(imports.every((r) => r.headers.authorization === 'Bearer token-village-operator')).toBe(true);
    expect(imports[0]?.headers['idempotency-key']).toMatch(/^lindung-import-/);
    const report = await reportRows(paths.errors);
    expect(report).toHaveLength(10);
    expect(report[0]).toBe(
      `3,4,${nik(3).slice(1)},Pekerja 3,2027-01,422,validation-failed,worker.nik: a NIK is 16 digits`,
    );
    expect(report.filter((line) => line.includes(',409,quota-exhausted,'))).toHaveLength(8);
    expect(captured.stdout()).toMatch(/ Enrolled +20\n/);
    expect(captured.stdout()).toMatch(/ {4}quota-exhausted +8\n/);
    // Not a terminal: a plain progress line at each tenth, ending at 100%.
    expect(captured.stderr().trim().split('\n').at(-1)).toMatch(
      /30\/30 100%\s+enrolled 20 · not enrolled 10$/,
    );
  });

  it('carries on with the same job after a failure, from the last page of results written, and the report holds every row once', async () => {
    // Prepare: results come 10 rows a page; the second page fails with a 500 (request 4: post, progress, page 1).
    const paths = await setUp(workersCsv(30, [25]));
    const fake = importEndpoint(26, [4], 10);

    // Act
    const first = captureIo(fake);
    const failedCode = await run(importArgs(paths.file), first.io);
    const stateAfterFailure = JSON.parse(await readFile(paths.state, 'utf8'));
    const second = captureIo(fake);
    const resumedCode = await run(importArgs(paths.file), second.io);

    // Assess
    expect(failedCode).toBe(EXIT_CODES.failure);
    expect(first.stderr()).toContain('internal-error (HTTP 500)');
    expect(stateAfterFailure).toMatchObject({ jobId: 'JOB1', reported: 10, done: 0 });
    // One post: the rerun reads the same job's results, from row 11 on.
    expect(fake.to(/import$/)).toHaveLength(1);
    expect(
      fake
        .to(/imports\/JOB1$/)
        .map((r) => r.query.pageToken)
        .filter(Boolean),
    ).toEqual(['11', '11', '21']);
    expect(resumedCode).toBe(EXIT_CODES.failure);
    expect(await reportRows(paths.errors)).toEqual([
      `25,26,${nik(25).slice(1)},Pekerja 25,2027-01,422,validation-failed,worker.nik: a NIK is 16 digits`,
      `28,29,${nik(28)},Pekerja 28,2027-01,409,quota-exhausted,`,
      `29,30,${nik(29)},Pekerja 29,2027-01,409,quota-exhausted,`,
      `30,31,${nik(30)},Pekerja 30,2027-01,409,quota-exhausted,`,
    ]);
    expect(second.stdout()).toMatch(/ Not enrolled +4\n/);
  });

  it('sends nothing when every row is done, and exits 0 when all were enrolled', async () => {
    // Prepare
    const paths = await setUp(workersCsv(5));
    const fake = importEndpoint(49);
    await run(importArgs(paths.file), captureIo(fake).io);

    // Act
    const again = captureIo(fake);
    const code = await run(importArgs(paths.file), again.io);

    // Assess
    expect(code).toBe(EXIT_CODES.ok);
    expect(fake.to(/import$/)).toHaveLength(1);
    expect(again.stdout()).toContain('Every row was enrolled.');
  });

  it('refuses to resume when the file changed since, unless told to restart', async () => {
    // Prepare
    const paths = await setUp(workersCsv(5));
    const fake = importEndpoint(49);
    await run(importArgs(paths.file), captureIo(fake).io);
    await writeFile(paths.file, workersCsv(6));

    // Act
    const refused = captureIo(fake);
    const refusedCode = await run(importArgs(paths.file), refused.io);
    const restarted = captureIo(fake);
    const restartedCode = await run(importArgs(paths.file, '--restart'), restarted.io);

    // Assess
    expect(refusedCode).toBe(EXIT_CODES.usage);
    expect(refused.stderr()).toContain('has changed since the import recorded');
    expect(refused.stderr()).toContain('lindung import workers <file.csv> --village');
    expect(restartedCode).toBe(EXIT_CODES.ok);
    expect(fake.to(/import$/).at(-1)?.body.rows).toHaveLength(6);
  });

  it('stops with the problem document’s code and detail when the API refuses the whole import', async () => {
    // Prepare
    const paths = await setUp(workersCsv(3));
    const fake = fakeLindung({
      'POST /local/tokens': tokenRoute,
      'POST /v1/villages/[^/]+/enrollments/import': () => ({
        status: 404,
        body: { status: 404, code: 'not-found', title: 'Not found', detail: `No commitment ${COMMITMENT}` },
      }),
    });
    const captured = captureIo(fake);

    // Act
    const code = await run(importArgs(paths.file), captured.io);

    // Assess
    expect(code).toBe(EXIT_CODES.failure);
    expect(captured.stderr()).toContain(
      `lindung import workers: not-found (HTTP 404): No commitment ${COMMITMENT}`,
    );
  });

  it('needs a token for a Lindung that is not local', async () => {
    // Prepare
    const paths = await setUp(workersCsv(3));
    const captured = captureIo(fakeLindung({}));

    // Act
    const code = await run(importArgs(paths.file, '--url', 'https://api.lindung.example'), captured.io);

    // Assess
    expect(code).toBe(EXIT_CODES.failure);
    expect(captured.stderr()).toContain('unauthenticated');
    expect(captured.stderr()).toContain('pass --token');
  });

  it('redraws one line in place on a terminal', async () => {
    // Prepare
    const paths = await setUp(workersCsv(4));
    const fake = importEndpoint(49);
    const captured = captureIo(fake, { tty: true });

    // Act
    await run(importArgs(paths.file), captured.io);

    // Assess
    expect(captured.stderr()).toMatch(/^\rImporting desa\.csv \[-+\] 0\/4/);
    expect(captured.stderr()).toContain('\rImporting desa.csv [########################] 4/4 100%');
    expect(captured.stderr().endsWith('\n')).toBe(true);
    expect(captured.stderr().split('\n')).toHaveLength(2);
  });
});
