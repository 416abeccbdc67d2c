import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  createImport,
  IMPORT_CONCURRENCY,
  IMPORT_STALL_MS,
  type ImportServices,
  importJobView,
  importRequestFromCsv,
  MAX_IMPORT_ROWS,
  type Principal,
  runImport,
  type Services,
} from '@lindung/api';
import { QuotaExhaustedError, ValidationError } from '@lindung/core';
import {
  type Commitment,
  type EnrollmentRequest,
  IMPORT_CHUNK_ROWS,
  type ImportJob,
  type ImportJobRepository,
  type ImportRowResult,
  type StoredImportRow,
} from '@lindung/store';
import { describe, expect, it } from 'vitest';
import { $ZodError } from 'zod/v4/core';

const VILLAGE = '15.01.01.2001';
const NIK = '1501010101900001';
const nik = (serial: number) => `15010101019${String(serial).padStart(5, '0')}`;

describe('importRequestFromCsv', () => {
  it('reads the columns in any order and case, a BOM, quotes, CRLF and blank lines; an empty name is no name', () => {
    // Act
    const request = importRequestFromCsv(
      `\uFEFFStartPeriod,NIK,name\r\n2027-01,${NIK},"Siti, binti Ahmad"\r\n\r\n2027-02,${nik(2)},\r\n`,
      { commitmentId: 'c1' },
    );

    // Assess
    expect(request).toEqual({
      commitmentId: 'c1',
      rows: [
        { nik: NIK, name: 'Siti, binti Ahmad', startPeriod: '2027-01' },
        { nik: nik(2), startPeriod: '2027-02' },
      ],
    });
  });

  it('reads the semicolons of spreadsheets in Indonesian locales', () => {
    // Act
    const { rows } = importRequestFromCsv(`nik;name;startPeriod\n${NIK};Budi;2027-03\n`, {
      commitmentId: 'c1',
    });

    // Assess
    expect(rows).toEqual([{ nik: NIK, name: 'Budi', startPeriod: '2027-03' }]);
  });

  it('turns a line with the wrong number of fields into a row that fails alone', () => {
    // Act
    const { rows } = importRequestFromCsv(`nik,startPeriod\n${NIK},2027-01,extra\n${nik(2)},2027-01\n`, {
      commitmentId: 'c1',
    });

    // Assess
    expect(rows[0]).toBeInstanceOf(ValidationError);
    expect((rows[0] as ValidationError).message).toContain('3 fields');
    expect(rows[1]).toEqual({ nik: nik(2), startPeriod: '2027-01' });
  });

  it.each([
    ['a header without startPeriod', `nik,name\n${NIK},Ani\n`],
    ['an unknown column', `nik,nama,startPeriod\n${NIK},Ani,2027-01\n`],
    ['a column named twice', `nik,nik,startPeriod\n${NIK},${NIK},2027-01\n`],
    ['no row', 'nik,startPeriod\n'],
    ['nothing at all', ''],
  ])('refuses %s', (_, text) => {
    // Act and Assess
    expect(() => importRequestFromCsv(text, { commitmentId: 'c1' })).toThrow();
  });

  it('refuses broken quoting without quoting the line, which holds a NIK', () => {
    // Act
    const read = () =>
      importRequestFromCsv(`nik,name,startPeriod\n${NIK},"Ani,2027-01\n`, { commitmentId: 'c1' });

    // Assess
    expect(read).toThrow(ValidationError);
    expect(read).toThrow(expect.objectContaining({ message: expect.not.stringContaining(NIK) }));
  });

  it(`refuses more than ${MAX_IMPORT_ROWS} rows and a missing commitment`, () => {
    // Prepare
    const lines = Array.from({ length: MAX_IMPORT_ROWS + 1 }, (_, i) => `${nik(i)},2027-01`);

    // Act and Assess
    expect(() =>
      importRequestFromCsv(['nik,startPeriod', ...lines].join('\n'), { commitmentId: 'c1' }),
    ).toThrow(/at most 50000 rows/);
    expect(() => importRequestFromCsv(`nik,startPeriod\n${NIK},2027-01\n`, {})).toThrow($ZodError);
  });
});

