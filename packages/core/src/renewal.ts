/**
 * What a period roll does to one village's enrollments of one commitment, as a pure plan: who is covered
 * (and goes on the invoice), whose coverage ends and why, and where the money for the period comes from.
 * The store carries the plan out with conditional writes; keeping the decisions here makes them testable
 * without a database and identical on every retry.
 */
import type { Rupiah } from './money.js';
import { isEligibleAge } from './nik.js';
import {
  addMonths,
  comparePeriods,
  type IsoDate,
  type Period,
  periodOf,
  periodParts,
  periodRange,
} from './period.js';
import type { BenefitPackage, PremiumSchedule } from './premium.js';
import { PREMIUM_SCHEDULE, premiumForPeriods } from './premium.js';
import type { ReservationMode } from './reservation.js';

/** Consecutive unpaid invoices after which a village's coverage lapses (BPU rule). */
export const UNPAID_PERIODS_BEFORE_LAPSE = 3;

/**
 * The BPU rule in one place: after this many unpaid months in a row the coverage lapses from the next one.
 * A sponsored village (its invoices) and a self-paying worker (their contribution months) both lapse by it.
 */
export const lapsesAfterUnpaid = (unpaidPeriodsBefore: number): boolean =>
  unpaidPeriodsBefore >= UNPAID_PERIODS_BEFORE_LAPSE;

/** Why a coverage ends. */
export type EndReason = 'terminated' | 'age-limit' | 'budget' | 'unpaid' | 'fiscal-year-end' | 'carried-over';

/**
 * Whether the premium still reserved when a coverage ends for `reason` goes back to the allocation's available
 * quota (a freed seat the village can fill again, issue 19) rather than being released for good. Only while the
 * fiscal year is open: the store refuses either move once the year is closed, and the close releases what is left.
 * - `terminated` (the village ends it: the worker left, died, found a job), `age-limit` (the worker turned 66)
 *   and `budget` (monthly mode: nothing was reserved beyond the rolled month, so usually nothing moves): the
 *   money was set aside for a person who no longer needs it; the village may enroll someone else with it.
 * - `unpaid` (three invoices in a row unpaid): the village's payer is not paying; a replacement would be
 *   invoiced to the same payer and lapse at the next roll, so the money is released and the sponsor, who is
 *   alerted, decides (next year, or after settling the arrears).
 * - `fiscal-year-end`, `carried-over`: the year is over; nothing is reserved beyond it.
 */
export const returnsToQuota = (reason: EndReason): boolean =>
  reason === 'terminated' || reason === 'age-limit' || reason === 'budget';

/** What the plan needs to know of an enrollment. */
export interface CoverageRecord {
  readonly id: string;
  readonly birthDate: IsoDate;
  readonly startPeriod: Period;
  /** The first period no longer covered; absent while the coverage runs to the end of the fiscal year. */
  readonly endPeriod?: Period;
  readonly status: 'active' | 'terminated' | 'expired' | 'lapsed';
  readonly enrolledAt: string;
}

/** The first period after the fiscal year of `period`: where coverage ends when nothing ends it sooner. */
export const fiscalYearEnd = (period: Period): Period => periodOf(periodParts(period).year + 1, 1);

/** The first period an enrollment does not cover. */
export const coverageEnd = (record: Pick<CoverageRecord, 'startPeriod' | 'endPeriod'>): Period =>
  record.endPeriod ?? fiscalYearEnd(record.startPeriod);

/** Whether `period` lies between an enrollment's start and its end (`coverageEnd`), whatever its state. */
export const spans = (record: Pick<CoverageRecord, 'startPeriod' | 'endPeriod'>, period: Period): boolean =>
  comparePeriods(record.startPeriod, period) <= 0 && comparePeriods(period, coverageEnd(record)) < 0;

/** Whether an enrollment covers `period` (its state aside from a pending end is irrelevant). */
export const covers = (record: CoverageRecord, period: Period): boolean =>
  (record.status === 'active' || record.status === 'terminated') && spans(record, period);

export interface CoverageEnding {
  readonly record: CoverageRecord;
  readonly state: 'expired' | 'lapsed';
  readonly reason: EndReason;
}

