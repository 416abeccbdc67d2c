/**
 * Bulk enrollment as an asynchronous job. `POST …/enrollments/import` checks the file's shape (header, at most
 * {@link MAX_IMPORT_ROWS} rows), the commitment and the village's quota at once, stores the rows beside a job
 * and answers 202 with the job; the import worker (functions/queue/import-worker.ts) then enrolls the rows a
 * chunk at a time through the single-enrollment use case (one transaction per row, so a row is written whole
 * or not at all), and `GET /v1/imports/{id}` shows the progress and the result of every row.
 *
 * Nothing twice: a chunk's results and the job's cursor move in one transaction; a row's enrollment id is
 * derived from the job and the row number, so a chunk retried after a crash finds the rows it had enrolled
 * instead of enrolling them again or calling them already covered; the same `Idempotency-Key` names the same job.
 */
import {
  AlreadyCoveredError,
  isDomainError,
  mapConcurrently,
  maskNik,
  NotFoundError,
  villageCode as parseVillageCode,
  QuotaExhaustedError,
  ValidationError,
  type WorkerSegment,
} from '@lindung/core';
import { importWorkQueue } from '@lindung/messaging';
import {
  type Commitment,
  clipText,
  type EnrollmentRepository,
  type EnrollmentRequest,
  type ImportJob,
  type ImportJobRepository,
  type ImportRowResult,
  importEnrollmentId,
  importKeyHash,
  retryOnTransactionConflict,
  type StoredImportRow,
} from '@lindung/store';
import { CsvError, parse } from 'csv-parse/sync';
import * as z from 'zod/mini';
import { authorize, type Principal, type Role } from './auth.js';
import { enrollmentRequest } from './enrollments.js';
import {
  type ImportEnrollmentsRequest,
  importEnrollmentsRequest,
  importQuery,
  importRow,
  MAX_IMPORT_ROWS,
  pageLimit,
} from './schemas.js';
import type { Services } from './use-cases.js';

/** Rows of a chunk enrolled at once: few enough to keep conflicts on the quota rare. */
export const IMPORT_CONCURRENCY = 16;

/** Rows enrolled in one transaction: 3 actions a row and the allocation's, within DynamoDB's 100. */
export const IMPORT_BATCH_ROWS = 24;
/** Time kept in hand, besides twice the slowest chunk so far, before the worker starts another chunk. */
export const IMPORT_MARGIN_MS = 5_000;

/** What the import use cases need besides the enrollment services. */
export interface ImportServices extends Services {
  readonly imports: ImportJobRepository;
  /**
   * Puts a job (back) on the import-work queue, from its cursor; `delaySeconds` postpones it (a job whose
   * lease another worker holds).
   */
  readonly continueImport: (jobId: string, cursor: number, delaySeconds?: number) => Promise<void>;
}

/** A job as the API shows it. */
export interface ImportJobView {
  readonly id: string;
  readonly villageCode: string;
  readonly commitmentId: string;
  readonly state: ImportJob['state'];
  readonly rows: ImportJob['rows'];
  readonly byCode: ImportJob['byCode'];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly finishedAt?: string;
  /**
   * When the job last moved, if that was longer than {@link IMPORT_STALL_MS} ago and it is not done: a worker
   * would have finished a chunk or a crashed worker's message would have come back by then. Its message may be
   * dead-lettered (the import-work dead-letter queue), or it may be waiting behind many other jobs.
   */
  readonly stalledSince?: string;
  readonly links: { readonly self: string };
}

/** Where a job is read. */
export const importJobPath = (jobId: string) => `/v1/imports/${encodeURIComponent(jobId)}`;

/**
 * How long a job that is not done may go without moving (a chunk begun or completed) before it is shown as
 * stalled: the import-work queue's visibility timeout, which outlasts the worker's timeout and so its lease.
 */
export const IMPORT_STALL_MS = importWorkQueue.visibilityTimeoutSeconds * 1_000;

