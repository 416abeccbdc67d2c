/**
 * The planner's question, asked of the API: how many more workers must a region cover to reach its target,
 * what does that cost a year, and how does it split over the child regions by their vulnerable workers (the
 * counts imported with `lindung import targets`)? Covered is the region's figure in Lindung's reports unless
 * the caller gives the region's whole covered count (BPJS's own figure, which includes workers Lindung does not
 * pay for).
 */
import {
  annualPremium,
  benefitPackage,
  type CoverageTarget,
  findRegion,
  type PlanRegion,
  parsePercent,
  periodAt,
  periodOf,
  periodParts,
  planCoverage,
  ValidationError,
} from '@lindung/core';
import { NATIONAL, type ReportScope, sponsorScope, yearScope } from '@lindung/store';
import * as z from 'zod/mini';
import { authorize, type Principal } from './auth.js';
import type { ReportServices } from './reports.js';
import { queryInteger } from './schemas.js';
import { regionNameOf } from './targets.js';

const WORKERS_MAX = 300_000_000;

export const planQuery = z.strictObject({
  region: z
    .string()
    .check(
      z.regex(/^(ID|\d{2}(\.\d{2}(\.\d{2})?)?)$/),
      z.describe('ID (national), a province (16), a regency/city (16.71) or a district (16.71.01)'),
    ),
  fiscalYear: z.optional(queryInteger(2020, 2100)).check(z.describe('Default: the current year')),
  targetPercent: z
    .optional(z.string().check(z.maxLength(8)))
    .check(z.describe('The target as a share of `workers`, e.g. 50 or 37,5 (needs `workers`)')),
  workers: z
    .optional(queryInteger(0, WORKERS_MAX))
    .check(z.describe('The region’s workers, the base of `targetPercent`')),
  targetWorkers: z
    .optional(queryInteger(0, WORKERS_MAX))
    .check(z.describe('The target as a number of workers (instead of `targetPercent`)')),
  covered: z
    .optional(queryInteger(0, WORKERS_MAX))
    .check(z.describe('Workers covered now; default: the region’s covered workers in Lindung')),
  sponsorId: z
    .optional(z.string().check(z.minLength(1), z.maxLength(64)))
    .check(z.describe('Lindung’s covered figure of one sponsor (a sponsor’s own users get theirs)')),
  declaredIncome: z
    .optional(queryInteger(0, 1_000_000_000))
    .check(z.describe('The declared income the premium is priced at; default: the minimum')),
  jht: z
    ._default(z.enum(['true', 'false']), 'false')
    .check(z.describe('Price JKK + JKM + JHT instead of JKK + JKM')),
});

export type PlanQuery = z.infer<typeof planQuery>;

const SPONSOR_ROLES = ['sponsor-officer', 'sponsor-approver'] as const;

const targetOf = (query: PlanQuery): CoverageTarget => {
  if ((query.targetPercent === undefined) === (query.targetWorkers === undefined)) {
    throw ValidationError.forField(
      'targetPercent',
      'give either targetPercent (with workers) or targetWorkers',
    );
  }
  if (query.targetWorkers !== undefined) return { kind: 'workers', workers: query.targetWorkers };
  if (query.workers === undefined) {
    throw ValidationError.forField('workers', 'is needed with targetPercent: the workers it is a share of');
  }
  return {
    kind: 'percent',
    share: parsePercent(query.targetPercent ?? '', 'targetPercent'),
    of: query.workers,
  };
};

/** The way to a region's target: gap, yearly cost, and the split over its child regions. */
export const planReport = async (services: ReportServices, principal: Principal, query: PlanQuery) => {
  const isSponsorUser = SPONSOR_ROLES.some((role) => principal.roles.has(role));
  const sponsorId = query.sponsorId ?? (isSponsorUser ? principal.sponsorId : undefined);
  authorize(principal, 'planReport', { ...(sponsorId && { sponsorId }), regionCode: query.region });
  if (query.region !== NATIONAL && !findRegion(query.region)) {
    throw ValidationError.forField('region', `no region ${query.region}`);
  }
  const target = targetOf(query);
  const fiscalYear = query.fiscalYear ?? periodParts(periodAt(Date.now())).year;
  const benefit = benefitPackage(
    {
      programs: query.jht === 'true' ? ['JKK', 'JKM', 'JHT'] : ['JKK', 'JKM'],
      declaredIncome: query.declaredIncome ?? 1_000_000,
    },
    periodOf(fiscalYear, 1),
  );
  const scope: ReportScope = sponsorId ? sponsorScope(sponsorId, fiscalYear) : yearScope(fiscalYear);
  const { region: node, children } = await services.reports.regionAndChildren(scope, query.region);
  const covered = query.covered ?? node.rollup.covered;
  const regions: PlanRegion[] = children.map((child) => ({
    code: child.code,
    vulnerableWorkers: child.target,
  }));
  const plan = planCoverage(target, covered, annualPremium(benefit, fiscalYear), regions);
  return {
    fiscalYear,
    region: { code: query.region, name: regionNameOf(query.region), vulnerableWorkers: node.target },
    ...(sponsorId && { sponsorId }),
    benefit,
    targetPercent: target.kind === 'percent' ? target.share / 100 : null,
    workers: query.workers ?? null,
    targetWorkers: plan.targetWorkers,
    covered: plan.covered,
    coveredFrom: query.covered === undefined ? ('lindung' as const) : ('query' as const),
    gap: plan.gap,
    costPerWorker: plan.costPerWorker,
    cost: plan.cost,
    regions: plan.regions.map((region) => ({ ...region, name: regionNameOf(region.code) })),
  };
};
