/**
 * `lindung import workers`: enrolls the workers of a village's CSV file through the bulk import endpoint. The
 * file is posted once as an import job (202); the command then polls the job, showing its progress, and writes
 * the rows that were not enrolled, with the reason the API gave, to an error report beside the file. The job's
 * id and how much of the report is written are recorded in a state file, so a rerun after a crash, a dropped
 * connection or Ctrl-C carries on with the same job; the post carries an idempotency key of the run, so a post
 * whose answer was lost names the same job again instead of importing the file twice.
 */

import { createHash, randomUUID } from 'node:crypto';
import { open, readFile, rename, truncate, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Schemas } from '@lindung/api-client';
import { findRegion, formatNumber, villageCode as parseVillageCode, retrying } from '@lindung/core';
import { type CliIo, type Command, EXIT_CODES, UsageError } from './command.js';
import { columnsOf, csvLine, readCsv } from './csv.js';
import {
  ApiProblemError,
  CONNECTION_OPTIONS,
  CONNECTION_USAGE,
  connect,
  type LindungClient,
} from './http.js';
import { ProgressBar } from './progress.js';
import { renderTable } from './table.js';

/** The most rows one import job takes. */
export const MAX_IMPORT_ROWS = 50_000;
/** Attempts of a post that meets its own earlier attempt still running (`idempotency-in-progress`). */
const IN_PROGRESS_ATTEMPTS = 5;
/** Between two looks at the job's progress. */
export const POLL_INTERVAL_MS = 1_000;
/** Results read per request once the job is done. */
const RESULTS_PAGE = 1_000;

const USAGE = `Usage:
  lindung import workers <file.csv> --village <code> --commitment <id> [options]

Enrolls the workers listed in a CSV file (up to ${formatNumber(MAX_IMPORT_ROWS)} rows) into a village's quota of a
commitment as one import job, shows its progress, and writes the rows that could not be enrolled, with the
reason, to an error report. A rerun carries on with the same job.

The file: a header naming the columns nik, startPeriod and optionally name (in any order, separated by
"," or ";"), then one worker per line, e.g.
  nik,name,startPeriod
  1501014506900001,Siti Aminah,2027-01

Options:
  --village <code>           the village enrolling, e.g. 15.01.01.2001
  --commitment <id>          the commitment whose quota pays
  --errors <file>            the error report (default: <file>.errors.csv beside the input)
  --state <file>             where progress is recorded (default: <file>.import-state.json)
  --restart                  forget the recorded progress and start again from the first row
  -h, --help                 show this help

${CONNECTION_USAGE}

Exit status: 0 when every row is enrolled, 1 when some rows are not (see the error report) or the import
stopped (rerun to carry on), 2 for a mistake in the command line or the file.`;

/** A worker row of the file, as read. */
export interface WorkerRow {
  /** 1-based number of the row after the header. */
  readonly row: number;
  /** The line of the file it is on. */
  readonly line: number;
  readonly nik: string;
  readonly name?: string;
  readonly startPeriod: string;
  /** Why the row cannot even be sent (e.g. a wrong number of fields). */
  readonly problem?: string;
}

/** Reads the worker rows of an import file. */
export const parseWorkerRows = (text: string, file: string): WorkerRow[] => {
  const { header, records } = readCsv(text, file);
  const columns = columnsOf(header, ['nik', 'startPeriod'], ['name'], file);
  if (records.length === 0) throw new UsageError(`${file} has a header but no rows`);
  return records.map(({ fields, line }, i) => {
    const field = (column: number | undefined) => (column === undefined ? '' : (fields[column] ?? ''));
    const name = field(columns.name);
    return {
      row: i + 1,
      line,
      nik: field(columns.nik),
      ...(name && { name }),
      startPeriod: field(columns.startPeriod),
      ...(fields.length !== header.length && {
        problem: `has ${fields.length} fields; the header names ${header.length}`,
      }),
    };
  });
};

/** What a rerun needs to carry on: which rows are done and what they gave. */
export interface ImportState {
  readonly version: 2;
  /** Part of the post's idempotency key: a restart is a new run, a resumed one the same. */
  readonly runId: string;
  readonly sha256: string;
  readonly village: string;
  readonly commitmentId: string;
  readonly rows: number;
  /** The import job the file was posted as, once the API has answered. */
  readonly jobId?: string;
  /** Rows of the file done (results in the report): all of them once the last page is written. */
  readonly done: number;
  /** The job's rows (numbered as posted) whose results are in the report: the next page starts after them. */
  readonly reported?: number;
  readonly created: number;
  readonly failed: number;
  readonly byCode: Readonly<Record<string, number>>;
  /** Length of the error report once the done rows are in it (a rerun cuts off anything after). */
  readonly reportBytes: number;
  readonly updatedAt: string;
}