/** The view of a job, as of `now`. */
export const importJobView = (job: ImportJob, now = Date.now()): ImportJobView => ({
  id: job.id,
  villageCode: job.villageCode,
  commitmentId: job.commitmentId,
  state: job.state,
  rows: job.rows,
  byCode: job.byCode,
  createdAt: job.createdAt,
  updatedAt: job.updatedAt,
  ...(job.finishedAt && { finishedAt: job.finishedAt }),
  ...(job.state !== 'done' &&
    now - Date.parse(job.updatedAt) > IMPORT_STALL_MS && { stalledSince: job.updatedAt }),
  links: { self: importJobPath(job.id) },
});

const CSV_COLUMNS = ['nik', 'name', 'segment', 'startPeriod'] as const;
type CsvColumn = (typeof CSV_COLUMNS)[number];

const csvColumn = (name: string): CsvColumn | undefined =>
  CSV_COLUMNS.find((column) => column.toLowerCase() === name.trim().toLowerCase());

/** Spreadsheets in Indonesian locales write `;` between fields (`,` is their decimal separator). */
const delimiterOf = (text: string): string => {
  const header = text.slice(0, text.search(/\r?\n|$/));
  return header.includes(';') && !header.includes(',') ? ';' : ',';
};

/**
 * Reads a CSV import: a header naming `nik`, `startPeriod` and optionally `name` and `segment` (in any order), then a worker
 * per line. A line with the wrong number of fields becomes a row that fails alone; a header or quoting error
 * fails the whole request. The commitment comes from the query.
 */
export const importRequestFromCsv = (
  text: string,
  query: Readonly<Record<string, string | undefined>> = {},
): ImportEnrollmentsRequest => {
  const { commitmentId } = importQuery.parse(query);
  let records: string[][];
  try {
    records = parse(text, {
      bom: true,
      delimiter: delimiterOf(text),
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
      // One line past the limit is enough to refuse the file.
      to: MAX_IMPORT_ROWS + 2,
    });
  } catch (error) {
    // The parser's message may quote a field, i.e. a NIK: say only where the file breaks.
    if (error instanceof CsvError) {
      throw ValidationError.forField('body', `is not valid CSV (${error.code} on line ${error.lines})`);
    }
    throw error;
  }
  const [header, ...lines] = records;
  const columns = (header ?? []).map(csvColumn);
  const named = columns.filter((c): c is CsvColumn => c !== undefined);
  if (
    !header ||
    named.length !== columns.length ||
    new Set(named).size !== named.length ||
    !named.includes('nik') ||
    !named.includes('startPeriod')
  ) {
    throw ValidationError.forField(
      'header',
      'must name the columns nik,name,startPeriod (name is optional; segment too, where the commitment asks for it)',
    );
  }
  const rows = lines.map((fields) => {
    if (fields.length !== named.length) {
      return ValidationError.forField('row', `has ${fields.length} fields; the header names ${named.length}`);
    }
    // An empty cell is an absent value (a worker without a name), not an empty one.
    return Object.fromEntries(named.flatMap((column, i) => (fields[i] ? [[column, fields[i]]] : [])));
  });
  return importEnrollmentsRequest.parse({ commitmentId, rows });
};

const describeIssues = (error: z.core.$ZodError): string =>
  error.issues
    .slice(0, 3)
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');

/**
 * The import's memory of its village quota. Once DynamoDB has refused a row for want of quota, a later row
 * that costs more than what was available then is refused the same way without a transaction: the rows of
 * an import run in no set order, so that is the answer the row would have had if it had run at that moment.
 * A file of thousands of workers for a quota of 49 so costs some 49 transactions, not thousands. Nothing is
 * ever written on the strength of this memory; only refusals are.
 */
const rememberingQuota = (services: Services): Services => {
  const repository = services.enrollments;
  let available = Number.POSITIVE_INFINITY;
  const enroll = async (request: EnrollmentRequest) => {
    if (request.reservedAmount > available) {
      throw new QuotaExhaustedError(`The quota of village ${request.villageCode} cannot cover this worker`, {
        details: { available, required: request.reservedAmount },
      });
    }
    try {
      return await repository.enroll(request);
    } catch (error) {
      // Only the named quota's refusals are remembered: a co-funder's available is another quota's measure.
      const own = error instanceof QuotaExhaustedError && error.details.payer === undefined;
      const seen = own ? error.details.available : undefined;
      if (typeof seen === 'number') available = Math.min(available, seen);
      throw error;
    }
  };
  const enrollments: EnrollmentRepository = Object.assign(Object.create(repository), { enroll });
  return { ...services, enrollments };
};

