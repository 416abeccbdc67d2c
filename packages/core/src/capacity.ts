/**
 * Capacity answers the finance office's planning question: how many workers can this budget cover in
 * full for the whole term, and what is left over. Only whole workers count: a worker covered for part of
 * the term would lose coverage mid-year, which is what sponsors plan to avoid.
 */
import { ValidationError } from './errors.js';
import { divmod, type Rupiah, rupiah } from './money.js';
import type { Period } from './period.js';
import { type BenefitPackage, coverageCost, PREMIUM_SCHEDULE, type PremiumSchedule } from './premium.js';

/** How far a budget goes. Always `workers × costPerWorker + leftover = budget`, `leftover < costPerWorker`. */
export interface Capacity {
  readonly budget: Rupiah;
  readonly costPerWorker: Rupiah;
  readonly workers: number;
  readonly leftover: Rupiah;
}

/** How many workers of a given cost a budget covers in full, and the money left over. */
export function capacity(budget: Rupiah, costPerWorker: Rupiah): Capacity {
  const total = rupiah(budget, 'budget');
  const cost = rupiah(costPerWorker, 'costPerWorker');
  if (cost === 0) throw ValidationError.forField('costPerWorker', 'must be greater than zero');
  const { quotient, remainder } = divmod(total, cost);
  return { budget: total, costPerWorker: cost, workers: quotient, leftover: remainder };
}

/**
 * How many workers a budget covers under a package for `months` consecutive periods from `start`, each
 * month priced with the rates in force then (Rp 10,000,000, JKK + JKM minimum, 12 months → 49, Rp 121,600).
 */
export function packageCapacity(
  budget: Rupiah,
  pkg: BenefitPackage,
  start: Period,
  months: number,
  schedule: PremiumSchedule = PREMIUM_SCHEDULE,
): Capacity {
  if (!Number.isSafeInteger(months) || months < 1) {
    throw ValidationError.forField('months', `must be a whole number of at least 1, got ${months}`);
  }
  return capacity(budget, coverageCost(pkg, start, months, schedule));
}
