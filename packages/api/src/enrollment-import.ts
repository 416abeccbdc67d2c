/**
 * Bulk enrollment: up to 5,000 rows from CSV or JSON, each enrolled through the single-enrollment use case
 * (one transaction per row, so a row is written whole or not at all), a few rows at a time. A failing row
 * gets its own result — the status and code the single request would have answered — and never fails the
 * others. An unexpected error stops the import with a 500: the rows written by then stay, and a rerun of the
 * same file reports them as already covered instead of enrolling anyone twice.
 */
import {
  isDomainError,
  NotFoundError,
  villageCode as parseVillageCode,
  QuotaExhaustedError,
  ValidationError,
} from '@lindung/core';
import {
  type Commitment,
  type EnrollmentRepository,
  type EnrollmentRequest,
  retryOnTransactionConflict,
} from '@lindung/store';
import { CsvError, parse } from 'csv-parse/sync';
import type { z } from 'zod';
import { authorize, type Principal } from './auth.js';
import {
  type ImportEnrollmentsRequest,
  importEnrollmentsRequest,
  importQuery,
  importRow,
  MAX_IMPORT_ROWS,
} from './schemas.js';
import { enroll, type Services } from './use-cases.js';

/** Rows enrolled at once: enough to finish 5,000 rows in seconds, few enough to keep conflicts on the quota rare. */
export const IMPORT_CONCURRENCY = 16;

/**
 * Characters of row `detail` an answer carries at most; later rows keep their `code` only. The idempotency
 * store keeps a whole answer in one DynamoDB item (400 KB), and 5,000 enrolled rows take 350 KB.
 */
export const IMPORT_DETAIL_BUDGET = 30_000;

/** The outcome of one row: the status (and code) the single enrollment request would have answered. */
export interface ImportRowResult {
  /** 1-based, in the order of the rows (for CSV: the line after the header, not counting blank lines). */
  readonly row: number;
  readonly status: number;
  readonly enrollmentId?: string;
  readonly code?: string;
  /** Why a row is not valid (422 rows only; the code says it for the others). */
  readonly detail?: string;
}

export interface ImportSummary {
  readonly rows: number;
  readonly created: number;
  readonly failed: number;
  /** Rows per HTTP status, e.g. `{ "201": 49, "409": 4951 }`. */
  readonly byStatus: Readonly<Record<string, number>>;
  /** Failed rows per problem code, e.g. `{ "quota-exhausted": 4951 }`. */
  readonly byCode: Readonly<Record<string, number>>;
}

export interface ImportResult {
  readonly commitmentId: string;
  readonly villageCode: string;
  readonly summary: ImportSummary;
  readonly rows: readonly ImportRowResult[];
}

const CSV_COLUMNS = ['nik', 'name', 'startPeriod'] as const;
type CsvColumn = (typeof CSV_COLUMNS)[number];

const csvColumn = (name: string): CsvColumn | undefined =>
  CSV_COLUMNS.find((column) => column.toLowerCase() === name.trim().toLowerCase());

/** Spreadsheets in Indonesian locales write `;` between fields (`,` is their decimal separator). */
const delimiterOf = (text: string): string => {
  const header = text.slice(0, text.search(/\r?\n|$/));
  return header.includes(';') && !header.includes(',') ? ';' : ',';
};

