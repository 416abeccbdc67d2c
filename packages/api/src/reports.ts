/**
 * The report use cases: coverage against target per region, budget burn and forecast per commitment, and a
 * commitment's workers in one village. They read the reporting read model (packages/store reports.ts),
 * which the stream projector keeps, never the ledger's counters one village at a time.
 */
import {
  annualPremium,
  benefitPackage,
  fiscalYearPeriods,
  forecastCoverage,
  MANDATORY_PROGRAMS,
  mapConcurrently,
  type Period,
  villageCode as parseVillageCode,
  periodAt,
  periodOf,
  periodParts,
  targetOutlook,
} from '@lindung/core';
import {
  type CommitmentRepository,
  commitmentScope,
  type EnrollmentRepository,
  goalWorkers,
  type IncentiveAwardRecord,
  type IncentiveRepository,
  NATIONAL,
  type RegionFigures,
  type ReportsRepository,
  type Rollup,
  reportLevelOf,
  type StoredEnrollment,
  type StoredGoal,
  sponsorScope,
  toEnrollment,
  yearScope,
} from '@lindung/store';
import * as z from 'zod/mini';
import { authorize, type Principal } from './auth.js';
import { queryInteger } from './schemas.js';
import { regionNameOf, targetSetOf } from './targets.js';

export interface ReportServices {
  readonly reports: ReportsRepository;
  readonly commitments: CommitmentRepository;
  readonly enrollments: EnrollmentRepository;
  /** Where a sponsor's incentive awards are read from, for its coverage report; without it none is shown. */
  readonly incentives?: IncentiveRepository;
}

const region = z
  .string()
  .check(
    z.regex(/^(ID|\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?)$/),
    z.describe('ID (national), or a region code such as 15, 15.71, 15.71.01 or 15.71.01.1001'),
  );
const id = z.string().check(z.minLength(1), z.maxLength(64));

export const coverageQuery = z.strictObject({
  region: z
    .optional(region)
    .check(z.describe("Default: the sponsor's region, the operator's village, or ID")),
  sponsorId: z
    .optional(id)
    .check(z.describe("One sponsor's figures (a sponsor's own users get theirs by default)")),
  fiscalYear: z
    .optional(queryInteger(2020, 2100))
    .check(
      z.describe(
        'Default: the running year if a commitment of it is approved, else the latest with an approved commitment',
      ),
    ),
  children: z
    ._default(z.enum(['regions', 'villages']), 'regions')
    .check(z.describe('`villages`: every village under the region instead of its child regions')),
});

export const budgetQuery = z.strictObject({ commitmentId: id });

export const reportWorkersQuery = z.strictObject({
  commitmentId: id,
  villageCode: z.string().check(z.regex(/^\d{2}\.\d{2}\.\d{2}\.\d{4}$/)),
});

export type CoverageQuery = z.infer<typeof coverageQuery>;
export type BudgetQuery = z.infer<typeof budgetQuery>;
export type ReportWorkersQuery = z.infer<typeof reportWorkersQuery>;

const SPONSOR_ROLES = ['sponsor-officer', 'sponsor-approver'] as const;

/** Coverage in percent of the target, one decimal; `null` without a target. */
const coveragePercent = (covered: number, target: number) =>
  target > 0 ? Math.round((covered * 1000) / target) / 10 : null;

const regionName = (code: string, level: RegionFigures['level']) =>
  level === 'commitment' ? code : regionNameOf(code);

/** What the coverage report measures a region by: the targets set for the year, a year's premium, the months. */
interface Measure {
  readonly goals: ReadonlyMap<string, StoredGoal>;
  readonly costPerWorker: number;
  readonly fiscalYear: number;
  /** The months of the fiscal year measured so far: to the current month, or all twelve once it is over. */
  readonly periods: readonly Period[];
  /** A sponsor's incentive awards of the year, in a sponsor's report. */
  readonly awards?: readonly IncentiveAwardRecord[];
}

/** Incentive money and extra quota awarded to a region (or to regions within it). */
type Awarded = { readonly money: number; readonly quota: number };

/**
 * What a sponsor's incentive schemes of a fiscal year awarded (funded awards only): one query of its schemes
 * and one of each scheme's awards, a handful per year.
 */
const sponsorAwards = async (
  services: ReportServices,
  sponsorId: string,
  fiscalYear: number,
): Promise<IncentiveAwardRecord[] | undefined> => {
  if (!services.incentives) return undefined;
  const { incentives } = services;
  const schemes = (await incentives.ofSponsor(sponsorId)).filter((s) => s.fiscalYear === fiscalYear);
  const awards = await mapConcurrently(schemes, 8, (scheme) => incentives.awards(scheme.id));
  return awards.flat().filter((a) => a.status === 'awarded');
};