/** A row as the worker will read it: a worker to enroll, or why the row is not one (a 422 result). */
const storedRow = (row: unknown): StoredImportRow => {
  const rawNik = (row as { nik?: unknown } | null)?.nik;
  const nikMasked = typeof rawNik === 'string' ? maskNik(rawNik.slice(0, 32)) : '';
  if (row instanceof ValidationError) return { invalid: clipText(row.message), nikMasked };
  const parsed = importRow.safeParse(row);
  if (!parsed.success) return { invalid: clipText(describeIssues(parsed.error)), nikMasked };
  const { nik, name, segment, startPeriod } = parsed.data;
  return { nik, ...(name && { name }), ...(segment && { segment }), startPeriod };
};

/**
 * Creates an import job and queues it: checks the caller, the commitment and the village's quota now (one
 * answer for the whole file), stores the rows and answers the job. With an idempotency key (scoped to the
 * caller), a retry answers the job the first request created, and finishes what that request left undone.
 */
export const createImport = async (
  services: ImportServices,
  principal: Principal,
  village: string,
  request: ImportEnrollmentsRequest,
  scopedIdempotencyKey?: string,
): Promise<ImportJobView> => {
  const villageCode = parseVillageCode(village);
  authorize(principal, 'importEnrollments', { villageCode });
  const { commitmentId } = request;
  await services.commitments.require(commitmentId);
  if (!(await services.commitments.allocation(commitmentId, villageCode))) {
    throw new NotFoundError(`Village ${villageCode} has no quota in commitment ${commitmentId}`, {
      details: { commitmentId, villageCode },
    });
  }
  const { imports } = services;
  const { job, created } = await imports.create(
    { villageCode, commitmentId, createdBy: principal.sub, rows: request.rows.length, at: new Date() },
    scopedIdempotencyKey && importKeyHash(scopedIdempotencyKey),
  );
  // A retry whose first request stopped while storing rows stores them again (the same items).
  if (created || (job.state === 'receiving' && job.rows.total === request.rows.length)) {
    await imports.putRows(job.id, request.rows.map(storedRow));
    const queued = await imports.markQueued(job.id);
    await services.continueImport(job.id, 0);
    return importJobView(queued);
  }
  // The first request's message may have been lost with it; an extra one finds the job taken or done.
  if (job.state === 'queued') await services.continueImport(job.id, job.cursor);
  return importJobView(job);
};

/** The query of `GET /v1/imports/{id}`: a page of per-row results, optionally only the refused rows. */
export const importResultsQuery = z.object({
  limit: pageLimit(),
  pageToken: z.optional(
    z
      .string()
      .check(
        z.regex(/^[1-9]\d{0,5}$/, 'is not a page token of this job'),
        z.describe('The nextPageToken of the previous page'),
      ),
  ),
  outcome: z.optional(z.enum(['enrolled', 'refused'])),
});
export type ImportResultsQuery = z.infer<typeof importResultsQuery>;

/** A job with a page of its per-row results (row number, masked NIK, outcome, status, code, message). */
export const getImport = async (
  services: Pick<ImportServices, 'imports'>,
  principal: Principal,
  jobId: string,
  query: ImportResultsQuery,
) => {
  const job = await services.imports.get(jobId);
  if (!job) throw new NotFoundError(`No import job ${jobId}`, { details: { jobId } });
  authorize(principal, 'getImport', { villageCode: job.villageCode });
  const fromRow = query.pageToken ? Number(query.pageToken) : 1;
  const page = await services.imports.results(jobId, fromRow, query.limit, query.outcome);
  return {
    ...importJobView(job),
    items: page.items,
    ...(page.nextRow !== undefined && { nextPageToken: String(page.nextRow) }),
  };
};

interface ChunkContext {
  readonly services: ImportServices;
  readonly job: ImportJob;
  readonly principal: Principal;
  readonly commitment: Commitment;
  /** Rows an earlier attempt at this chunk enrolled (by their derived enrollment ids). */
  readonly enrolledBefore: ReadonlySet<string>;
}

