/**
 * `lindung quote`: the budget planner for finance offices. Given a budget — a fixed amount, or a share of
 * a per-village grant — and a benefit package, it tells the premium per worker, how many workers are
 * covered in full for the term, and what is left over. With a per-village grant each village's quota is
 * separate, so the total is per-village workers × villages, not the total budget divided by the price.
 */
import { parseArgs } from 'node:util';
import {
  annualPremium,
  type BasisPoints,
  type BenefitPackage,
  benefitPackage,
  type Capacity,
  capacity,
  coverageCost,
  fiscalYearOf,
  formatNumber,
  formatPercent,
  formatRupiah,
  getRegion,
  mul,
  type Period,
  type PremiumBreakdown,
  parsePercent,
  parsePeriod,
  parseRupiah,
  percentOfGrantBudget,
  percentOfGrantFunding,
  percentToDecimalString,
  periodAt,
  premiumBreakdown,
  type Rupiah,
  ratesFor,
  villagesOf,
} from '@lindung/core';
import { type CliIo, type Command, EXIT_CODES, UsageError } from './command.js';
import { renderTable } from './table.js';

const USAGE = `Usage:
  lindung quote --budget <rupiah> [options]
  lindung quote --grant <rupiah> --percent <percent> (--villages <count> | --region <code>) [options]

How many workers a budget covers in full, and what is left over.

Budget (one of):
  --budget <rupiah>          a fixed budget, e.g. 10000000 or 10.000.000
  --grant <rupiah>           a grant every village receives, e.g. 100000000
    --percent <percent>      the share of each grant that pays premiums, e.g. 10 or 2.5
    --villages <count>       the number of villages receiving the grant, e.g. 1562
    --region <code>          or: every village of a region in idn-area-data, e.g. 15 (Jambi)

Options:
  --declared-income <rupiah> monthly income declared per worker (default: the BPJS minimum, 1000000)
  --programs <list>          comma-separated programmes JKK,JKM[,JHT] (default: JKK,JKM)
  --months <n>               months of coverage per worker, 1-120 (default: 12)
  --start <YYYY-MM>          first month of coverage (default: the current month in Asia/Jakarta)
  --json                     print JSON for machines instead of a table
  -h, --help                 show this help

Example (Jambi, BKBK 2022):
  lindung quote --grant 100000000 --percent 10 --villages 1562 --months 12`;

const MAX_MONTHS = 120;

/** A budget to quote: a fixed amount, or a percentage of a grant to each of a number of villages. */
export type QuoteFunding =
  | { readonly kind: 'fixed'; readonly amount: Rupiah }
  | {
      readonly kind: 'percent-of-grant';
      readonly grantPerVillage: Rupiah;
      readonly percent: BasisPoints;
      readonly villages: number;
      readonly region?: { readonly code: string; readonly name: string };
    };

/** Everything a quote is computed from. */
export interface QuoteInput {
  readonly funding: QuoteFunding;
  readonly benefit: BenefitPackage;
  readonly start: Period;
  readonly months: number;
}

/** Budget, workers and leftover of one pot of money. */
export interface QuoteFigures {
  readonly budget: Rupiah;
  readonly workers: number;
  readonly leftover: Rupiah;
}

/** A computed quote; this is also the `--json` output. */
export interface QuoteResult {
  readonly programs: readonly string[];
  readonly declaredIncome: Rupiah;
  readonly startPeriod: Period;
  readonly months: number;
  readonly premiumBreakdown: Readonly<Record<string, Rupiah>>;
  readonly monthlyPremium: Rupiah;
  /** The premium of the full fiscal year of the start period, January–December. */
  readonly annualPremium: Rupiah;
  /** The premium of one worker for `months` months from the start period. */
  readonly costPerWorker: Rupiah;
  readonly funding:
    | { readonly kind: 'fixed'; readonly amount: Rupiah }
    | {
        readonly kind: 'percent-of-grant';
        readonly grantPerVillage: Rupiah;
        readonly percent: string;
        readonly villages: number;
        readonly region: { readonly code: string; readonly name: string } | null;
      };
  /** Per-village figures of a percent-of-grant budget; `null` for a fixed budget. */
  readonly perVillage: QuoteFigures | null;
  readonly total: QuoteFigures;
}