/** The result of one row, as the import job shows it. */
interface RowResult {
  readonly row: number;
  readonly outcome: 'enrolled' | 'refused';
  readonly status: number;
  readonly code?: string;
  readonly message?: string;
}

/** An import job, as the API shows it (the generated contract's schema). */
type ImportJob = Schemas['ImportJob'];

interface ImportPage extends ImportJob {
  readonly items: readonly RowResult[];
  readonly nextPageToken?: string;
}

const REPORT_HEADER = ['row', 'line', 'nik', 'name', 'startPeriod', 'status', 'code', 'detail'] as const;

const defaultPaths = (file: string) => {
  const stem = join(dirname(file), basename(file, extname(file)));
  return { errors: `${stem}.errors.csv`, state: `${stem}.import-state.json` };
};

const loadState = async (path: string): Promise<ImportState | undefined> => {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const state = JSON.parse(text) as ImportState;
    if (state.version === 2 && typeof state.done === 'number') return state;
  } catch {
    // answered below
  }
  throw new UsageError(`${path} is not a state file of lindung import workers: delete it, or pass --restart`);
};

/** Writes the state whole or not at all (a crash mid-write must not leave half a file). */
const saveState = async (path: string, state: ImportState): Promise<void> => {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`);
  await rename(temporary, path);
};

const importKey = (state: ImportState) =>
  `lindung-import-${createHash('sha256')
    .update(`${state.runId}:${state.sha256}:${state.commitmentId}:${state.village}`)
    .digest('hex')
    .slice(0, 40)}`;

/** Posts the file as an import job; a post still running from an earlier attempt is waited for. */
const postImport = async (
  client: LindungClient,
  village: string,
  commitmentId: string,
  rows: readonly WorkerRow[],
  key: string,
): Promise<ImportJob> => {
  const body = {
    commitmentId,
    rows: rows.map((r) => ({ nik: r.nik, ...(r.name && { name: r.name }), startPeriod: r.startPeriod })),
  };
  return retrying(
    () =>
      client.post<ImportJob>(`/v1/villages/${encodeURIComponent(village)}/enrollments/import`, body, {
        headers: { 'idempotency-key': key },
      }),
    {
      attempts: IN_PROGRESS_ATTEMPTS,
      retryIf: (error) => error instanceof ApiProblemError && error.code === 'idempotency-in-progress',
      minDelayMs: 1_000,
      maxDelayMs: 4_000,
    },
  );
};

const OPTIONS = {
  village: { type: 'string' },
  commitment: { type: 'string' },
  errors: { type: 'string' },
  state: { type: 'string' },
  restart: { type: 'boolean' },
  ...CONNECTION_OPTIONS,
} as const;

/** `lindung import workers`. */
export const importWorkersCommand: Command = {
  summary: 'enroll the workers of a CSV file into a village quota (resumable, with an error report)',
  usage: USAGE,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: OPTIONS,
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length !== 1) throw new UsageError('name one CSV file to import');
    const file = positionals[0] as string;
    if (!values.village) throw new UsageError('--village is required');
    if (!values.commitment) throw new UsageError('--commitment is required');
    const village = parseVillageCode(values.village, '--village') as string;
    const commitmentId = values.commitment;
    const paths = {
      ...defaultPaths(file),
      ...(values.errors && { errors: values.errors }),
      ...(values.state && { state: values.state }),
    };

    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    }
    const sha256 = createHash('sha256').update(text).digest('hex');
    const rows = parseWorkerRows(text, file);
    if (rows.length > MAX_IMPORT_ROWS) {
      throw new UsageError(
        `${file} has ${formatNumber(rows.length)} rows; an import takes at most ${formatNumber(MAX_IMPORT_ROWS)}: split the file`,
      );
    }

    const previous = values.restart ? undefined : await loadState(paths.state);
    if (previous) {
      if (previous.sha256 !== sha256) {
        throw new UsageError(
          `${file} has changed since the import recorded in ${paths.state}: pass --restart to import it from the first row`,
        );
      }
      if (previous.village !== village || previous.commitmentId !== commitmentId) {
        throw new UsageError(
          `${paths.state} records an import into village ${previous.village}, commitment ${previous.commitmentId}: pass --restart to import into another`,
        );
      }
    }
    let state: ImportState = previous ?? {
      version: 2,
      runId: randomUUID(),
      sha256,
      village,
      commitmentId,
      rows: rows.length,
      done: 0,
      created: 0,
      failed: 0,
      byCode: {},
      reportBytes: 0,
      updatedAt: new Date().toISOString(),
    };
    const skipped = state.done;

    if (state.done < rows.length) {
      const client = await connect(values, { roles: ['village-operator'], villageCodes: [village] }, io);
      // Anything after the recorded end is from a chunk whose state was never saved: it is written again.
      if (state.done === 0) {
        // The state first: a state file of an earlier import must not outlive the report it describes.
        state = { ...state, reportBytes: Buffer.byteLength(csvLine(REPORT_HEADER)) };
        await saveState(paths.state, state);
        await writeFile(paths.errors, csvLine(REPORT_HEADER));
      } else {
        await truncate(paths.errors, state.reportBytes).catch(async (error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
          await writeFile(paths.errors, csvLine(REPORT_HEADER));
        });
      }
      const bar = new ProgressBar(io.stderr, rows.length, `Importing ${basename(file)}`);
      bar.update(0, `enrolled ${formatNumber(state.created)} · not enrolled ${formatNumber(state.failed)}`);
      const sendable = rows.filter((r) => r.problem === undefined);
      const local = rows.filter((r) => r.problem !== undefined);
      const report = await open(paths.errors, 'a');
      try {
        // The rows the file itself breaks never reach the API: their lines first.
        if (state.done === 0 && local.length > 0) {
          const lines = local.map((row) =>
            csvLine([
              row.row,
              row.line,
              row.nik,
              row.name,
              row.startPeriod,
              422,
              'validation-failed',
              `row ${row.problem}`,
            ]),
          );
          await report.write(lines.join(''));
          state = {
            ...state,
            failed: local.length,
            byCode: { 'validation-failed': local.length },
            reportBytes: state.reportBytes + Buffer.byteLength(lines.join('')),
          };
          await saveState(paths.state, state);
        }
        if (!state.jobId) {
          const job =
            sendable.length === 0
              ? undefined
              : await postImport(client, village, commitmentId, sendable, importKey(state));
          state = { ...state, ...(job ? { jobId: job.id } : { done: rows.length }) };
          await saveState(paths.state, state);
        }
        const jobPath = `/v1/imports/${encodeURIComponent(state.jobId ?? '')}`;
        // The progress of the job, as the worker enrolls it.
        const note = (job: ImportJob) =>
          `enrolled ${formatNumber(job.rows.enrolled)} · not enrolled ${formatNumber(job.rows.refused + local.length)}${job.stalledSince ? ` · no progress since ${job.stalledSince}` : ''}`;
        while (state.jobId && state.done < rows.length) {
          const job = await client.get<ImportPage>(`${jobPath}?limit=1`);
          bar.update(local.length + job.rows.done, note(job));
          if (job.state === 'done') break;
          await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
        }
        // Then the refused rows, a page at a time, from where the report ends.
        let token: string | undefined = state.reported ? String(state.reported + 1) : undefined;
        while (state.jobId && state.done < rows.length) {
          const page: ImportPage = await client.get<ImportPage>(
            `${jobPath}?outcome=refused&limit=${RESULTS_PAGE}${token ? `&pageToken=${token}` : ''}`,
          );
          let lines = '';
          const byCode = { ...state.byCode };
          for (const result of page.items) {
            const row = sendable[result.row - 1];
            if (!row) continue;
            const code = result.code ?? `http-${result.status}`;
            byCode[code] = (byCode[code] ?? 0) + 1;
            lines += csvLine([
              row.row,
              row.line,
              row.nik,
              row.name,
              row.startPeriod,
              result.status,
              code,
              result.message,
            ]);
          }
          await report.write(lines);
          token = page.nextPageToken;
          state = {
            ...state,
            done: token ? state.done : rows.length,
            reported: token ? Number(token) - 1 : sendable.length,
            created: page.rows.enrolled,
            failed: Object.values(byCode).reduce((sum, count) => sum + count, 0),
            byCode,
            reportBytes: state.reportBytes + Buffer.byteLength(lines),
            updatedAt: new Date().toISOString(),
          };
          await saveState(paths.state, state);
          bar.update(rows.length, note(page));
          if (!token) break;
        }
      } finally {
        bar.finish();
        await report.close();
      }
    }

    io.stdout.write(renderSummary(file, state, skipped, paths.errors));
    return state.failed > 0 ? EXIT_CODES.failure : EXIT_CODES.ok;
  },
};

/** The end-of-import summary, numbers in Indonesian notation. */
export const renderSummary = (file: string, state: ImportState, skipped: number, errors: string): string => {
  const village = findRegion(state.village);
  const rows: string[][] = [
    ['Rows in the file', formatNumber(state.rows)],
    ...(skipped > 0 ? [['Done by an earlier run (skipped)', formatNumber(skipped)]] : []),
    ['Enrolled', formatNumber(state.created)],
    ['Not enrolled', formatNumber(state.failed)],
    ...Object.entries(state.byCode)
      .sort(([, a], [, b]) => b - a)
      .map(([code, count]) => [`  ${code}`, formatNumber(count)]),
  ];
  return [
    `Imported ${file} into village ${state.village}${village ? ` (${village.name})` : ''}, commitment ${state.commitmentId}`,
    renderTable(rows),
    state.failed > 0 ? `Rows not enrolled, with the reason: ${errors}` : 'Every row was enrolled.',
    '',
  ].join('\n');
};