export interface RenewalInput {
  readonly period: Period;
  readonly mode: ReservationMode;
  /** The premium of one worker for `period` under the commitment's benefit package. */
  readonly premium: Rupiah;
  readonly enrollments: readonly CoverageRecord[];
  /** The allocation's unreserved budget (what `monthly` mode pays continuing workers from). */
  readonly available: Rupiah;
  /** How many invoices of the periods just before this one are unpaid in a row. */
  readonly unpaidPeriodsBefore: number;
}

export interface RenewalPlan {
  /** The workers on the period's invoice, in enrollment order. */
  readonly covered: readonly CoverageRecord[];
  readonly endings: readonly CoverageEnding[];
  /** Σ premiums of the covered workers: the invoice total. */
  readonly total: Rupiah;
  /** The part of `total` reserved earlier (at enrollment) … */
  readonly fromReserved: Rupiah;
  /** … and the part paid from the unreserved budget now (`monthly` mode's continuing workers). */
  readonly fromAvailable: Rupiah;
}

const byEnrollmentOrder = (a: CoverageRecord, b: CoverageRecord) =>
  a.enrolledAt.localeCompare(b.enrolledAt) || a.id.localeCompare(b.id);

/** Plans one village's roll of one period. Deterministic: the same input gives the same plan. */
export function planRenewal(input: RenewalInput): RenewalPlan {
  const { period, mode, premium } = input;
  const candidates = input.enrollments.filter((record) => covers(record, period)).sort(byEnrollmentOrder);
  const endings: CoverageEnding[] = [];
  if (lapsesAfterUnpaid(input.unpaidPeriodsBefore)) {
    return {
      covered: [],
      endings: candidates.map((record) => ({ record, state: 'lapsed', reason: 'unpaid' })),
      total: 0 as Rupiah,
      fromReserved: 0 as Rupiah,
      fromAvailable: 0 as Rupiah,
    };
  }
  const eligible: CoverageRecord[] = [];
  for (const record of candidates) {
    if (isEligibleAge(record.birthDate, period)) eligible.push(record);
    else endings.push({ record, state: 'expired', reason: 'age-limit' });
  }
  const covered: CoverageRecord[] = [];
  let fromReserved = 0;
  let fromAvailable = 0;
  for (const record of eligible) {
    const reservedAtEnrollment = mode === 'fiscal-year' || record.startPeriod === period;
    if (reservedAtEnrollment) {
      fromReserved += premium;
      covered.push(record);
    } else if (fromAvailable + premium <= input.available) {
      fromAvailable += premium;
      covered.push(record);
    } else {
      endings.push({ record, state: 'expired', reason: 'budget' });
    }
  }
  return {
    covered,
    endings,
    total: (fromReserved + fromAvailable) as Rupiah,
    fromReserved: fromReserved as Rupiah,
    fromAvailable: fromAvailable as Rupiah,
  };
}

/**
 * What ending a coverage at `from` (the first period no longer covered) gives back: the worker's claimed
 * months from `from` on (`periods`), and those of them whose premium is still reserved (`reserved`). In
 * `fiscal-year` mode every month up to the old end was reserved; in `monthly` mode only the start month is,
 * until it is rolled.
 */
export function periodsFreedOnEnd(
  mode: ReservationMode,
  record: Pick<CoverageRecord, 'startPeriod' | 'endPeriod'>,
  from: Period,
): { periods: Period[]; reserved: Period[] } {
  const oldEnd = coverageEnd(record);
  const first = comparePeriods(from, record.startPeriod) < 0 ? record.startPeriod : from;
  if (comparePeriods(first, oldEnd) >= 0) return { periods: [], reserved: [] };
  const periods = periodRange(first, addMonths(oldEnd, -1));
  return {
    periods,
    reserved: mode === 'fiscal-year' ? periods : periods.filter((p) => p === record.startPeriod),
  };
}

/** What ending a coverage at `from` gives back: the claimed months and the whole premium still reserved. */
export function releaseOnEnd(
  mode: ReservationMode,
  benefit: BenefitPackage,
  record: Pick<CoverageRecord, 'startPeriod' | 'endPeriod'>,
  from: Period,
  schedule: PremiumSchedule = PREMIUM_SCHEDULE,
): { periods: Period[]; amount: Rupiah } {
  const { periods, reserved } = periodsFreedOnEnd(mode, record, from);
  return { periods, amount: premiumForPeriods(benefit, reserved, schedule) };
}