/** Computes a quote (pure: no clock, no I/O). */
export function computeQuote(input: QuoteInput): QuoteResult {
  const { benefit, start, months, funding } = input;
  const breakdown: PremiumBreakdown = premiumBreakdown(benefit, start);
  const costPerWorker = coverageCost(benefit, start, months);
  const common = {
    programs: benefit.programs,
    declaredIncome: benefit.declaredIncome,
    startPeriod: start,
    months,
    premiumBreakdown: Object.fromEntries(breakdown.items.map((item) => [item.program, item.amount])),
    monthlyPremium: breakdown.total,
    annualPremium: annualPremium(benefit, fiscalYearOf(start)),
    costPerWorker,
  };
  if (funding.kind === 'fixed') {
    return {
      ...common,
      funding: { kind: 'fixed', amount: funding.amount },
      perVillage: null,
      total: figures(capacity(funding.amount, costPerWorker)),
    };
  }
  const rule = percentOfGrantFunding(funding.grantPerVillage, funding.percent);
  const budget = percentOfGrantBudget(rule, funding.villages);
  const perVillage = capacity(budget.perVillage, costPerWorker);
  return {
    ...common,
    funding: {
      kind: 'percent-of-grant',
      grantPerVillage: funding.grantPerVillage,
      percent: percentToDecimalString(funding.percent),
      villages: funding.villages,
      region: funding.region ?? null,
    },
    perVillage: figures(perVillage),
    total: {
      budget: budget.total,
      workers: perVillage.workers * funding.villages,
      leftover: mul(perVillage.leftover, funding.villages),
    },
  };
}

function figures(result: Capacity): QuoteFigures {
  return { budget: result.budget, workers: result.workers, leftover: result.leftover };
}

/** Renders a quote as the human-readable table, with Indonesian number formatting. */
export function renderQuote(result: QuoteResult): string {
  const monthsLabel = `${result.months} month${result.months === 1 ? '' : 's'} from ${result.startPeriod}`;
  const lines = [
    `Quote: ${result.programs.join(' + ')} on a declared income of ${formatRupiah(result.declaredIncome)}, ${monthsLabel}`,
    '',
    'Premium per worker',
    renderTable([
      ...Object.entries(result.premiumBreakdown).map(([program, amount]) => [
        `${program} per month`,
        formatRupiah(amount),
      ]),
      ['Monthly premium', formatRupiah(result.monthlyPremium)],
      [
        `Annual premium (fiscal year ${fiscalYearOf(result.startPeriod)})`,
        formatRupiah(result.annualPremium),
      ],
      [`Cost per worker, ${monthsLabel}`, formatRupiah(result.costPerWorker)],
    ]),
    '',
  ];
  const { funding, perVillage, total } = result;
  if (funding.kind === 'fixed' || perVillage === null) {
    lines.push(
      'Budget',
      renderTable([
        ['Budget', formatRupiah(total.budget)],
        ['Workers fully covered', formatNumber(total.workers)],
        ['Leftover', formatRupiah(total.leftover)],
      ]),
    );
  } else {
    const where = funding.region
      ? `the ${formatNumber(funding.villages)} villages of ${funding.region.name} (${funding.region.code})`
      : `${formatNumber(funding.villages)} villages`;
    const percent = formatPercent(parsePercent(funding.percent));
    lines.push(
      `Budget: ${percent} of a ${formatRupiah(funding.grantPerVillage)} grant to each of ${where}`,
      renderTable([
        ['', 'Per village', `Total (${formatNumber(funding.villages)} villages)`],
        ['Budget', formatRupiah(perVillage.budget), formatRupiah(total.budget)],
        ['Workers fully covered', formatNumber(perVillage.workers), formatNumber(total.workers)],
        ['Leftover', formatRupiah(perVillage.leftover), formatRupiah(total.leftover)],
      ]),
    );
  }
  return `${lines.join('\n')}\n`;
}