/** The awards to `code` or to regions within it (the national root holds them all). */
const awardedTo = (awards: readonly IncentiveAwardRecord[], code: string): Awarded => {
  const within = awards.filter(
    (a) => code === NATIONAL || a.regionCode === code || a.regionCode.startsWith(`${code}.`),
  );
  const total = (kind: IncentiveAwardRecord['kind']) =>
    within.filter((a) => a.kind === kind).reduce((sum, a) => sum + a.amount, 0);
  return { money: total('money'), quota: total('quota') };
};

/** The workers covered in each month measured. */
const trendOf = (rollup: Rollup, periods: readonly Period[]) =>
  periods.map((period) => ({ period, covered: rollup.months[period] ?? 0 }));

/**
 * The months of `fiscalYear` measured so far: up to the current month in Jakarta, or up to the last month the
 * roll has spent money for in the region if that is later (a year rolled ahead of the calendar, as the local
 * stack's demo and tests do). None before the year begins.
 */
const periodsSoFar = (fiscalYear: number, region: Rollup): Period[] => {
  const rolled = Object.keys(region.burn).filter((period) => (region.burn[period] ?? 0) > 0);
  const latest = [periodAt(Date.now()), ...rolled].sort().at(-1) ?? '';
  return fiscalYearPeriods(fiscalYear).filter((period) => period <= latest);
};

/**
 * The figures of a region as the API shows them: measured against the target set for it, or else against
 * its vulnerable workers; the gap and what covering it costs a year at the JKK + JKM minimum premium.
 */
const figures = ({ code, level, rollup, target: vulnerable }: RegionFigures, measure: Measure) => {
  const goal = measure.goals.get(code);
  const target = goal ? goalWorkers(goal, vulnerable) : vulnerable;
  const gap = Math.max(0, target - rollup.covered);
  return {
    code,
    name: regionName(code, level),
    level,
    target,
    vulnerableWorkers: vulnerable,
    targetSet: goal ? targetSetOf(goal) : null,
    gap,
    gapCost: gap * measure.costPerWorker,
    outlook: targetOutlook(trendOf(rollup, measure.periods), target, measure.fiscalYear),
    covered: rollup.covered,
    coveragePercent: coveragePercent(rollup.covered, target),
    committed: rollup.committed,
    allocated: rollup.allocated,
    reserved: rollup.reserved,
    spent: rollup.spent,
    released: rollup.released,
    remaining: rollup.remaining,
    /** Quota used: reserved for enrolled workers, or spent. */
    used: rollup.reserved + rollup.spent,
    quotas: rollup.quotas,
    invoices: rollup.invoices,
    ...(measure.awards && level !== 'commitment' && { awarded: awardedTo(measure.awards, code) }),
  };
};

/**
 * The fiscal year a report opens on when none is asked for: the running year if a commitment of it is approved,
 * else the newest year with an approved commitment (a budget drafted for next year in December, or one with no
 * worker yet, does not turn the dashboard to an empty year), else the newest year with figures, else this one.
 */
const openingYear = async (services: ReportServices, years: readonly number[], sponsorId?: string) => {
  const running = periodParts(periodAt(Date.now())).year;
  const approved = async (year: number) =>
    (await services.reports.commitments(year, sponsorId)).some(
      (c) => c.status === 'active' || c.status === 'closed',
    );
  const candidates = years.includes(running) ? [running, ...years.filter((y) => y !== running)] : years;
  for (const year of candidates) if (await approved(year)) return year;
  return years[0] ?? running;
};

/**
 * Coverage against target of a region and of each of its child regions (or of every village under it), in
 * one sponsor's figures or in every sponsor's, for a fiscal year.
 */