const FULL_YEAR = 12 * 16_800;

const commitment = {
  id: 'c1',
  sponsorId: 's1',
  fiscalYear: 2027,
  status: 'active',
  reservation: 'fiscal-year',
  benefit: { programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 },
  villageCodes: [VILLAGE],
} as unknown as Commitment;

const operator: Principal = {
  sub: 'operator',
  roles: new Set(['village-operator']),
  villageCodes: [VILLAGE],
};

const conflict = () =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }],
  });

/**
 * Services whose enrollment repository is a quota in memory, with hooks to observe and disturb it. With
 * `batches`, it takes a batch the quota can cover whole in one transaction, as DynamoDB does; without, none.
 */
const inMemory = (
  quota: number,
  behave: (request: EnrollmentRequest, call: number) => Error | undefined = () => undefined,
  { batches = false } = {},
) => {
  let available = quota;
  let inFlight = 0;
  let calls = 0;
  const seen = { maxInFlight: 0, transactions: 0 };
  const services = {
    commitments: {
      require: async () => commitment,
      allocation: async () => ({ villageCode: VILLAGE }),
    },
    enrollments: {
      // Without `batches`, a store that takes no batch: every row goes the one-by-one way these tests observe
      // (DynamoDB Local's batches are tested in test/integration/store and the e2e imports).
      enrollBatch: async (requests: (EnrollmentRequest & { id: string })[]) => {
        if (!batches) return { enrolled: [], oneByOne: [...requests] };
        seen.transactions++;
        const cost = requests.reduce((total, r) => total + r.reservedAmount, 0);
        if (cost > available) return { enrolled: [], oneByOne: [...requests], quotaRefused: true };
        available -= cost;
        return { enrolled: requests.map(({ id }) => ({ id })), oneByOne: [] };
      },
      enroll: async (request: EnrollmentRequest) => {
        const call = ++calls;
        inFlight++;
        seen.maxInFlight = Math.max(seen.maxInFlight, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        const failure = behave(request, call);
        if (failure) throw failure;
        seen.transactions++;
        if (request.reservedAmount > available) {
          throw new QuotaExhaustedError('no quota', {
            details: { available, required: request.reservedAmount },
          });
        }
        available -= request.reservedAmount;
        return { id: `e${call}` };
      },
    },
  } as unknown as Services;
  return { services, seen, available: () => available };
};

/**
 * The job store in memory, as the worker uses it: a cursor per job, the lease, results per chunk. Good enough
 * to run the use cases without DynamoDB; the e2e tests run them against DynamoDB Local.
 */
const memoryImports = () => {
  const jobs = new Map<string, ImportJob & { startedChunk?: number }>();
  const rows = new Map<string, StoredImportRow[]>();
  const results = new Map<string, ImportRowResult[]>();
  const set = (id: string, patch: Partial<ImportJob> & { startedChunk?: number }) =>
    jobs.set(id, { ...(jobs.get(id) as ImportJob), ...patch });
  const imports = {
    create: async (input: { villageCode: string; commitmentId: string; createdBy: string; rows: number }) => {
      const id = `01JOB${String(jobs.size).padStart(21, '0')}`;
      const at = new Date().toISOString();
      const job: ImportJob = {
        ...input,
        id,
        state: 'receiving',
        createdAt: at,
        updatedAt: at,
        rows: { total: input.rows, done: 0, enrolled: 0, refused: 0 },
        byCode: {},
        chunks: Math.ceil(input.rows / IMPORT_CHUNK_ROWS),
        cursor: 0,
      };
      jobs.set(id, job);
      return { job, created: true };
    },
    putRows: async (id: string, stored: StoredImportRow[]) => void rows.set(id, stored),
    markQueued: async (id: string) => {
      set(id, { state: 'queued' });
      return jobs.get(id);
    },
    get: async (id: string) => jobs.get(id),
    rows: async (id: string, chunk: number) => ({
      firstRow: chunk * IMPORT_CHUNK_ROWS + 1,
      rows: (rows.get(id) ?? []).slice(chunk * IMPORT_CHUNK_ROWS, (chunk + 1) * IMPORT_CHUNK_ROWS),
    }),
    begin: async (id: string, chunk: number, owner: string, leaseUntil: number) => {
      const job = jobs.get(id);
      if (!job || job.cursor !== chunk || job.state === 'done') return undefined;
      if (job.leaseOwner && job.leaseOwner !== owner && (job.leaseUntil ?? 0) >= Date.now()) return undefined;
      const retried = job.startedChunk === chunk && job.leaseOwner !== owner;
      set(id, { state: 'running', leaseOwner: owner, leaseUntil, startedChunk: chunk });
      return { job: jobs.get(id) as ImportJob, retried };
    },
    complete: async (id: string, chunk: number, owner: string, chunkResults: ImportRowResult[]) => {
      const job = jobs.get(id) as ImportJob;
      if (job.cursor !== chunk || job.leaseOwner !== owner) return undefined;
      const enrolled = chunkResults.filter((r) => r.outcome === 'enrolled').length;
      const byCode = { ...job.byCode };
      for (const r of chunkResults) if (r.code) byCode[r.code] = (byCode[r.code] ?? 0) + 1;
      results.set(`${id}:${chunk}`, chunkResults);
      set(id, {
        cursor: chunk + 1,
        byCode,
        rows: {
          total: job.rows.total,
          done: job.rows.done + chunkResults.length,
          enrolled: job.rows.enrolled + enrolled,
          refused: job.rows.refused + chunkResults.length - enrolled,
        },
        ...(chunk + 1 >= job.chunks && { state: 'done' }),
      });
      return jobs.get(id);
    },
    release: async (id: string) => set(id, { leaseOwner: undefined, leaseUntil: undefined }),
    existingEnrollments: async () => new Set<string>(),
    enrollmentExists: async () => false,
  };
  const resultsOf = (id: string) =>
    [...results.entries()]
      .filter(([key]) => key.startsWith(`${id}:`))
      .flatMap(([, chunk]) => chunk)
      .sort((a, b) => a.row - b.row);
  return { imports: imports as unknown as ImportJobRepository, resultsOf, jobs };
};

/** Posts an import and runs the worker on it until it is done; answers the job and its per-row results. */
const importEnrollments = async (
  base: Services,
  principal: Principal,
  village: string,
  request: { commitmentId: string; rows: unknown[] },
) => {
  const { imports, resultsOf } = memoryImports();
  const queued: string[] = [];
  const services: ImportServices = {
    ...base,
    imports,
    continueImport: async (jobId) => void queued.push(jobId),
  };
  const job = await createImport(services, principal, village, request);
  while (queued.length > 0) {
    await runImport(services, queued.shift() as string, 'worker', () => 60_000);
  }
  const done = (await imports.get(job.id)) as ImportJob;
  const rows = resultsOf(job.id);
  return { job: done, summary: { created: done.rows.enrolled, byCode: done.byCode }, rows };
};

describe('an import job, as the worker runs it', () => {
  it(`answers every row in order, with at most ${IMPORT_CONCURRENCY} rows in flight`, async () => {
    // Prepare
    const { services, seen } = inMemory(100 * FULL_YEAR);
    const rows = Array.from({ length: 60 }, (_, i) => ({ nik: nik(i + 1), startPeriod: '2027-01' }));

    // Act
    const result = await importEnrollments(services, operator, VILLAGE, { commitmentId: 'c1', rows });

    // Assess
    expect(result.rows.map((r) => [r.row, r.status])).toEqual(rows.map((_, i) => [i + 1, 201]));
    expect(new Set(result.rows.map((r) => r.enrollmentId)).size).toBe(60);
    expect(seen.maxInFlight).toBeLessThanOrEqual(IMPORT_CONCURRENCY);
    expect(seen.maxInFlight).toBeGreaterThan(1);
  });

  it('refuses rows dearer than the quota it saw exhausted without a transaction, and still tries cheaper ones', async () => {
    // Prepare: room for 2 full years and a little more.
    const { services, seen, available } = inMemory(2 * FULL_YEAR + 3 * 16_800);
    const rows = [
      ...Array.from({ length: 40 }, (_, i) => ({ nik: nik(i + 1), startPeriod: '2027-01' })),
      ...Array.from({ length: 5 }, (_, i) => ({ nik: nik(100 + i), startPeriod: '2027-12' })),
    ];

    // Act
    const result = await importEnrollments(services, operator, VILLAGE, { commitmentId: 'c1', rows });

    // Assess
    expect(result.summary).toMatchObject({ created: 5, byCode: { 'quota-exhausted': 40 } });
    expect(result.rows.slice(40).filter((r) => r.status === 201)).toHaveLength(3);
    expect(available()).toBe(0);
    expect(seen.transactions).toBeLessThan(rows.length);
  });

  it('halves a batch the quota cannot take, so a quota running out costs a few transactions, not a row each', async () => {
    // Prepare: room for 23 full years; 30 rows.
    const { services, seen, available } = inMemory(23 * FULL_YEAR, undefined, { batches: true });
    const rows = Array.from({ length: 30 }, (_, i) => ({ nik: nik(i + 1), startPeriod: '2027-01' }));

    // Act
    const result = await importEnrollments(services, operator, VILLAGE, { commitmentId: 'c1', rows });

    // Assess: batches of 24 (refused), 12, 12 (refused), 6, 6 (refused), 3, 3 (refused); then rows 22 and 23
    // alone, row 24 refused alone, and rows 25 to 30 refused by what that refusal said, without a transaction.
    expect(result.summary).toMatchObject({ created: 23, byCode: { 'quota-exhausted': 7 } });
    expect(result.rows.filter((r) => r.status === 201).map((r) => r.row)).toEqual(
      Array.from({ length: 23 }, (_, i) => i + 1),
    );
    expect(available()).toBe(0);
    expect(seen.transactions).toBe(10);
    expect(seen.maxInFlight).toBe(1);
  });

  it('retries a row that met a concurrent transaction, and fails nobody for it', async () => {
    // Prepare: every third call is cancelled for a conflict.
    const { services } = inMemory(100 * FULL_YEAR, (_, call) => (call % 3 === 0 ? conflict() : undefined));
    const rows = Array.from({ length: 20 }, (_, i) => ({ nik: nik(i + 1), startPeriod: '2027-01' }));

    // Act
    const result = await importEnrollments(services, operator, VILLAGE, { commitmentId: 'c1', rows });

    // Assess
    expect(result.summary.created).toBe(20);
  });

  it('gives invalid rows their own 422 with a detail, and never the NIK', async () => {
    // Prepare
    const { services } = inMemory(100 * FULL_YEAR);
    const rows = [
      { nik: NIK, startPeriod: '2027-01' },
      { nik: '123', startPeriod: '2027-01' },
      { nik: nik(2), startPeriod: '2028-01' },
      'not an object',
      ValidationError.forField('row', 'has 4 fields; the header names 3'),
    ];

    // Act
    const result = await importEnrollments(services, operator, VILLAGE, { commitmentId: 'c1', rows });

    // Assess
    expect(result.rows.map((r) => [r.status, r.code])).toEqual([
      [201, undefined],
      [422, 'validation-failed'],
      [422, 'validation-failed'],
      [422, 'validation-failed'],
      [422, 'validation-failed'],
    ]);
    expect(result.rows[1]?.message).toMatch(/^nik:/);
    expect(result.rows[1]?.nik).toBe('***');
    expect(result.rows[2]?.message).toMatch(/fiscal year 2027/);
    expect(result.rows[4]?.message).toMatch(/4 fields/);
    expect(JSON.stringify(result)).not.toContain(NIK);
  });

  it('enrolls a file larger than a chunk chunk by chunk, and hands the rest on when time runs short', async () => {
    // Prepare: 2½ chunks of rows, and a worker whose clock says there is no time after the first chunk.
    const { services: base } = inMemory(10_000 * FULL_YEAR);
    const { imports } = memoryImports();
    const queued: string[] = [];
    const services: ImportServices = { ...base, imports, continueImport: async (id) => void queued.push(id) };
    const rows = Array.from({ length: IMPORT_CHUNK_ROWS * 2.5 }, (_, i) => ({
      nik: nik(i + 1),
      startPeriod: '2027-01',
    }));
    const job = await createImport(services, operator, VILLAGE, { commitmentId: 'c1', rows });
    queued.length = 0;

    // Act
    const slices = [];
    for (let slice = 0; slice < 3; slice++)
      slices.push(await runImport(services, job.id, `w${slice}`, () => 1_000));

    // Assess: one chunk per slice, each handing the rest on, the last finishing the job.
    expect(slices.map((s) => [s.outcome, s.chunks])).toEqual([
      ['handed-on', 1],
      ['handed-on', 1],
      ['done', 1],
    ]);
    expect(queued).toEqual([job.id, job.id]);
    expect((await imports.get(job.id))?.rows).toEqual({
      total: rows.length,
      done: rows.length,
      enrolled: rows.length,
      refused: 0,
    });
  });

  it('stops at an unexpected error once the rows in flight are done, and throws it', async () => {
    // Prepare
    const broken = new Error('the table is gone');
    const { services, seen } = inMemory(100 * FULL_YEAR, (_, call) => (call === 5 ? broken : undefined));
    const rows = Array.from({ length: 200 }, (_, i) => ({ nik: nik(i + 1), startPeriod: '2027-01' }));

    // Act
    const run = importEnrollments(services, operator, VILLAGE, { commitmentId: 'c1', rows });

    // Assess
    await expect(run).rejects.toBe(broken);
    expect(seen.transactions).toBeLessThan(rows.length);
  });

  it('refuses an operator of another village before reading anything', async () => {
    // Prepare
    const { services, seen } = inMemory(100 * FULL_YEAR);
    const other: Principal = { ...operator, villageCodes: ['15.01.01.2002'] };

    // Act
    const run = importEnrollments(services, other, VILLAGE, { commitmentId: 'c1', rows: [{ nik: NIK }] });

    // Assess
    await expect(run).rejects.toMatchObject({ code: 'forbidden' });
    expect(seen.transactions).toBe(0);
  });
});

describe('the view of an import job', () => {
  const job = (state: ImportJob['state'], updatedAt: string): ImportJob => ({
    id: '01M8SSHX1AX5MQ5QMWA0Y18HH4',
    villageCode: VILLAGE,
    commitmentId: 'c1',
    state,
    createdBy: 'operator',
    createdAt: '2027-01-05T08:00:00.000Z',
    updatedAt,
    rows: { total: 1_000, done: 500, enrolled: 500, refused: 0 },
    byCode: {},
    chunks: 2,
    cursor: 1,
  });
  const at = Date.parse('2027-01-05T09:00:00.000Z');

  it('shows since when a job that is not done has not moved, once that is longer than a worker’s lease', () => {
    // Act
    const moving = importJobView(job('running', new Date(at - IMPORT_STALL_MS).toISOString()), at);
    const stalled = importJobView(job('running', new Date(at - IMPORT_STALL_MS - 1).toISOString()), at);
    const queued = importJobView(job('queued', '2027-01-05T08:00:00.000Z'), at);
    const done = importJobView(job('done', '2027-01-05T08:00:00.000Z'), at);

    // Assess
    expect(moving.stalledSince).toBeUndefined();
    expect(stalled.stalledSince).toBe(new Date(at - IMPORT_STALL_MS - 1).toISOString());
    expect(queued.stalledSince).toBe('2027-01-05T08:00:00.000Z');
    expect(done.stalledSince).toBeUndefined();
  });
});
