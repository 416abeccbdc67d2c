/**
 * How long a budget lasts at the pace it is being spent: the forecast of the budget report. Pure arithmetic
 * on integer rupiah; the pace is the mean of the last periods that had spending, so a month not yet rolled
 * does not pull it down. A commitment pays for one fiscal year, so the forecast never runs past its December
 * (issue 19): money that outlasts the year is a surplus at year end, and next year needs a commitment of its own.
 */
import { addMonths, comparePeriods, monthsBetween, type Period, periodOf } from './period.js';

/** How many of the latest periods with spending make the pace. */
export const FORECAST_PERIODS = 3;

export interface BurnPoint {
  readonly period: Period;
  readonly spent: number;
}

export interface CoverageForecast {
  /** Mean spending per month over the basis periods, in whole rupiah (rounded down); 0 before any. */
  readonly monthlyBurn: number;
  /** The periods the pace is the mean of, oldest first. */
  readonly basis: readonly Period[];
  /**
   * Whole months after the last basis period the money not yet spent pays at that pace, counted no further
   * than December of the fiscal year; `null` while nothing has been spent.
   */
  readonly monthsOfCoverageLeft: number | null;
  /** The last period the money covers in full at that pace: never after December of the fiscal year. */
  readonly fundedThrough: Period | null;
  /** December of the fiscal year: where the commitment's money stops. */
  readonly yearEnd: Period;
  /** Months from the last basis period to the year's end (what the rest of the year needs); `null` before any. */
  readonly monthsToYearEnd: number | null;
  /** Whether the money lasts through December at that pace; `null` while nothing has been spent. */
  readonly lastsTheYear: boolean | null;
  /** What the rest of the year costs at that pace, rounded up; 0 before any spending. */
  readonly neededToYearEnd: number;
  /** The money left over at the year's end at that pace (released at the close): 0 when it runs out. */
  readonly surplusAtYearEnd: number;
  /** What is missing to pay through December at that pace: 0 when the money lasts. */
  readonly shortfallToYearEnd: number;
  /** Next year's commitment that keeps the workers of the current pace covered for 12 months, rounded up. */
  readonly nextYearNeed: number;
}

/** `numerator / divisor` rounded up, for non-negative integers (no float rounding for money). */
const ceilDiv = (numerator: number, divisor: number) => Math.floor((numerator + divisor - 1) / divisor);

/**
 * Forecasts a fiscal year's coverage: `unspent` (reserved + not yet reserved) against the mean of the last
 * {@link FORECAST_PERIODS} periods with spending, within `fiscalYear`.
 */
export function forecastCoverage(
  burn: readonly BurnPoint[],
  unspent: number,
  fiscalYear: number,
): CoverageForecast {
  const yearEnd = periodOf(fiscalYear, 12);
  const basis = burn
    .filter((point) => point.spent > 0 && comparePeriods(point.period, yearEnd) <= 0)
    .sort((a, b) => comparePeriods(a.period, b.period))
    .slice(-FORECAST_PERIODS);
  const last = basis.at(-1);
  if (!last) {
    return {
      monthlyBurn: 0,
      basis: [],
      monthsOfCoverageLeft: null,
      fundedThrough: null,
      yearEnd,
      monthsToYearEnd: null,
      lastsTheYear: null,
      neededToYearEnd: 0,
      surplusAtYearEnd: 0,
      shortfallToYearEnd: 0,
      nextYearNeed: 0,
    };
  }
  const money = Math.max(0, unspent);
  const total = basis.reduce((sum, point) => sum + point.spent, 0);
  const n = basis.length;
  const monthsToYearEnd = monthsBetween(last.period, yearEnd);
  const months = Math.min(Math.floor((money * n) / total), monthsToYearEnd);
  const neededToYearEnd = ceilDiv(total * monthsToYearEnd, n);
  return {
    monthlyBurn: Math.floor(total / n),
    basis: basis.map((point) => point.period),
    monthsOfCoverageLeft: months,
    fundedThrough: addMonths(last.period, months),
    yearEnd,
    monthsToYearEnd,
    lastsTheYear: money >= neededToYearEnd,
    neededToYearEnd,
    surplusAtYearEnd: Math.max(0, money - neededToYearEnd),
    shortfallToYearEnd: Math.max(0, neededToYearEnd - money),
    nextYearNeed: ceilDiv(total * 12, n),
  };
}
