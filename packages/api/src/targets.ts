/**
 * Coverage targets per region and fiscal year (issue 19), set through the API: a number of workers, or a
 * share of the region's vulnerable workers. An administrator sets any region's; a sponsor's officer sets the
 * targets of regions within its sponsor's region. The coverage report measures a region against its target,
 * or against its vulnerable workers when none is set.
 */
import {
  ForbiddenError,
  findRegion,
  isWithinRegion,
  parsePercent,
  type RegionCode,
  ValidationError,
} from '@lindung/core';
import { type CoverageGoal, goalWorkers, NATIONAL, type StoredGoal, yearScope } from '@lindung/store';
import * as z from 'zod/mini';
import { authorize, type Principal, type Role } from './auth.js';
import type { ReportServices } from './reports.js';

export const targetParams = z.strictObject({
  code: z.string().check(z.regex(/^(ID|\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?)$/)),
  fiscalYear: z.coerce.number().check(z.int(), z.minimum(2020), z.maximum(2100)),
});

export const setTargetBody = z.union([
  z.strictObject({
    workers: z.int().check(z.minimum(0), z.maximum(300_000_000), z.describe('The target in workers')),
  }),
  z.strictObject({
    percent: z
      .string()
      .check(
        z.maxLength(8),
        z.describe('The target as a share of the region’s vulnerable workers: 50, 37,5'),
      ),
  }),
]);

export type TargetParams = z.infer<typeof targetParams>;
export type SetTargetBody = z.infer<typeof setTargetBody>;

const goalOfBody = (body: SetTargetBody): CoverageGoal =>
  'workers' in body
    ? { kind: 'workers', workers: body.workers }
    : { kind: 'percent', basisPoints: parsePercent(body.percent, 'percent') };

/** A region must exist; a sponsor's officer may only touch regions within its sponsor's region. */
const checkRegion = async (services: ReportServices, principal: Principal, code: string) => {
  if (code !== NATIONAL && !findRegion(code)) throw ValidationError.forField('code', `no region ${code}`);
  if (['admin', 'auditor', 'regional-office'].some((role) => principal.roles.has(role as Role))) return;
  const sponsor = principal.sponsorId
    ? await services.commitments.getSponsor(principal.sponsorId)
    : undefined;
  if (
    !sponsor ||
    code === NATIONAL ||
    !isWithinRegion(code as RegionCode, sponsor.regionCode as RegionCode)
  ) {
    throw new ForbiddenError(`Not allowed to set the target of ${code}: outside the sponsor's region`, {
      details: { regionCode: code },
    });
  }
};

/** A region's name as the API shows it: `Indonesia` for the national root, else the region data's name. */
export const regionNameOf = (code: string): string =>
  code === NATIONAL ? 'Indonesia' : (findRegion(code)?.name ?? code);

/** A region's target for a year as the API shows it: as set, its vulnerable workers, the workers it asks. */
const targetAnswer = async (services: ReportServices, code: string, fiscalYear: number) => {
  const [goals, vulnerable] = await Promise.all([
    services.reports.goals(fiscalYear, [code]),
    services.reports.region(yearScope(fiscalYear), code),
  ]);
  const goal = goals.get(code);
  return {
    code,
    name: regionNameOf(code),
    fiscalYear,
    target: goal ? targetSetOf(goal) : null,
    vulnerableWorkers: vulnerable.target,
    targetWorkers: goal ? goalWorkers(goal, vulnerable.target) : vulnerable.target,
  };
};

/** A goal as the API shows it. */
export const targetSetOf = (goal: StoredGoal) => ({
  ...(goal.kind === 'workers' ? { workers: goal.workers } : { percent: goal.basisPoints / 100 }),
  setBy: goal.setBy,
  setAt: goal.setAt,
});

/** Sets a region's coverage target for a fiscal year (replacing the one set before). */
export const setTarget = async (
  services: ReportServices,
  principal: Principal,
  params: TargetParams,
  body: SetTargetBody,
) => {
  authorize(principal, 'setTarget', principal.sponsorId ? { sponsorId: principal.sponsorId } : {});
  await checkRegion(services, principal, params.code);
  const goal = goalOfBody(body);
  await services.reports.putGoal(params.fiscalYear, params.code, {
    ...goal,
    setBy: principal.sub,
    setAt: new Date().toISOString(),
  });
  return targetAnswer(services, params.code, params.fiscalYear);
};

/** A region's coverage target for a fiscal year. */
export const getTarget = async (services: ReportServices, principal: Principal, params: TargetParams) => {
  authorize(principal, 'getTarget', {
    ...(principal.sponsorId && { sponsorId: principal.sponsorId }),
    regionCode: params.code,
  });
  await checkRegion(services, principal, params.code);
  return targetAnswer(services, params.code, params.fiscalYear);
};
