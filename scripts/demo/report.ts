/** The demo's summary, for people: the year's figures beside the plan's arithmetic and the published ones. */
import { renderTable } from '@lindung/cli';
import { formatNumber, formatRupiah } from '@lindung/core';
import { addFunctionCounts, type FunctionRequests } from '../../packages/local/src/request-counts.js';
import type { YearResult } from './jambi-year.js';
import type { PhaseFigures } from './phases.js';
import { renderComparison } from './three-way.js';

/** Published figures of Jambi's BKBK programme (see DOMAIN.md for the sources). */
export const PUBLISHED = {
  villages: 1_562,
  workersArticle: 78_000,
  workersPlanned: 76_538,
  workers2022: 76_016,
  spent2022: 15_400_000_000,
} as const;

const FULL_YEAR_PREMIUM = 201_600;

/** Phases of the same kind over the twelve months (`2027-03 enroll`) summed into one row. */
export const groupPhases = (phases: readonly PhaseFigures[]): PhaseFigures[] => {
  const grouped = new Map<string, PhaseFigures & { months: number }>();
  for (const phase of phases) {
    const monthly = /^\d{4}-\d{2} (.+)$/.exec(phase.name)?.[1];
    const name = monthly ? `${monthly} (12 months)` : phase.name;
    const seen = grouped.get(name);
    if (!seen) {
      grouped.set(name, { ...phase, name, counts: { ...phase.counts }, months: 1 });
      continue;
    }
    const counts: Record<string, number> = { ...seen.counts };
    for (const [key, value] of Object.entries(phase.counts)) counts[key] = (counts[key] ?? 0) + value;
    grouped.set(name, {
      name,
      seconds: Math.round((seen.seconds + phase.seconds) * 10) / 10,
      nodePeakMiB: Math.max(seen.nodePeakMiB, phase.nodePeakMiB),
      dynamodbPeakMiB: Math.max(seen.dynamodbPeakMiB, phase.dynamodbPeakMiB),
      nodeCpuSeconds: Math.round((seen.nodeCpuSeconds + phase.nodeCpuSeconds) * 10) / 10,
      dynamodbCpuSeconds: Math.round((seen.dynamodbCpuSeconds + phase.dynamodbCpuSeconds) * 10) / 10,
      counts,
      ...((seen.requests || phase.requests) && {
        requests: addFunctionCounts(seen.requests, phase.requests),
      }),
      months: seen.months + 1,
    });
  }
  return [...grouped.values()].map(({ months: _months, ...phase }) => phase);
};

const seconds = (value: number) => `${value.toLocaleString('id-ID', { maximumFractionDigits: 1 })} s`;

/** The phases as a table: wall time, CPU and peak memory of Node and of DynamoDB Local. */
/** A rate with one decimal below 10 a second (0,4 villages/s, not 0), whole above. */
const rate = (perSecond: number) =>
  perSecond < 10
    ? perSecond.toLocaleString('id-ID', { maximumFractionDigits: 1 })
    : formatNumber(Math.round(perSecond));

export const renderPhases = (phases: readonly PhaseFigures[]): string =>
  renderTable([
    ['Phase', 'Wall time', 'Node CPU', 'DynamoDB CPU', 'Node peak RSS', 'DynamoDB peak RSS', 'Rate'],
    ...phases.map((p) => [
      p.name,
      seconds(p.seconds),
      seconds(p.nodeCpuSeconds),
      seconds(p.dynamodbCpuSeconds),
      `${formatNumber(p.nodePeakMiB)} MiB`,
      `${formatNumber(p.dynamodbPeakMiB)} MiB`,
      p.counts.enrollments !== undefined && p.seconds > 0
        ? `${rate(p.counts.enrollments / p.seconds)} enrollments/s`
        : p.counts.villages !== undefined && p.seconds > 0 && /roll|close/.test(p.name)
          ? `${rate(p.counts.villages / p.seconds)} villages/s`
          : '',
    ]),
  ]);

const tenths = (value: number) => value.toLocaleString('id-ID', { maximumFractionDigits: 1 });