export const coverageReport = async (
  services: ReportServices,
  principal: Principal,
  query: CoverageQuery,
) => {
  const isSponsorUser = SPONSOR_ROLES.some((role) => principal.roles.has(role));
  const sponsorId = query.sponsorId ?? (isSponsorUser ? principal.sponsorId : undefined);
  const regional = principal.roles.has('regional-office') ? principal.regionCodes?.[0] : undefined;
  let code = query.region ?? regional;
  if (code === undefined && !sponsorId && principal.villageCodes.length > 0) code = principal.villageCodes[0];
  const villageCode = code && code !== NATIONAL && reportLevelOf(code) === 'village' ? code : undefined;
  authorize(principal, 'coverageReport', {
    ...(sponsorId && { sponsorId }),
    ...(villageCode && { villageCode }),
    ...(code && { regionCode: code }),
  });
  if (code === undefined) {
    code = (sponsorId && (await services.commitments.getSponsor(sponsorId))?.regionCode) || NATIONAL;
  }
  const fiscalYears = await services.reports.fiscalYears(sponsorId);
  const fiscalYear = query.fiscalYear ?? (await openingYear(services, fiscalYears, sponsorId));
  const scope = sponsorId ? sponsorScope(sponsorId, fiscalYear) : yearScope(fiscalYear);
  const { region: node, children } = await services.reports.regionAndChildren(
    scope,
    code,
    query.children === 'villages' ? 'villages' : 'children',
  );
  // Who may see the region's figures may see its commitments, except an operator (who sees only a village);
  // a regional office sees those of the sponsors within the region, side by side.
  const nationwide = principal.roles.has('auditor') || principal.roles.has('admin');
  const seesCommitments = sponsorId !== undefined || nationwide || regional !== undefined;
  const reported = seesCommitments ? await services.reports.commitments(fiscalYear, sponsorId) : [];
  // Names for the first 50 sponsors nationwide; a regional office needs every sponsor's region to filter.
  const sponsorIds = [...new Set(reported.map((c) => c.sponsorId))];
  const sponsors = new Map(
    await mapConcurrently(
      sponsorId !== undefined || nationwide ? sponsorIds.slice(0, 50) : sponsorIds,
      16,
      async (sid) => [sid, await services.commitments.getSponsor(sid)] as const,
    ),
  );
  // A sponsor of the region, of a region within it, or of one around it (a province over a regency's view).
  const overlaps = (sid: string) => {
    const a = sponsors.get(sid)?.regionCode;
    const b = code ?? NATIONAL;
    return a !== undefined && (a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`));
  };
  const commitments =
    sponsorId !== undefined || nationwide ? reported : reported.filter((c) => overlaps(c.sponsorId));
  const sponsorNames = new Map([...sponsors].map(([sid, sponsor]) => [sid, sponsor?.name]));
  const regions = [node, ...children].filter((r) => r.level !== 'commitment').map((r) => r.code);
  const measure: Measure = {
    goals: await services.reports.goals(fiscalYear, regions),
    costPerWorker: annualPremium(
      benefitPackage({ programs: MANDATORY_PROGRAMS, declaredIncome: 1_000_000 }, periodOf(fiscalYear, 1)),
      fiscalYear,
    ),
    fiscalYear,
    periods: periodsSoFar(fiscalYear, node.rollup),
    ...(sponsorId && { awards: await sponsorAwards(services, sponsorId, fiscalYear) }),
  };
  return {
    fiscalYear,
    fiscalYears: fiscalYears.includes(fiscalYear) ? fiscalYears : [fiscalYear, ...fiscalYears],
    ...(sponsorId && { sponsorId }),
    region: figures(node, measure),
    trend: trendOf(node.rollup, measure.periods),
    children: children.map((child) => figures(child, measure)),
    commitments: commitments.map((c) => ({ ...c, sponsorName: sponsorNames.get(c.sponsorId) ?? null })),
  };
};

/** A commitment's budget: committed to remaining, spent per period of its fiscal year, and the forecast. */
export const budgetReport = async (services: ReportServices, principal: Principal, query: BudgetQuery) => {
  const commitment = await services.commitments.require(query.commitmentId);
  authorize(principal, 'budgetReport', { sponsorId: commitment.sponsorId });
  const { rollup } = await services.reports.region(
    commitmentScope(commitment.id, commitment.fiscalYear),
    NATIONAL,
  );
  let cumulative = 0;
  const burn = fiscalYearPeriods(commitment.fiscalYear).map((period) => {
    const spent = rollup.burn[period] ?? 0;
    cumulative += spent;
    return { period, spent, cumulativeSpent: cumulative };
  });
  return {
    commitmentId: commitment.id,
    sponsorId: commitment.sponsorId,
    fiscalYear: commitment.fiscalYear,
    status: commitment.status,
    committed: rollup.committed,
    allocated: rollup.allocated,
    awarded: { money: commitment.awarded ?? 0, quota: commitment.awardedQuota ?? 0 },
    unallocated: rollup.committed - rollup.allocated - (commitment.awarded ?? 0),
    reserved: rollup.reserved,
    spent: rollup.spent,
    released: rollup.released,
    remaining: rollup.remaining,
    covered: rollup.covered,
    villages: rollup.quotas,
    invoices: rollup.invoices,
    burn,
    forecast: forecastCoverage(burn, rollup.remaining + rollup.reserved, commitment.fiscalYear),
  };
};

/** A commitment's workers in one village, NIK masked: for its sponsor, the village's operator, auditors. */
export const reportWorkers = async (
  services: ReportServices,
  principal: Principal,
  query: ReportWorkersQuery,
) => {
  const villageCode = parseVillageCode(query.villageCode);
  const commitment = await services.commitments.require(query.commitmentId);
  authorize(principal, 'reportWorkers', { sponsorId: commitment.sponsorId, villageCode });
  const stored: StoredEnrollment[] = await services.enrollments.ofAllocation(commitment.id, villageCode);
  const items = stored
    .map((e) => toEnrollment(e as unknown as Record<string, unknown>))
    .sort((a, b) =>
      a.startPeriod < b.startPeriod ? -1 : a.startPeriod > b.startPeriod ? 1 : a.id < b.id ? -1 : 1,
    );
  return { commitmentId: commitment.id, villageCode, items };
};
