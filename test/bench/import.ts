/**
 * A bulk import job through the local stack as a village operator runs one: the rows posted in one request
 * (202 with the job), then the job looked at until every row has a result, while the import worker (on the
 * import-work queue) enrolls them chunk by chunk. Every row is a worker the quota has room for, so each is a
 * full enrollment transaction. Measures the post, the time to the job's last result, and rows per second.
 */
import { periodOf, villagesOf } from '@lindung/core';
import { IMPORT_CHUNK_ROWS } from '@lindung/store';
import { importAndWait } from '../../scripts/demo/imports.js';
import { importKilledMidway, type KilledImport } from '../support/import-kill.js';
import { type BenchWorld, FULL_YEAR_PREMIUM, nikSequence } from './world.js';

export interface ImportFigures {
  readonly rows: number;
  readonly chunks: number;
  readonly enrolled: number;
  readonly refused: number;
  /** From sending the post to the first look at the job (its 202, with the rows stored, then one GET). */
  readonly postSeconds: number;
  /** From sending the post to the job's state `done`. */
  readonly totalSeconds: number;
  /** Rows with a result per second, over `totalSeconds`. */
  readonly rowsPerSecond: number;
}

export const benchImport = async (
  world: BenchWorld,
  { rows = 50_000, year = 2032, log = (_: string) => {} } = {},
): Promise<ImportFigures> => {
  // A district no other benchmark enrolls in (NIKs are unique per year).
  const [villageCode = ''] = villagesOf('15.09').map((v) => v.code as string);
  const commitmentId = await world.commitment(year, [villageCode], rows * FULL_YEAR_PREMIUM);
  const operator = await world.as({ roles: ['village-operator'], villageCodes: [villageCode] });
  const next = nikSequence(villageCode);
  const body = {
    commitmentId,
    rows: Array.from({ length: rows }, () => ({ nik: next().nik, startPeriod: periodOf(year, 1) })),
  };

  const started = performance.now();
  let posted = 0;
  let lastTenth = -1;
  const job = await importAndWait(operator, villageCode, body, {
    timeoutMs: 60 * 60_000,
    onProgress: (progress) => {
      posted ||= performance.now();
      const tenth = Math.floor((progress.rows.done / progress.rows.total) * 10);
      if (tenth === lastTenth) return;
      lastTenth = tenth;
      const seconds = (performance.now() - started) / 1000;
      log(
        `  ${progress.rows.done.toLocaleString('id-ID')} of ${progress.rows.total.toLocaleString('id-ID')} rows after ${seconds.toFixed(1)} s (${progress.state})`,
      );
    },
  });
  const totalSeconds = (performance.now() - started) / 1000;
  if (job.rows.enrolled !== rows) {
    throw new Error(`${job.rows.enrolled} of ${rows} rows enrolled: ${JSON.stringify(job.byCode)}`);
  }
  return {
    rows,
    chunks: Math.ceil(rows / IMPORT_CHUNK_ROWS),
    enrolled: job.rows.enrolled,
    refused: job.rows.refused,
    // The first look at the job follows the 202 at once.
    postSeconds: (posted - started) / 1000,
    totalSeconds,
    rowsPerSecond: rows / totalSeconds,
  };
};

/** A killed import's figures: the run's, without the job and its problems, and the rows it enrolled. */
export type KilledImportFigures = Omit<KilledImport, 'job' | 'problems'> & {
  readonly killAt: number;
  readonly enrolled: number;
};

/**
 * The same import on the stack as `npm start` runs it (a child process on a data folder), `kill -9`ed with
 * its whole process tree once the job shows `killAt` rows done, restarted, and waited for. Throws unless every
 * row has one result and the village holds one enrollment per row enrolled.
 */
export const benchImportKilled = async ({
  rows = 50_000,
  killAt = 25_000,
  year = 2032,
  log = (_: string) => {},
} = {}): Promise<KilledImportFigures> => {
  const [villageCode = ''] = villagesOf('15.09').map((v) => v.code as string);
  const next = nikSequence(villageCode);
  const run = await importKilledMidway({
    rows: Array.from({ length: rows }, () => ({ nik: next().nik, startPeriod: periodOf(year, 1) })),
    villageCode,
    fiscalYear: year,
    killAt,
    log,
  });
  if (run.problems.length > 0 || run.job.rows.enrolled !== rows) {
    throw new Error(
      `the killed import ended wrong: ${[...run.problems, JSON.stringify(run.job.rows)].join('; ')}`,
    );
  }
  const { job, problems: _none, ...figures } = run;
  return { ...figures, killAt, enrolled: job.rows.enrolled };
};
