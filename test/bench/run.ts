/**
 * `npm run bench`: measures Lindung on the embedded local stack and prints a table of each figure; writes
 * them all to bench/results.json. Not part of `npm test`: it takes minutes and its figures are readings of
 * this machine, not pass/fail checks. See BENCHMARKS.md for what bounds each figure.
 *
 *   --seconds <n>          how long each enrollment throughput level runs (default 10)
 *   --year-villages <n>    villages of the Jambi year (default 50; 1585 for the whole province)
 *   --year-json <file>     use the figures of a demo run with --json instead of running the year
 *   --import-rows <n>      rows of the bulk import job (default 50000, the most one job takes)
 *   --kill-at <n>          import: run the stack as `npm start` in a child process and `kill -9` it once the
 *                          job shows n rows done, restart it on the same data folder and wait for the job
 *   --only <list>          some of: enrollment,roll,import,year,functions (default: all)
 *   --baseline <dir>       functions: also bundle and time the checkout in <dir> (e.g. main), side by side
 *   --without-reports      run the stack without the reports projector (its cost is then left out)
 *   --out <file>           where the results go (default bench/results.json)
 *
 * The enrollment throughput is also measured without the reports projector, in a process of its own (the
 * handlers' modules hold their stack's endpoints): the difference is what the projector costs the API.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { renderTable } from '@lindung/cli';
import { formatNumber } from '@lindung/core';
import { groupPhases, renderFunctionRequests, renderPhases } from '../../scripts/demo/report.js';
import { benchEnrollment, type EnrollmentBench } from './enrollment.js';
import { benchFunctions, type FunctionFigures } from './functions.js';
import {
  benchImport,
  benchImportFloor,
  benchImportKilled,
  type ImportFigures,
  type ImportFloor,
  type KilledImportFigures,
} from './import.js';
import { benchRollWrites, type RollWrites } from './roll-writes.js';
import { startWorld } from './world.js';
import type { CountedClient, WriteTally } from './write-counter.js';
import { benchYear, readYear, type YearFigures } from './year.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const log = (line: string) => process.stderr.write(`${line}\n`);

const { values } = parseArgs({
  options: {
    seconds: { type: 'string' },
    'year-villages': { type: 'string' },
    'year-json': { type: 'string' },
    'import-rows': { type: 'string' },
    'kill-at': { type: 'string' },
    only: { type: 'string' },
    baseline: { type: 'string' },
    'without-reports': { type: 'boolean' },
    out: { type: 'string' },
  },
  strict: true,
});
const sections = new Set((values.only ?? 'enrollment,roll,import,year,functions').split(','));
const seconds = Number(values.seconds ?? 10);
const yearVillages = values['year-villages'] === undefined ? 50 : Number(values['year-villages']);
const importRows = Number(values['import-rows'] ?? 50_000);
const killAt = values['kill-at'] === undefined ? undefined : Number(values['kill-at']);
/** The import on the in-process stack, unless it is to be killed (then on a child process of its own). */
const importInProcess = sections.has('import') && killAt === undefined;

const one = (value: number) => value.toLocaleString('id-ID', { maximumFractionDigits: 1 });
const two = (value: number) => value.toLocaleString('id-ID', { maximumFractionDigits: 2 });

const machine = async () => {
  const java = await promisify(execFile)('java', ['-version']).then(
    ({ stderr }) => stderr.split('\n')[0] ?? '',
    () => 'not found',
  );
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    java,
    platform: `${process.platform} ${process.arch}`,
    // Other work on the machine takes cores from the measurement: the 1-minute load average says how much.
    loadAverageAtStart: loadavg().map((n) => Math.round(n * 100) / 100),
  };
};

