/**
 * `lindung plan`: the planner's question for a region — how many more workers reach its coverage target, what
 * that costs a year, and how it splits over the child regions by their vulnerable workers. Asked of the API
 * (`GET /v1/reports/plan`), which knows the vulnerable workers imported with `lindung import targets` and the
 * workers Lindung covers.
 */
import { parseArgs } from 'node:util';
import type { operations, Schemas } from '@lindung/api-client';
import { formatNumber, formatRupiah } from '@lindung/core';
import { type CliIo, type Command, EXIT_CODES, UsageError } from './command.js';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, connect } from './http.js';
import { renderTable } from './table.js';

const USAGE = `Usage:
  lindung plan --region <code> (--target <percent> --workers <n> | --target-workers <n>) [options]

What reaching a region's coverage target costs a year: the workers still to cover, their premium for the
fiscal year, and the split over the child regions in proportion to their vulnerable workers (as imported
with \`lindung import targets\`).

Options:
  --region <code>            ID, a province (16), a regency/city (16.71) or a district (16.71.01)
  --target <percent>         the target as a share of --workers, e.g. 50 or 37,5
  --workers <n>              the region's workers (the base of --target)
  --target-workers <n>       the target as a number of workers instead
  --covered <n>              workers covered now (default: those Lindung covers in the region)
  --year <yyyy>              the fiscal year (default: this year)
  --declared-income <rp>     the declared income priced (default: the minimum, 1000000)
  --jht                      price JKK + JKM + JHT (default: JKK + JKM)
  --sponsor <id>             Lindung's covered figure of one sponsor
  -h, --help                 show this help

${CONNECTION_USAGE}`;

/** What `GET /v1/reports/plan` answers. */
export type CoveragePlan = Schemas['CoveragePlan'];

/** The plan, in words and a table. */
export const renderPlan = (plan: CoveragePlan): string => {
  const target =
    plan.targetPercent === null
      ? `${formatNumber(plan.targetWorkers)} workers`
      : `${String(plan.targetPercent).replace('.', ',')}% of ${formatNumber(plan.workers ?? 0)} workers = ${formatNumber(plan.targetWorkers)}`;
  const lines = [
    `${plan.region.name} (${plan.region.code}), fiscal year ${plan.fiscalYear}: target ${target}.`,
    `Covered now: ${formatNumber(plan.covered)} (${plan.coveredFrom === 'lindung' ? 'in Lindung' : 'as given'}).`,
    plan.gap === 0
      ? 'The target is reached: no more workers are needed.'
      : `${formatNumber(plan.gap)} more workers at ${formatRupiah(plan.costPerWorker)} a year each (${plan.benefit.programs.join(' + ')}) cost ${formatRupiah(plan.cost)} a year.`,
  ];
  if (plan.regions.length > 0) {
    const rows = [
      ['region', 'vulnerable workers', 'more workers', 'cost a year'],
      ...plan.regions.map((r) => [
        `${r.code} ${r.name}`,
        formatNumber(r.vulnerableWorkers),
        formatNumber(r.workers),
        formatRupiah(r.cost),
      ]),
    ];
    lines.push('', 'Split by vulnerable workers:', renderTable(rows));
  } else if (plan.gap > 0) {
    lines.push('No vulnerable workers are on record for its child regions: no split.');
  }
  return `${lines.join('\n')}\n`;
};

const OPTIONS = {
  region: { type: 'string' },
  target: { type: 'string' },
  workers: { type: 'string' },
  'target-workers': { type: 'string' },
  covered: { type: 'string' },
  year: { type: 'string' },
  'declared-income': { type: 'string' },
  jht: { type: 'boolean' },
  sponsor: { type: 'string' },
  ...CONNECTION_OPTIONS,
} as const;

/** A whole number written with or without Indonesian thousands dots (2.800.000). */
const wholeNumber = (text: string | undefined, option: string): string | undefined => {
  if (text === undefined) return undefined;
  const plain = text.replace(/\./g, '');
  if (!/^\d{1,12}$/.test(plain)) throw new UsageError(`${option} must be a whole number, got ${text}`);
  return plain;
};

/** `lindung plan`. */
export const planCommand: Command = {
  summary: 'what reaching a region’s coverage target costs, split over its child regions',
  usage: USAGE,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const { values } = parseArgs({ args: [...args], options: OPTIONS, strict: true });
    if (!values.region) throw new UsageError('--region is required');
    if ((values.target === undefined) === (values['target-workers'] === undefined)) {
      throw new UsageError('give either --target (with --workers) or --target-workers');
    }
    if (values.target !== undefined && values.workers === undefined) {
      throw new UsageError('--target needs --workers: the workers it is a share of');
    }
    const query = Object.fromEntries(
      Object.entries({
        region: values.region,
        targetPercent: values.target,
        workers: wholeNumber(values.workers, '--workers'),
        targetWorkers: wholeNumber(values['target-workers'], '--target-workers'),
        covered: wholeNumber(values.covered, '--covered'),
        fiscalYear: wholeNumber(values.year, '--year'),
        declaredIncome: wholeNumber(values['declared-income'], '--declared-income'),
        sponsorId: values.sponsor,
        ...(values.jht && { jht: 'true' }),
      }).filter(([, value]) => value !== undefined),
    );
    const client = await connect(values, { roles: ['auditor'] }, io);
    const plan = await client.send(
      client.api.GET('/v1/reports/plan', {
        params: { query: query as unknown as operations['planReport']['parameters']['query'] },
      }),
    );
    io.stdout.write(renderPlan(plan));
    return EXIT_CODES.ok;
  },
};
