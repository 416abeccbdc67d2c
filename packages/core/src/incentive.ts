/**
 * Incentive schemes (issue 19, NTT): a sponsor rewards its child regions that reach a share of their coverage
 * target by a period — with money (a payable to the region) or with extra quota (worker-years added to a
 * village's allocation). Pure rules: which regions a scheme may name, when it is due, who reached the
 * threshold and what an award costs. The store writes an award once; the roll evaluates a scheme at its
 * period's end.
 */
import { ValidationError } from './errors.js';
import { type BasisPoints, FULL_SHARE, type Rupiah, rupiah } from './money.js';
import { addMonths, comparePeriods, type Period, periodOf, periodParts } from './period.js';
import { isWithinRegion, type RegionCode, regionLevel } from './region.js';
import { findRegion } from './region-data.js';

/** What a region that reaches the threshold earns. */
export type IncentiveAward =
  | { readonly kind: 'money'; readonly amount: Rupiah }
  | { readonly kind: 'quota'; readonly workerYears: number };

/** The most worker-years one award may add to a village (a guard against a typo, not a policy). */
export const MAX_AWARD_WORKER_YEARS = 10_000;

/**
 * The last period a scheme of `fiscalYear` may end in: November, so that it is evaluated (at December's roll)
 * while its commitment is still open and an extra quota can still be used.
 */
export const lastIncentivePeriod = (fiscalYear: number): Period => periodOf(fiscalYear, 11);

/** Checks a scheme's period: within the commitment's fiscal year, at the latest its November. */
export function checkIncentivePeriod(period: Period, fiscalYear: number): Period {
  const last = lastIncentivePeriod(fiscalYear);
  if (periodParts(period).year !== fiscalYear || comparePeriods(period, last) > 0) {
    throw ValidationError.forField(
      'period',
      `must fall in the commitment's fiscal year ${fiscalYear}, at the latest ${last}`,
    );
  }
  return period;
}

/** Checks an award: a positive amount of money, or 1 to 10 000 whole worker-years of quota. */
export function checkIncentiveAward(award: IncentiveAward): IncentiveAward {
  if (award.kind === 'money') {
    const amount = rupiah(award.amount, 'award.amount');
    if (amount <= 0) throw ValidationError.forField('award.amount', 'must be more than Rp 0');
    return { kind: 'money', amount };
  }
  if (
    !Number.isInteger(award.workerYears) ||
    award.workerYears < 1 ||
    award.workerYears > MAX_AWARD_WORKER_YEARS
  ) {
    throw ValidationError.forField(
      'award.workerYears',
      `must be a whole number from 1 to ${MAX_AWARD_WORKER_YEARS}`,
    );
  }
  return award;
}

/**
 * The regions a scheme rewards: child regions of the sponsor's region (regencies, districts or villages within
 * it), each named once, sorted. An extra quota is added to a village's allocation, so a quota scheme names
 * only villages of its commitment.
 */
export function checkIncentiveRegions(
  regions: readonly string[],
  sponsorRegion: string,
  award: IncentiveAward,
  commitmentVillages: readonly string[],
): string[] {
  const unique = [...new Set(regions)].sort();
  if (unique.length === 0) throw ValidationError.forField('regions', 'names no region');
  const villages = new Set(commitmentVillages);
  for (const code of unique) {
    if (!findRegion(code)) throw ValidationError.forField('regions', `no region ${code}`);
    if (code === sponsorRegion || !isWithinRegion(code as RegionCode, sponsorRegion as RegionCode)) {
      throw ValidationError.forField('regions', `${code} is not a child region of ${sponsorRegion}`);
    }
    if (award.kind === 'quota' && (regionLevel(code as RegionCode) !== 'village' || !villages.has(code))) {
      throw ValidationError.forField(
        'regions',
        `${code}: an extra quota goes to a village of the commitment`,
      );
    }
  }
  return unique;
}

/** Whether a scheme of `period` is due when the roll of `rollPeriod` runs: its period has ended. */
export const isIncentiveDue = (period: Period, rollPeriod: Period): boolean =>
  comparePeriods(addMonths(period, 1), rollPeriod) <= 0;

/**
 * Whether `covered` workers reach `threshold` of a target of `target` workers (`covered × 10 000 ≥ target ×
 * threshold`, in integers). A region whose target is 0 has nothing to reach and earns nothing.
 */
export const reachesThreshold = (covered: number, target: number, threshold: BasisPoints): boolean =>
  target > 0 && covered * FULL_SHARE >= target * threshold;

/** What an award costs its commitment: the money, or the worker-years at the benefit's yearly premium. */
export const awardCost = (award: IncentiveAward, yearlyPremium: Rupiah): Rupiah =>
  award.kind === 'money' ? award.amount : rupiah(award.workerYears * yearlyPremium, 'award');