const OPTIONS = {
  budget: { type: 'string' },
  grant: { type: 'string' },
  percent: { type: 'string' },
  villages: { type: 'string' },
  region: { type: 'string' },
  'declared-income': { type: 'string' },
  programs: { type: 'string' },
  months: { type: 'string' },
  start: { type: 'string' },
  json: { type: 'boolean' },
} as const;

function parseQuoteArgs(args: readonly string[]) {
  return parseArgs({ args: [...args], options: OPTIONS, strict: true, allowPositionals: false }).values;
}

type QuoteValues = ReturnType<typeof parseQuoteArgs>;

function wholeNumber(text: string, option: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(text.trim()))
    throw new UsageError(`--${option} must be a whole number, got ${JSON.stringify(text)}`);
  const value = Number(text.trim());
  if (value < min || value > max)
    throw new UsageError(`--${option} must be from ${min} to ${max}, got ${value}`);
  return value;
}

function readFunding(values: QuoteValues): QuoteFunding {
  const grantOnly = (['percent', 'villages', 'region'] as const).filter((name) => values[name] !== undefined);
  if (values.budget !== undefined) {
    if (values.grant !== undefined) throw new UsageError('give either --budget or --grant, not both');
    if (grantOnly.length > 0) throw new UsageError(`--${grantOnly[0]} applies only with --grant`);
    return { kind: 'fixed', amount: parseRupiah(values.budget, '--budget') };
  }
  if (values.grant === undefined) throw new UsageError('give a budget: --budget, or --grant with --percent');
  if (values.percent === undefined) throw new UsageError('--grant needs --percent');
  if ((values.villages === undefined) === (values.region === undefined)) {
    throw new UsageError('--grant needs either --villages or --region (one of them)');
  }
  const grantPerVillage = parseRupiah(values.grant, '--grant');
  const percent = parsePercent(values.percent, '--percent');
  if (values.villages !== undefined) {
    return {
      kind: 'percent-of-grant',
      grantPerVillage,
      percent,
      villages: wholeNumber(values.villages, 'villages', 1),
    };
  }
  const region = getRegion(values.region ?? '');
  const villages = villagesOf(region.code).length;
  if (villages === 0) throw new UsageError(`region ${region.code} (${region.name}) has no villages`);
  return {
    kind: 'percent-of-grant',
    grantPerVillage,
    percent,
    villages,
    region: { code: region.code, name: region.name },
  };
}

function readInput(values: QuoteValues, now: Date): QuoteInput {
  const start = values.start === undefined ? periodAt(now) : parsePeriod(values.start, '--start');
  const months = values.months === undefined ? 12 : wholeNumber(values.months, 'months', 1, MAX_MONTHS);
  const declaredIncome =
    values['declared-income'] === undefined
      ? ratesFor(start).minimumDeclaredIncome
      : parseRupiah(values['declared-income'], '--declared-income');
  const programs = (values.programs ?? 'JKK,JKM')
    .split(',')
    .map((program) => program.trim().toUpperCase())
    .filter((program) => program !== '');
  const benefit = benefitPackage({ programs, declaredIncome }, start);
  return { funding: readFunding(values), benefit, start, months };
}

/** `lindung quote`. */
export const quoteCommand: Command = {
  summary: 'how many workers a budget covers, per village and in total',
  usage: USAGE,
  run(args: readonly string[], io: CliIo): number {
    const values = parseQuoteArgs(args);
    const result = computeQuote(readInput(values, io.now?.() ?? new Date()));
    io.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : renderQuote(result));
    return EXIT_CODES.ok;
  },
};