const refused = (
  row: number,
  nik: string,
  status: number,
  code: string,
  message: string,
): ImportRowResult => ({
  row,
  nik,
  outcome: 'refused',
  status,
  code,
  message: clipText(message),
});

/** A row ready to enroll, or its result already (refused before any write, or enrolled by an earlier attempt). */
type PreparedRow =
  | { readonly result: ImportRowResult }
  | { readonly request: EnrollmentRequest & { readonly id: string } };

const enrolledRow = (row: number, nik: string, id: string): ImportRowResult => ({
  row,
  nik,
  outcome: 'enrolled',
  status: 201,
  enrollmentId: id,
});

/** Checks one stored row as the single-enrollment use case does, without writing. */
const prepareRow = async (
  context: ChunkContext,
  stored: StoredImportRow,
  row: number,
): Promise<PreparedRow> => {
  if ('invalid' in stored) {
    return { result: refused(row, stored.nikMasked, 422, 'validation-failed', stored.invalid) };
  }
  const { job, services, principal, commitment } = context;
  const nik = maskNik(stored.nik);
  const id = importEnrollmentId(job.id, row);
  if (context.enrolledBefore.has(id)) return { result: enrolledRow(row, nik, id) };
  try {
    const request = await enrollmentRequest(
      services,
      principal,
      job.villageCode,
      {
        commitmentId: job.commitmentId,
        worker: {
          nik: stored.nik,
          ...(stored.name && { name: stored.name }),
          ...(stored.segment && { segment: stored.segment as WorkerSegment }),
        },
        startPeriod: stored.startPeriod,
      },
      commitment,
    );
    return { request: { ...request, id } };
  } catch (error) {
    if (!isDomainError(error)) throw error;
    return { result: refused(row, nik, error.httpStatus, error.code, error.message) };
  }
};

/** Enrolls one stored row on its own (as the single-enrollment use case does) and says how it went. */
const enrollStoredRow = async (
  context: ChunkContext,
  importing: Services,
  stored: StoredImportRow,
  row: number,
): Promise<ImportRowResult> => {
  const prepared = await prepareRow(context, stored, row);
  if ('result' in prepared) return prepared.result;
  const { request } = prepared;
  const { job, services } = context;
  const enrolled = enrolledRow(row, maskNik(request.nik), request.id);
  try {
    // Concurrent rows reserve from the same quota item; DynamoDB cancels a transaction that meets another.
    await retryOnTransactionConflict(() => importing.enrollments.enroll(request));
    return enrolled;
  } catch (error) {
    if (!isDomainError(error)) throw error;
    // Covered by this very row, in an attempt running alongside (a duplicate message): the same enrollment.
    if (
      error instanceof AlreadyCoveredError &&
      (await services.imports.enrollmentExists(job.commitmentId, job.villageCode, request.id))
    ) {
      return enrolled;
    }
    return refused(row, enrolled.nik, error.httpStatus, error.code, error.message);
  }
};

