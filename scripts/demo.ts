/**
 * `npm run demo`: the Jambi BKBK year on the embedded local stack, in memory. Options:
 *   --villages <n>      a sample of n villages spread over the province (default: all 1,585)
 *   --year <yyyy>       the fiscal year (default: next year, so the local scheduler never rolls it meanwhile)
 *   --concurrency <n>   villages enrolling at once (default 8)
 *   --file-from <n>     a village's month of at least n workers is imported as a file, fewer are enrolled one
 *                       by one as at the form (default 6; 1 imports every month)
 *   --seed <n>          the seed of the synthetic workers (default 2022)
 *   --json <file>       also write the figures as JSON (the benchmarks read them)
 *   --screenshots <dir> where the dashboard's screenshots go (default: a new directory under the system's temp)
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { periodAt, periodParts } from '@lindung/core';
import { runJambiYear } from './demo/jambi-year.js';
import { renderYear } from './demo/report.js';

const round2 = (n: number) => Math.round(n * 100) / 100;

const usage =
  'Usage: npm run demo -- [--villages N] [--year YYYY] [--concurrency N] [--file-from N] [--seed N] [--json FILE] [--screenshots DIR]';

const whole = (value: string | undefined, name: string, min: number, max: number): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`--${name} must be a whole number from ${min} to ${max}, not "${value}"\n${usage}`);
    process.exit(2);
  }
  return n;
};

const { values } = parseArgs({
  options: {
    villages: { type: 'string' },
    year: { type: 'string' },
    concurrency: { type: 'string' },
    'file-from': { type: 'string' },
    seed: { type: 'string' },
    json: { type: 'string' },
    screenshots: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const thisYear = periodParts(periodAt(new Date())).year;
const villages = whole(values.villages, 'villages', 1, 1_585);
// Workers are 20 to 60 at the start of the year and the NIK's two-digit birth year is read against today.
const year = whole(values.year, 'year', 2022, thisYear + 5) ?? thisYear + 1;
const concurrency = whole(values.concurrency, 'concurrency', 1, 64) ?? 8;
const fileFrom = whole(values['file-from'], 'file-from', 1, 50_000);
const seed = whole(values.seed, 'seed', 0, 2 ** 31 - 1);

const started = performance.now();
const loadAtStart = loadavg();
const log = (line: string) => process.stderr.write(`${line}\n`);
log(
  `Lindung demo: the Jambi BKBK year ${year} over ${villages === undefined ? 'all 1.585' : villages} villages (${concurrency} villages enrolling at a time)`,
);
// In memory, there is nothing to save: Ctrl-C ends the run (DynamoDB Local is stopped as this process exits).
process.on('SIGINT', () => {
  log('Interrupted.');
  process.exit(130);
});

try {
  const result = await runJambiYear({
    year,
    concurrency,
    log,
    dashboard: { screenshotDir: values.screenshots ?? (await mkdtemp(join(tmpdir(), 'lindung-demo-'))) },
    ...(villages !== undefined && { villages }),
    ...(seed !== undefined && { seed }),
    ...(fileFrom !== undefined && { fileFrom }),
  });
  const wallSeconds = Math.round((performance.now() - started) / 100) / 10;
  process.stdout.write(renderYear(result, wallSeconds));
  // Other work on the machine takes cores from the run: the load averages say how much.
  const load = { atStart: loadAtStart.map(round2), atEnd: loadavg().map(round2) };
  process.stdout.write(
    `Load average (1, 5, 15 min): ${load.atStart.join(' ')} at the start, ${load.atEnd.join(' ')} at the end\n`,
  );
  if (values.json) {
    await writeFile(values.json, `${JSON.stringify({ ...result, wallSeconds, load }, null, 2)}\n`);
    log(`Figures written to ${values.json}`);
  }
  for (const screenshot of result.dashboard.flatMap((check) => check.screenshots)) {
    process.stdout.write(`Dashboard screenshot: ${screenshot}\n`);
  }
  process.exitCode = result.problems.length === 0 ? 0 : 1;
} catch (error) {
  log(`The demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
}