const renderEnrollment = (
  bench: EnrollmentBench,
  tables: { ledger: string; idempotency: string; reports: string },
  withoutReports: EnrollmentBench | undefined,
) => {
  const bare = (clients: number) =>
    withoutReports?.throughput.find(
      (f) => f.path === 'http' && f.clients === clients && f.villages === clients,
    );
  const figure = (path: 'http' | 'raw', clients: number) =>
    bench.throughput.find((f) => f.path === path && f.clients === clients && f.villages === clients);
  const levels = [...new Set(bench.throughput.filter((f) => f.path === 'http').map((f) => f.clients))];
  const hot = bench.throughput.find((f) => f.path === 'raw' && f.villages === 1 && f.clients > 1);
  const perEnrollment = (tally: WriteTally, table: string, count: number) => {
    const t = tally.byTable[table] ?? { requests: 0, units: 0 };
    return `${two(t.requests / count)} req, ${two(t.units / count)} WCU`;
  };
  const http = bench.httpRequests;
  const raw = bench.rawWrites;
  return [
    'Enrollment throughput (one village per client; each enrollment reserves 12 months from its village quota)',
    renderTable([
      [
        'Clients',
        'HTTP API',
        'p50 / p95',
        'EnrollmentRepository.enroll direct',
        'p50 / p95',
        'HTTP ÷ direct',
        ...(withoutReports ? ['HTTP, no reports projector', 'p50 / p95'] : []),
      ],
      ...levels.map((clients) => {
        const h = figure('http', clients);
        const r = figure('raw', clients);
        const b = bare(clients);
        return [
          String(clients),
          `${one(h?.perSecond ?? 0)}/s`,
          `${h?.p50Ms} / ${h?.p95Ms} ms`,
          `${one(r?.perSecond ?? 0)}/s`,
          `${r?.p50Ms} / ${r?.p95Ms} ms`,
          `${Math.round(((h?.perSecond ?? 0) / (r?.perSecond || 1)) * 100)}%`,
          ...(withoutReports ? [`${one(b?.perSecond ?? 0)}/s`, `${b?.p50Ms} / ${b?.p95Ms} ms`] : []),
        ];
      }),
    ]),
    hot
      ? `  Direct, ${hot.clients} writers on one village (the bulk import's shape): ${one(hot.perSecond)}/s, p50 / p95 ${hot.p50Ms} / ${hot.p95Ms} ms`
      : '',
    '',
    `AWS requests per enrollment through the API (over ${formatNumber(http.enrollments)} enrollments, with an Idempotency-Key), counted in each function's thread, the projector's catching up included`,
    Object.keys(http.byFunction).length > 0
      ? renderFunctionRequests(http.byFunction, http.enrollments, {
          unit: 'an enrollment',
          digits: 2,
        })
      : '  (not counted: run with LINDUNG_REQUEST_COUNTS=1 to count them on the function bundles)',
    `Writes per direct enrollment (EnrollmentRepository.enroll, over ${formatNumber(raw.enrollments)}): ledger ${perEnrollment(raw.tally, tables.ledger, raw.enrollments)}`,
  ].join('\n');
};

const renderRolls = (rolls: readonly RollWrites[]) =>
  [
    'Writes per village per period roll (ledger table; renewal worker + billing answers), by workers in the village',
    renderTable([
      [
        'Period',
        ...(rolls[0]?.villages.map((v) => `${v.workers} workers`) ?? []),
        'Reports table, whole roll',
      ],
      ...rolls.map((roll) => [
        roll.period,
        ...roll.villages.map((v) => `${one(v.writes.requests)} req, ${one(v.writes.units)} WCU`),
        `${one(roll.reports.requests)} req, ${one(roll.reports.units)} WCU`,
      ]),
    ]),
  ].join('\n');

const renderImport = (figures: ImportFigures, floor: ImportFloor) =>
  [
    `Bulk import job (POST …/enrollments/import, then GET /v1/imports/{id} until done; one village, every row enrolled)`,
    renderTable([
      ['Rows', 'Chunks', 'Post → 202 + first GET', 'Post → done', 'Rows/s'],
      [
        formatNumber(figures.rows),
        formatNumber(figures.chunks),
        `${one(figures.postSeconds)} s`,
        `${one(figures.totalSeconds)} s`,
        `${one(figures.rowsPerSecond)}/s`,
      ],
    ]),
    '',
    `DynamoDB Local alone (a process of its own, bare clients), written in the import's shape: 3 items of ${floor.itemBytes} B a row, ${floor.seconds} s a level`,
    renderTable([
      ['Table', 'Requests', 'Rows a request', 'Writers', 'Rows/s', 'The job above, of this'],
      ...floor.levels.map((level) => [
        level.stream ? 'with a stream' : 'no stream',
        level.kind === 'transaction'
          ? 'TransactWriteItems (conditions: quota, claims, items)'
          : 'BatchWriteItem (no condition: holds no invariant)',
        one(level.rowsPerRequest),
        String(level.writers),
        `${one(level.rowsPerSecond)}/s`,
        `${Math.round((figures.rowsPerSecond / level.rowsPerSecond) * 100)}%`,
      ]),
    ]),
  ].join('\n');

