/**
 * When a region reaches its coverage target (issue 19): from the workers covered in each month of the fiscal
 * year so far, the month the target was reached, or the month it will be at the current enrollment rate. Pure
 * arithmetic on whole workers and periods.
 *
 * The current rate is the net growth of covered workers per month, from the first month of the year with
 * coverage to the latest month measured: enrollments less coverage that ended, as the report counts them. A
 * growth of 0 or less never reaches the target, and the outlook says so rather than inventing a month.
 */
import { addMonths, comparePeriods, monthsBetween, type Period, periodOf } from './period.js';

/** Workers covered in one month. */
export interface CoveragePoint {
  readonly period: Period;
  readonly covered: number;
}

/** Beyond this many months a projection names no month: a rate that needs decades does not reach the target. */
export const MAX_PROJECTED_MONTHS = 120;

export type TargetOutlook =
  /** No target to measure against. */
  | { readonly status: 'no-target' }
  /** Covered workers reached the target in `period` (the first such month). */
  | { readonly status: 'reached'; readonly period: Period }
  /**
   * At `workersPerMonth` (net, over `basisMonths` months) the target is reached in `period`; `withinFiscalYear`
   * is false when that is after December of the fiscal year.
   */
  | {
      readonly status: 'projected';
      readonly period: Period;
      readonly workersPerMonth: number;
      readonly basisMonths: number;
      readonly withinFiscalYear: boolean;
    }
  /** Coverage does not grow (or has no month to grow from yet, or needs more than ten years): no month is named. */
  | { readonly status: 'not-at-current-rate'; readonly workersPerMonth: number; readonly basisMonths: number }
  /** The fiscal year is over and the target was not reached. */
  | { readonly status: 'not-reached' };

/**
 * The outlook of a region with `target` workers to cover, from its `trend` (the months of `fiscalYear`
 * measured so far, oldest first, the last one the current month or December).
 */
export function targetOutlook(
  trend: readonly CoveragePoint[],
  target: number,
  fiscalYear: number,
): TargetOutlook {
  if (target <= 0) return { status: 'no-target' };
  const reached = trend.find((point) => point.covered >= target);
  if (reached) return { status: 'reached', period: reached.period };
  const yearEnd = periodOf(fiscalYear, 12);
  const last = trend.at(-1);
  if (last && comparePeriods(last.period, yearEnd) >= 0) return { status: 'not-reached' };
  const first = trend.find((point) => point.covered > 0);
  const basisMonths = first && last ? monthsBetween(first.period, last.period) : 0;
  const growth = first && last ? last.covered - first.covered : 0;
  const workersPerMonth = basisMonths > 0 ? Math.round((growth * 10) / basisMonths) / 10 : 0;
  if (!last || basisMonths === 0 || growth <= 0) {
    return { status: 'not-at-current-rate', workersPerMonth, basisMonths };
  }
  // Whole months to cover the gap at growth / basisMonths a month, rounded up without floating point.
  const gap = target - last.covered;
  const months = Math.floor((gap * basisMonths + growth - 1) / growth);
  if (months > MAX_PROJECTED_MONTHS) return { status: 'not-at-current-rate', workersPerMonth, basisMonths };
  const period = addMonths(last.period, months);
  return {
    status: 'projected',
    period,
    workersPerMonth,
    basisMonths,
    withinFiscalYear: comparePeriods(period, yearEnd) <= 0,
  };
}