/**
 * AWS requests by function and operation, the busiest function first, also per `unit` (`a village`,
 * `an enrollment`) when `per` is more than 0, with at most `digits` decimals.
 */
export const renderFunctionRequests = (
  requests: FunctionRequests,
  per: number,
  { unit = 'a village', digits = 1 } = {},
): string => {
  const rows = Object.entries(requests)
    .map(([fn, ops]) => ({ fn, ops, n: totalOf(ops) }))
    .sort((a, b) => b.n - a.n);
  const perUnit = (n: number) =>
    per > 0 ? (n / per).toLocaleString('id-ID', { maximumFractionDigits: digits }) : '';
  return renderTable([
    ['Function', 'Requests', `${unit[0]?.toUpperCase()}${unit.slice(1)}`, `Operations (${unit})`],
    ...rows.map(({ fn, ops, n }) => [
      fn,
      formatNumber(n),
      perUnit(n),
      Object.entries(ops)
        .sort(([, a], [, b]) => b - a)
        .map(([op, k]) => `${op} ${per > 0 ? perUnit(k) : formatNumber(k)}`)
        .join(' · '),
    ]),
  ]);
};

const totalOf = (counts: Readonly<Record<string, number>>) =>
  Object.values(counts).reduce((a, b) => a + b, 0);

/**
 * The AWS requests of each phase that counted them (`LINDUNG_REQUEST_COUNTS=1`), by function, per village
 * (or village-month) where the phase names its villages: what a phase costs in requests, and whose they are.
 */
export const renderRequests = (phases: readonly PhaseFigures[]): string[] =>
  phases.flatMap(({ name, requests, counts }) => {
    if (!requests) return [];
    const per = counts.villages ?? 0;
    const all = Object.values(requests).reduce((a, ops) => a + totalOf(ops), 0);
    return [
      `AWS requests in "${name}": ${formatNumber(all)}${per > 0 ? `, ${tenths(all / per)} a village (${formatNumber(per)})` : ''}`,
      renderFunctionRequests(requests, per),
      '',
    ];
  });

/**
 * How many messages each queue consumer took in how many invocations over the year: a consumer fed one
 * message at a time pays its invocation, its receive and its delete for each.
 */
const renderQueueConsumers = ({ queueConsumers = {} }: YearResult): string[] => {
  const consumers = Object.entries(queueConsumers).filter(([, stats]) => stats.batches > 0);
  if (consumers.length === 0) return [];
  return [
    'Queue consumers over the year (an invocation is one batch received, handled and deleted)',
    renderTable([
      ['Function', 'Messages', 'Invocations', 'Messages an invocation', 'Failed'],
      ...consumers.map(([id, stats]) => [
        id,
        formatNumber(stats.delivered),
        formatNumber(stats.batches),
        tenths(stats.delivered / stats.batches),
        formatNumber(stats.failed),
      ]),
    ]),
    '',
  ];
};

/** The reports projector's figures over the year: how large and how slow its batches were. */
const renderProjector = (result: YearResult): string[] => {
  const p = result.projector;
  if (!p) return [];
  return [
    `Reports projector: ${formatNumber(p.delivered)} stream records in ${formatNumber(p.batches)} invocations (at most ${formatNumber(p.largestBatch)} records each); the slowest took ${seconds(p.slowestMs / 1000)} for ${formatNumber(p.slowestRecords)} records; ${formatNumber(p.partialFailures)} cut short to be continued, ${formatNumber(p.errors)} failed, ${formatNumber(p.bisections)} batches split, ${formatNumber(p.failed)} records given up.`,
    '',
  ];
};

/** Dashboard = API = ledger: the three columns at each moment, and how long the reports took to catch up. */
const renderDashboardChecks = (result: YearResult): string[] =>
  result.dashboard.flatMap((check) => [
    `Dashboard = API = ledger, ${check.moment} (the reports ${check.caughtUp ? 'equalled' : 'still differed from'} the ledger ${seconds(check.secondsAfterLastWrite)} after the last write; waited ${seconds(check.waitSeconds)}):`,
    renderComparison(check.comparison),
    check.comparison.differences.length === 0
      ? '  The dashboard, the reports API and the ledger agree to the rupiah.'
      : `  THE DASHBOARD, THE API AND THE LEDGER DISAGREE (${check.comparison.differences.length} values).`,
    ...check.notes.map((n) => `  Note: ${n}.`),
    '',
  ]);