/** Enrolls the rows of one chunk; `retried` when an earlier attempt began it (some rows may be enrolled). */
const enrollChunk = async (
  services: ImportServices,
  job: ImportJob,
  chunk: number,
  retried: boolean,
): Promise<ImportRowResult[]> => {
  const { firstRow, rows } = await services.imports.rows(job.id, chunk);
  const ids = rows.map((_, i) => importEnrollmentId(job.id, firstRow + i));
  const context: ChunkContext = {
    services,
    job,
    // The operator who posted the import; they were authorized for the village then.
    principal: {
      sub: job.createdBy,
      roles: new Set<Role>(['village-operator']),
      villageCodes: [job.villageCode],
    },
    commitment: await services.commitments.require(job.commitmentId),
    enrolledBefore: retried
      ? await services.imports.existingEnrollments(job.commitmentId, job.villageCode, ids)
      : new Set(),
  };
  const results: (ImportRowResult | undefined)[] = [];
  const ready: { index: number; request: EnrollmentRequest & { readonly id: string } }[] = [];
  for (const [index, stored] of rows.entries()) {
    const prepared = await prepareRow(context, stored, firstRow + index);
    if ('result' in prepared) results[index] = prepared.result;
    else ready.push({ index, request: prepared.request });
  }
  // Many rows a transaction while the quota takes them all. A batch the quota cannot take is halved until
  // one that fits, so a quota running out within a chunk costs a few refused transactions, not one a row.
  let size = IMPORT_BATCH_ROWS;
  let quotaRefused = false;
  for (let start = 0; start < ready.length && size > 1; ) {
    const batch = ready.slice(start, start + size);
    const outcome = await services.enrollments.enrollBatch(batch.map(({ request }) => request));
    if (outcome.quotaRefused) {
      quotaRefused = true;
      size = Math.floor(batch.length / 2);
      continue;
    }
    const done = new Set(outcome.enrolled.map((e) => e.id));
    for (const { index, request } of batch) {
      if (done.has(request.id))
        results[index] = enrolledRow(firstRow + index, maskNik(request.nik), request.id);
    }
    start += batch.length;
  }
  // What the batches left (the quota's last rows, covered elsewhere, the same worker twice), one by one as the
  // API. Once the quota has refused, one at a time: the first row it refuses tells what is left, and the rest
  // are then refused without a transaction (rememberingQuota).
  const importing = rememberingQuota(services);
  const rest = rows.flatMap((stored, index) => (results[index] ? [] : [{ stored, index }]));
  const oneByOne = await mapConcurrently(rest, quotaRefused ? 1 : IMPORT_CONCURRENCY, ({ stored, index }) =>
    enrollStoredRow(context, importing, stored, firstRow + index),
  );
  for (const [k, { index }] of rest.entries()) results[index] = oneByOne[k];
  return results as ImportRowResult[];
};

export interface ImportRun {
  /** `done`: every row has its result; `handed-on`: the rest is queued; `busy`: another worker holds the job. */
  readonly outcome: 'done' | 'handed-on' | 'busy' | 'missing';
  readonly chunks: number;
  readonly job?: ImportJobView;
}

/**
 * The import worker's use case: takes the job a chunk at a time (a lease on the job item, so one worker at a
 * time) and enrolls chunks while `remainingMs()` exceeds twice the slowest chunk so far plus
 * {@link IMPORT_MARGIN_MS}; then gives the lease up and queues the rest. A job another worker holds is looked
 * at again once that lease has run out, so a crashed worker's job is never left behind.
 */
export const runImport = async (
  services: ImportServices,
  jobId: string,
  owner: string,
  remainingMs: () => number,
): Promise<ImportRun> => {
  const { imports } = services;
  let job = await imports.get(jobId);
  if (!job) return { outcome: 'missing', chunks: 0 };
  let chunks = 0;
  let slowestMs = 0;
  while (job.state !== 'done') {
    if (chunks > 0 && remainingMs() < 2 * slowestMs + IMPORT_MARGIN_MS) {
      await imports.release(jobId, owner);
      await services.continueImport(jobId, job.cursor);
      return { outcome: 'handed-on', chunks, job: importJobView(job) };
    }
    const started = Date.now();
    const lease = await imports.begin(jobId, job.cursor, owner, started + remainingMs());
    if (!lease) {
      const now = await imports.get(jobId);
      if (!now || now.state === 'done') return { outcome: now ? 'done' : 'missing', chunks };
      const held = now.leaseOwner !== undefined && (now.leaseUntil ?? 0) >= Date.now();
      // The cursor moved, and nobody holds the job now: carry on from where it is.
      if (!held && now.cursor !== job.cursor && now.state !== 'receiving') {
        job = now;
        continue;
      }
      // Held by another worker (or not yet queued): look again once that lease has run out.
      const waitMs = Math.max(0, (now.leaseUntil ?? started) - Date.now());
      await services.continueImport(jobId, now.cursor, Math.min(900, Math.ceil(waitMs / 1000) + 1));
      return { outcome: 'busy', chunks, job: importJobView(now) };
    }
    const results = await enrollChunk(services, lease.job, job.cursor, lease.retried);
    const after = await imports.complete(jobId, job.cursor, owner, results);
    if (!after) return { outcome: 'busy', chunks, job: importJobView(lease.job) };
    job = after;
    chunks++;
    slowestMs = Math.max(slowestMs, Date.now() - started);
  }
  return { outcome: 'done', chunks, job: importJobView(job) };
};
