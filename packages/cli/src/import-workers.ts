/**
 * `lindung import workers`: enrolls the workers of a village's CSV file through the bulk import endpoint, a
 * chunk of rows per request. Every row gets a result; the rows that were not enrolled go to an error report
 * beside the file, with the reason the API gave. Progress is recorded in a state file after every chunk, so
 * a rerun after a crash, a dropped connection or Ctrl-C carries on after the last chunk done. A chunk is sent
 * with an idempotency key of its own: a chunk whose answer was lost is answered again, not enrolled twice.
 */
import { createHash, randomUUID } from 'node:crypto';
import { open, readFile, rename, truncate, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { findRegion, formatNumber, villageCode as parseVillageCode } from '@lindung/core';
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

/** The most rows the import endpoint takes in one request. */
export const MAX_CHUNK_ROWS = 5_000;
const DEFAULT_CHUNK_ROWS = 1_000;
/** Attempts of a chunk that meets its own earlier attempt still running (`idempotency-in-progress`). */
const IN_PROGRESS_ATTEMPTS = 5;

const USAGE = `Usage:
  lindung import workers <file.csv> --village <code> --commitment <id> [options]

Enrolls the workers listed in a CSV file into a village's quota of a commitment, and writes the rows that
could not be enrolled, with the reason, to an error report. A rerun skips the rows already done.

The file: a header naming the columns nik, startPeriod and optionally name (in any order, separated by
"," or ";"), then one worker per line, e.g.
  nik,name,startPeriod
  1501014506900001,Siti Aminah,2027-01

Options:
  --village <code>           the village enrolling, e.g. 15.01.01.2001
  --commitment <id>          the commitment whose quota pays
  --chunk-size <n>           rows per request, 1 to ${formatNumber(MAX_CHUNK_ROWS)} (default ${formatNumber(DEFAULT_CHUNK_ROWS)}; a
                             resumed import keeps the size it started with)
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
  readonly version: 1;
  /** Part of every chunk's idempotency key: a restart is a new run, a resumed one the same. */
  readonly runId: string;
  readonly sha256: string;
  readonly village: string;
  readonly commitmentId: string;
  readonly rows: number;
  /** Rows per request: a resumed import keeps the chunks (and so the idempotency keys) of its first run. */
  readonly chunkSize: number;
  /** Rows done (results known), from the first: the next chunk starts after them. */
  readonly done: number;
  readonly created: number;
  readonly failed: number;
  readonly byCode: Readonly<Record<string, number>>;
  /** Length of the error report once the done rows are in it (a rerun cuts off anything after). */
  readonly reportBytes: number;
  readonly updatedAt: string;
}

/** The result of one row, as the import endpoint answers it. */
interface RowResult {
  readonly row: number;
  readonly status: number;
  readonly code?: string;
  readonly detail?: string;
  readonly enrollmentId?: string;
}

interface ImportAnswer {
  readonly rows: readonly RowResult[];
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
    if (
      state.version === 1 &&
      typeof state.done === 'number' &&
      Number.isInteger(state.chunkSize) &&
      state.chunkSize >= 1
    )
      return state;
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

const chunkKey = (state: ImportState, first: number, last: number) =>
  `lindung-import-${createHash('sha256')
    .update(`${state.runId}:${state.sha256}:${state.commitmentId}:${state.village}:${first}-${last}`)
    .digest('hex')
    .slice(0, 40)}`;

/** Sends one chunk; a chunk still running from an earlier attempt is waited for. */
const sendChunk = async (
  client: LindungClient,
  village: string,
  commitmentId: string,
  rows: readonly WorkerRow[],
  key: string,
): Promise<ImportAnswer> => {
  const body = {
    commitmentId,
    rows: rows.map((r) => ({ nik: r.nik, ...(r.name && { name: r.name }), startPeriod: r.startPeriod })),
  };
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.send(
        client.api.POST('/v1/villages/{code}/enrollments/import', {
          params: { path: { code: village }, header: { 'Idempotency-Key': key } },
          body,
        }),
      );
    } catch (error) {
      const inProgress = error instanceof ApiProblemError && error.code === 'idempotency-in-progress';
      if (!inProgress || attempt >= IN_PROGRESS_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1_000 * attempt));
    }
  }
};

const wholeNumber = (text: string, option: string, min: number, max: number): number => {
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!(value >= min && value <= max)) {
    throw new UsageError(
      `--${option} must be a whole number from ${min} to ${formatNumber(max)}, got ${text}`,
    );
  }
  return value;
};

const OPTIONS = {
  village: { type: 'string' },
  commitment: { type: 'string' },
  'chunk-size': { type: 'string' },
  errors: { type: 'string' },
  state: { type: 'string' },
  restart: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
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
    if (values.help) {
      io.stdout.write(`${USAGE}\n`);
      return EXIT_CODES.ok;
    }
    if (positionals.length !== 1) throw new UsageError('name one CSV file to import');
    const file = positionals[0] as string;
    if (!values.village) throw new UsageError('--village is required');
    if (!values.commitment) throw new UsageError('--commitment is required');
    const village = parseVillageCode(values.village, '--village') as string;
    const commitmentId = values.commitment;
    const chunkSize =
      values['chunk-size'] === undefined
        ? DEFAULT_CHUNK_ROWS
        : wholeNumber(values['chunk-size'], 'chunk-size', 1, MAX_CHUNK_ROWS);
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
      version: 1,
      runId: randomUUID(),
      sha256,
      village,
      commitmentId,
      rows: rows.length,
      chunkSize,
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
      const note = () =>
        `enrolled ${formatNumber(state.created)} · not enrolled ${formatNumber(state.failed)}`;
      bar.update(state.done, note());
      const report = await open(paths.errors, 'a');
      try {
        while (state.done < rows.length) {
          const chunk = rows.slice(state.done, state.done + state.chunkSize);
          const sendable = chunk.filter((r) => r.problem === undefined);
          const answer =
            sendable.length === 0
              ? { rows: [] }
              : await sendChunk(
                  client,
                  village,
                  commitmentId,
                  sendable,
                  chunkKey(state, chunk[0]?.row ?? 0, chunk.at(-1)?.row ?? 0),
                );
          const results = new Map<number, RowResult>();
          answer.rows.forEach((result) => {
            const row = sendable[result.row - 1];
            if (row) results.set(row.row, result);
          });
          let lines = '';
          let created = 0;
          const byCode = { ...state.byCode };
          for (const row of chunk) {
            const result: RowResult = row.problem
              ? { row: row.row, status: 422, code: 'validation-failed', detail: `row ${row.problem}` }
              : (results.get(row.row) ?? { row: row.row, status: 0, code: 'no-answer' });
            if (result.status === 201) {
              created++;
              continue;
            }
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
              result.detail,
            ]);
          }
          await report.write(lines);
          state = {
            ...state,
            done: state.done + chunk.length,
            created: state.created + created,
            failed: state.failed + chunk.length - created,
            byCode,
            reportBytes: state.reportBytes + Buffer.byteLength(lines),
            updatedAt: new Date().toISOString(),
          };
          await saveState(paths.state, state);
          bar.update(state.done, note());
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