/** The year's summary. */
export const renderYear = (result: YearResult, wallSeconds: number): string => {
  const s = result.summary;
  const fullYear = Math.floor(s.workerMonths / 12);
  const perVillage = Math.floor(10_000_000 / FULL_YEAR_PREMIUM);
  const lines = [
    '',
    `The Jambi BKBK year ${result.year} on the local stack: ${formatNumber(s.villages)} villages of Provinsi Jambi`,
    '',
    renderTable([
      ['', 'This run', 'Quota arithmetic', 'Published'],
      [
        'Villages',
        formatNumber(s.villages),
        formatNumber(s.villages),
        `${formatNumber(PUBLISHED.villages)} (Pergub 16/2022)`,
      ],
      [
        'Money committed',
        formatRupiah(s.committed),
        `${formatNumber(s.villages)} × ${formatRupiah(10_000_000)}`,
        formatRupiah(PUBLISHED.villages * 10_000_000),
      ],
      [
        'Workers covered',
        formatNumber(s.workersCovered),
        `${formatNumber(perVillage * s.villages)} full-year (${perVillage} a village)`,
        `about ${formatNumber(PUBLISHED.workersArticle)}; ${formatNumber(PUBLISHED.workers2022)} in 2022`,
      ],
      ['Worker-months', formatNumber(s.workerMonths), formatNumber(perVillage * 12 * s.villages), ''],
      [
        'Full-year equivalents',
        formatNumber(fullYear),
        formatNumber(perVillage * s.villages),
        formatNumber(PUBLISHED.workersPlanned),
      ],
      [
        'Invoices',
        `${formatNumber(s.invoices)} (${formatNumber(s.invoicesPaid)} paid)`,
        `${formatNumber(s.villages * 12)} (one a village a month)`,
        '',
      ],
      [
        'Money spent',
        formatRupiah(s.spent),
        formatRupiah(perVillage * FULL_YEAR_PREMIUM * s.villages),
        `${formatRupiah(PUBLISHED.spent2022)} in 2022`,
      ],
      [
        'Money released at year end',
        formatRupiah(s.released),
        formatRupiah((10_000_000 - perVillage * FULL_YEAR_PREMIUM) * s.villages),
        '',
      ],
      ['Money left', formatRupiah(s.left + s.reserved), formatRupiah(0), ''],
    ]),
    '',
    `Workers join through the year (a January cohort, then joiners while the quota lasts), so a quota covers more`,
    `people than ${perVillage} full-year workers: ${formatNumber(s.workerMonths)} worker-months at ${formatRupiah(16_800)} = ${formatRupiah(s.workerMonths * 16_800)} spent.`,
    `Every quota was filled until the API refused a worker with quota-exhausted (${formatNumber(s.refusedQuotaFull)} refusals).`,
    '',
    result.problems.length === 0
      ? `Every one of the ${formatNumber(s.villages)} quotas reconciles to the rupiah: spent + released = ${formatRupiah(10_000_000)}, spent = its plan and its invoices, and its ledger agrees with its counters.`
      : `${formatNumber(result.problems.length)} PROBLEMS:\n${result.problems
          .slice(0, 30)
          .map((p) => `  ${p}`)
          .join('\n')}`,
    '',
    ...renderDashboardChecks(result),
    ...renderProjector(result),
    ...renderQueueConsumers(result),
    'Phases',
    renderPhases(groupPhases(result.phases)),
    ...renderRequests(groupPhases(result.phases)),
    '',
    `Wall time ${seconds(wallSeconds)}; peak RSS: Node ${formatNumber(result.peaks.nodeMiB)} MiB, DynamoDB Local ${formatNumber(result.peaks.dynamodbMiB)} MiB`,
    '',
  ];
  return lines.join('\n');
};