/**
 * Reads a CSV import: a header naming `nik`, `startPeriod` and optionally `name` (in any order), then a worker
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
    throw ValidationError.forField('header', 'must name the columns nik,name,startPeriod (name is optional)');
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

const describeIssues = (error: z.ZodError): string =>
  error.issues
    .slice(0, 3)
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');

const failed = (row: number, status: number, code: string, detail?: string): ImportRowResult => ({
  row,
  status,
  code,
  ...(detail && { detail }),
});

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
      const seen = error instanceof QuotaExhaustedError ? error.details.available : undefined;
      if (typeof seen === 'number') available = Math.min(available, seen);
      throw error;
    }
  };
  const enrollments: EnrollmentRepository = Object.assign(Object.create(repository), { enroll });
  return { ...services, enrollments };
};

/** Enrolls one row through the single-enrollment use case and says how it went. */
const enrollRow = async (
  services: Services,
  principal: Principal,
  villageCode: string,
  commitment: Commitment,
  row: unknown,
  index: number,
): Promise<ImportRowResult> => {
  const number = index + 1;
  if (row instanceof ValidationError) return failed(number, 422, row.code, row.message);
  const parsed = importRow.safeParse(row);
  if (!parsed.success) return failed(number, 422, 'validation-failed', describeIssues(parsed.error));
  const { nik, name, startPeriod } = parsed.data;
  try {
    // Concurrent rows reserve from the same quota item; DynamoDB cancels a transaction that meets another.
    const enrollment = await retryOnTransactionConflict(() =>
      enroll(
        services,
        principal,
        villageCode,
        { commitmentId: commitment.id, worker: { nik, ...(name && { name }) }, startPeriod },
        commitment,
      ),
    );
    return { row: number, status: 201, enrollmentId: enrollment.id };
  } catch (error) {
    if (!isDomainError(error)) throw error;
    return failed(
      number,
      error.httpStatus,
      error.code,
      error instanceof ValidationError ? error.message : undefined,
    );
  }
};

/**
 * Maps items with at most `concurrency` calls in flight. After a failure no new call starts; the first error
 * is thrown once the calls in flight have settled, so nothing runs on after the answer.
 */
const mapConcurrently = async <T, R>(
  items: readonly T[],
  concurrency: number,
  map: (item: T, index: number) => Promise<R>,
): Promise<R[]> => {
  const results: R[] = [];
  let next = 0;
  let stopped = false;
  const work = async () => {
    while (!stopped && next < items.length) {
      const index = next++;
      try {
        results[index] = await map(items[index] as T, index);
      } catch (error) {
        stopped = true;
        throw error;
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(concurrency, items.length) }, work));
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) throw failure.reason;
  return results;
};

/** Keeps row details, in row order, while they fit {@link IMPORT_DETAIL_BUDGET}. */
const withinDetailBudget = (rows: readonly ImportRowResult[]): ImportRowResult[] => {
  let budget = IMPORT_DETAIL_BUDGET;
  return rows.map((result) => {
    if (!result.detail) return result;
    if (result.detail.length <= budget) {
      budget -= result.detail.length;
      return result;
    }
    const { detail: _dropped, ...rest } = result;
    return rest;
  });
};

const summarize = (rows: readonly ImportRowResult[]): ImportSummary => {
  const byStatus: Record<string, number> = {};
  const byCode: Record<string, number> = {};
  for (const { status, code } of rows) {
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    if (code) byCode[code] = (byCode[code] ?? 0) + 1;
  }
  const created = byStatus[201] ?? 0;
  return { rows: rows.length, created, failed: rows.length - created, byStatus, byCode };
};

/** Enrolls every row of an import into the village's quota of a commitment; answers a result per row. */
export const importEnrollments = async (
  services: Services,
  principal: Principal,
  village: string,
  request: ImportEnrollmentsRequest,
): Promise<ImportResult> => {
  const villageCode = parseVillageCode(village);
  authorize(principal, 'importEnrollments', { villageCode });
  const { commitmentId } = request;
  // One answer for the whole file, rather than the same 404 on every row.
  const commitment = await services.commitments.require(commitmentId);
  if (!(await services.commitments.allocation(commitmentId, villageCode))) {
    throw new NotFoundError(`Village ${villageCode} has no quota in commitment ${commitmentId}`, {
      details: { commitmentId, villageCode },
    });
  }
  const importing = rememberingQuota(services);
  const rows = await mapConcurrently(request.rows, IMPORT_CONCURRENCY, (row, index) =>
    enrollRow(importing, principal, villageCode, commitment, row, index),
  );
  return { commitmentId, villageCode, summary: summarize(rows), rows: withinDetailBudget(rows) };
};