const renderImportKilled = (figures: KilledImportFigures) =>
  [
    'Bulk import job killed in the middle (npm start as a child process; kill -9 of its whole tree at the rows done shown, restart on the same data folder)',
    renderTable([
      [
        'Rows',
        'Done at the kill',
        'Post → kill',
        'Kill → restarted',
        'Restarted → next chunk done',
        'Restarted → done',
        'Post → done',
        'Rows/s',
        'Results',
        'Enrollments',
      ],
      [
        formatNumber(figures.rows),
        formatNumber(figures.doneAtKill),
        `${one(figures.secondsToKill)} s`,
        `${one(figures.secondsToRestart)} s`,
        `${one(figures.secondsToResume)} s`,
        `${one(figures.secondsAfterRestart)} s`,
        `${one(figures.totalSeconds)} s`,
        `${one(figures.rowsPerSecond)}/s`,
        formatNumber(figures.results),
        formatNumber(figures.enrollments),
      ],
    ]),
  ].join('\n');

const renderYear = (year: YearFigures) => {
  const s = year.summary;
  return [
    `The Jambi year ${year.year}: ${formatNumber(year.villages)} villages, ${formatNumber(s.workersCovered)} workers, ${formatNumber(s.workerMonths)} worker-months, ${formatNumber(s.invoices)} invoices; ${year.problems.length} problems`,
    renderPhases(groupPhases(year.phases)),
    `  Wall time ${one(year.wallSeconds)} s; peak RSS: Node ${formatNumber(year.peaks.nodeMiB)} MiB, DynamoDB Local ${formatNumber(year.peaks.dynamodbMiB)} MiB`,
  ].join('\n');
};

const kib = (bytes: number) => `${formatNumber(Math.round(bytes / 1024))} KiB`;

const renderFunctions = (figures: readonly FunctionFigures[]) => {
  const withBaseline = figures.some((f) => f.baseline);
  const beforeAfter = (before: string | undefined, after: string) =>
    withBaseline ? `${before ?? '-'} → ${after}` : after;
  return [
    `Functions: deployed bundle (minified ESM, as NodejsFunction builds it) and cold module initialisation (median of 10)${withBaseline ? `; baseline ${values.baseline} → this tree, from one run` : ''}`,
    renderTable([
      [
        'Function',
        'Minified',
        'Gzip',
        'Beside index.mjs',
        'AWS SDK clients',
        'Init, source (tsx)',
        'Init, bundle (node)',
        ...(withBaseline ? ['Init after ÷ before'] : []),
      ],
      ...figures.map((f) => [
        `${f.id}${f.localOnly ? ' (local only)' : ''}`,
        beforeAfter(f.baseline && kib(f.baseline.minifiedBytes), kib(f.minifiedBytes)),
        beforeAfter(f.baseline && kib(f.baseline.gzipBytes), kib(f.gzipBytes)),
        Object.entries(f.assets)
          .map(([name, bytes]) => `${name} ${kib(bytes)}`)
          .join(', ') || '-',
        f.sdkClients.map((c) => c.replace('@aws-sdk/client-', '')).join(', ') || '-',
        `${one(f.sourceInitMs)} ms`,
        beforeAfter(f.baseline && `${one(f.baseline.bundleInitMs)} ms`, `${one(f.bundleInitMs)} ms`),
        ...(withBaseline ? [f.baseline ? two(f.bundleInitMs / f.baseline.bundleInitMs) : '-'] : []),
      ]),
    ]),
  ].join('\n');
};

/** The enrollment levels again on a stack without the reports projector, in a process of its own. */
const enrollmentWithoutReports = async (): Promise<EnrollmentBench> => {
  log('Enrollment throughput without the reports projector (a process of its own)…');
  const out = join(await mkdtemp(join(tmpdir(), 'lindung-bench-')), 'results.json');
  await promisify(execFile)(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(import.meta.url),
      '--only',
      'enrollment',
      '--without-reports',
      '--seconds',
      String(seconds),
      '--out',
      out,
    ],
    { cwd: root, maxBuffer: 16 * 1024 * 1024 },
  );
  return (JSON.parse(await readFile(out, 'utf8')) as { enrollment: EnrollmentBench }).enrollment;
};

