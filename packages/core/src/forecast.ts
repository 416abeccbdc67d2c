/**
 * How long a budget lasts at the pace it is being spent: the forecast of the budget report. Pure arithmetic
 * on integer rupiah; the pace is the mean of the last periods that had spending, so a month not yet rolled
 * does not pull it down.
 */
import { addMonths, comparePeriods, type Period } from './period.js';

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
  /** Whole months the money not yet spent lasts at that pace; `null` while nothing has been spent. */
  readonly monthsOfCoverageLeft: number | null;
  /** The last period the money covers in full at that pace (after the last basis period). */
  readonly fundedThrough: Period | null;
}

/**
 * Forecasts the months of coverage left: `unspent` (reserved + not yet reserved) divided by the mean of the
 * last {@link FORECAST_PERIODS} periods with spending.
 */
export function forecastCoverage(burn: readonly BurnPoint[], unspent: number): CoverageForecast {
  const basis = burn
    .filter((point) => point.spent > 0)
    .sort((a, b) => comparePeriods(a.period, b.period))
    .slice(-FORECAST_PERIODS);
  const last = basis.at(-1);
  if (!last) return { monthlyBurn: 0, basis: [], monthsOfCoverageLeft: null, fundedThrough: null };
  const total = basis.reduce((sum, point) => sum + point.spent, 0);
  const monthlyBurn = Math.floor(total / basis.length);
  const months = Math.floor((Math.max(0, unspent) * basis.length) / total);
  return {
    monthlyBurn,
    basis: basis.map((point) => point.period),
    monthsOfCoverageLeft: months,
    fundedThrough: months > 0 ? addMonths(last.period, months) : last.period,
  };
}