const results: Record<string, unknown> = { measuredAt: new Date().toISOString(), machine: await machine() };
const printed: string[] = [];

let importFigures: ImportFigures | undefined;
if (sections.has('enrollment') || sections.has('roll') || importInProcess) {
  log('Starting the local stack…');
  const world = await startWorld({ withoutReports: values['without-reports'] === true });
  results.withoutReports = values['without-reports'] === true;
  results.dynamodbLocal = world.stack.dynamodbVersion;
  // The handlers' own client (module scope in functions/shared/clients.ts), loaded once the stack has set
  // the environment: counting its writes counts what the Lambda functions write.
  const { dynamodbClient } = (await import('../../functions/shared/clients.js')) as {
    dynamodbClient: DynamoDBClient;
  };
  // The stream projector has a client of its own.
  const { dynamodbDocumentClient } = (await import('../../functions/shared/dynamodb.js')) as {
    dynamodbDocumentClient: CountedClient;
  };
  const handlerClients: CountedClient[] = [dynamodbClient, dynamodbDocumentClient];
  const tables = {
    ledger: world.stack.tables.ledger?.name ?? '',
    idempotency: world.stack.tables.idempotency?.name ?? '',
    reports: world.stack.tables.reports?.name ?? '',
  };
  try {
    if (sections.has('enrollment')) {
      log(`Enrollment throughput (${seconds} s a level)…`);
      const enrollment = await benchEnrollment(world, { seconds, log });
      results.enrollment = enrollment;
      const withoutReports = values['without-reports'] ? undefined : await enrollmentWithoutReports();
      if (withoutReports) results.enrollmentWithoutReports = withoutReports;
      printed.push(renderEnrollment(enrollment, tables, withoutReports));
    }
    if (sections.has('roll')) {
      log('Writes per village per period roll…');
      const rolls = await benchRollWrites(world, handlerClients, { log });
      results.rollWrites = rolls;
      printed.push(renderRolls(rolls));
    }
    if (importInProcess) {
      log(`A bulk import job of ${formatNumber(importRows)} rows…`);
      importFigures = await benchImport(world, { rows: importRows, log });
      results.import = importFigures;
    }
  } finally {
    await world.stop();
  }
}

// With the world stopped, so that nothing but the floor's own clients runs beside its DynamoDB Local.
if (importFigures) {
  log("DynamoDB Local's floor for the import (a DynamoDB Local of its own, written by bare clients)…");
  const floor = await benchImportFloor({ log });
  results.importFloor = floor;
  printed.push(renderImport(importFigures, floor));
}

if (sections.has('import') && killAt !== undefined) {
  log(
    `A bulk import job of ${formatNumber(importRows)} rows, kill -9 of the stack at ${formatNumber(killAt)} rows done…`,
  );
  const figures = await benchImportKilled({ rows: importRows, killAt, log });
  results.importKilled = figures;
  printed.push(renderImportKilled(figures));
}

if (sections.has('year')) {
  if (!values['year-json']) log(`The Jambi year over ${yearVillages} villages (a process of its own)…`);
  const year = values['year-json']
    ? await readYear(values['year-json'])
    : await benchYear(yearVillages >= 1_585 ? undefined : yearVillages);
  results.year = year;
  printed.push(renderYear(year));
}

if (sections.has('functions')) {
  log('Bundles and cold starts…');
  const functions = await benchFunctions({ log, baseline: values.baseline });
  results.functions = functions;
  printed.push(renderFunctions(functions));
}

const machineFigures = results.machine as Awaited<ReturnType<typeof machine>>;
results.loadAverageAtEnd = loadavg().map((n) => Math.round(n * 100) / 100);
process.stdout.write(
  `\nLindung benchmarks, ${results.measuredAt}: ${machineFigures.cpus} × ${machineFigures.cpuModel}, ${machineFigures.memoryGiB} GiB, Node ${machineFigures.node}, ${machineFigures.java}${results.dynamodbLocal ? `, DynamoDB Local ${results.dynamodbLocal}` : ''}\nLoad average (1, 5, 15 min) at start ${machineFigures.loadAverageAtStart.join(' ')}, at end ${(results.loadAverageAtEnd as number[]).join(' ')}\n\n${printed.join('\n\n')}\n`,
);
const out = values.out ?? join(root, 'bench', 'results.json');
await mkdir(dirname(out), { recursive: true });
await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
log(`\nWritten to ${out}`);
