/**
 * Shares of a worker-month's premium between payers (issue 18, DOMAIN.md "Payers and collection"): a
 * commitment pays whole programmes (JKK + JKM), a percentage, or a fixed rupiah amount a month, capped by the
 * premium; a co-funding commitment of a second sponsor tops up what the first leaves; what neither pays is the
 * worker's. The shares of one month always add up to its premium, in whole rupiah: the primary's percentage is
 * rounded down (`percentOf`), so the remainder goes to the co-funder (or the worker), never lost or doubled.
 */
import { ValidationError } from './errors.js';
import { basisPoints, minRupiah, percentOf, type Rupiah, rupiah, sub, sum } from './money.js';
import type { Period } from './period.js';
import {
  type BenefitPackage,
  PREMIUM_SCHEDULE,
  type PremiumBreakdown,
  type PremiumSchedule,
  type Program,
  premiumBreakdown,
} from './premium.js';
import { type CoverageRecord, periodsFreedOnEnd } from './renewal.js';
import { periodsToReserveAtEnrollment, type ReservationMode } from './reservation.js';

/** What part of each covered worker-month a commitment pays. */
export type PayerShare =
  /** These programmes of the benefit package (e.g. JKK + JKM while the worker adds JHT). */
  | { readonly kind: 'programs'; readonly programs: readonly Program[] }
  /** A percentage of the premium, in basis points (5000 = 50 %), rounded down to the rupiah. */
  | { readonly kind: 'percent'; readonly basisPoints: number }
  /** A fixed amount a month, capped by the premium. */
  | { readonly kind: 'fixed'; readonly amount: Rupiah };

/** The kinds of share a commitment may state. */
export const SHARE_KINDS = ['programs', 'percent', 'fixed'] as const;

/**
 * Validates a share against the benefit package it pays of: programmes of the package only, a percentage of 1
 * to 10 000 basis points, a positive whole amount. Absent (`undefined`) stays absent: the whole premium.
 */
export function payerShare(
  input: PayerShare | { readonly kind: 'fixed'; readonly amount: number } | undefined,
  benefit: Pick<BenefitPackage, 'programs'>,
  field = 'share',
): PayerShare | undefined {
  if (input === undefined) return undefined;
  switch (input.kind) {
    case 'programs': {
      const unknown = input.programs.filter((p) => !benefit.programs.includes(p));
      if (
        input.programs.length === 0 ||
        unknown.length > 0 ||
        new Set(input.programs).size !== input.programs.length
      ) {
        throw ValidationError.forField(
          `${field}.programs`,
          `must name distinct programmes of the benefit package (${benefit.programs.join(', ')})`,
        );
      }
      return { kind: 'programs', programs: benefit.programs.filter((p) => input.programs.includes(p)) };
    }
    case 'percent': {
      const bp = basisPoints(input.basisPoints, `${field}.basisPoints`);
      if (bp === 0) throw ValidationError.forField(`${field}.basisPoints`, 'must be more than 0');
      return { kind: 'percent', basisPoints: bp };
    }
    case 'fixed': {
      const amount = rupiah(input.amount, `${field}.amount`);
      if (amount === 0) throw ValidationError.forField(`${field}.amount`, 'must be more than 0');
      return { kind: 'fixed', amount };
    }
  }
}

/** Whether a share leaves part of some month's premium to another payer (a whole-premium share leaves none). */
export const leavesPremium = (share: PayerShare | undefined, benefit: BenefitPackage): boolean => {
  if (share === undefined) return false;
  if (share.kind === 'percent') return share.basisPoints < 10_000;
  if (share.kind === 'programs') return share.programs.length < benefit.programs.length;
  return true; // a fixed amount may cover a whole month's premium today, but not under every income or rate
};

/** What a share pays of one month's premium, at most `cap` (the whole premium by default). */
export function shareAmount(
  share: PayerShare | undefined,
  breakdown: Pick<PremiumBreakdown, 'items' | 'total'>,
  cap: Rupiah = breakdown.total,
): Rupiah {
  const limit = minRupiah(cap, breakdown.total);
  if (share === undefined) return limit;
  switch (share.kind) {
    case 'programs':
      return minRupiah(
        limit,
        sum(breakdown.items.filter((i) => share.programs.includes(i.program)).map((i) => i.amount)),
      );
    case 'percent':
      return minRupiah(limit, percentOf(breakdown.total, basisPoints(share.basisPoints)));
    case 'fixed':
      return minRupiah(limit, share.amount);
  }
}

/** One month's premium split between the payers: `primary + coFunder + worker = premium`. */
export interface PremiumSplit {
  readonly premium: Rupiah;
  /** The commitment the worker is enrolled under. */
  readonly primary: Rupiah;
  /** The co-funding commitment's top-up (0 without one). */
  readonly coFunder: Rupiah;
  /** What neither sponsor pays: the worker's own share. */
  readonly worker: Rupiah;
}

/** The shares of the commitments that pay a worker-month: the primary's, and the co-funder's when there is one. */
export interface PayerShares {
  readonly primary?: PayerShare | undefined;
  /**
   * Present when a co-funding commitment pays: its own share term if it states one (capped by what the primary
   * leaves), `null` for all the primary leaves.
   */
  readonly coFunder?: PayerShare | null | undefined;
}

/** Splits one month's premium between the primary, the co-funder and the worker (exact, deterministic). */
export function splitPremium(
  breakdown: Pick<PremiumBreakdown, 'items' | 'total'>,
  shares: PayerShares,
): PremiumSplit {
  const premium = breakdown.total;
  const primary = shareAmount(shares.primary, breakdown);
  const left = sub(premium, primary);
  const coFunder =
    shares.coFunder === undefined
      ? (0 as Rupiah)
      : shareAmount(shares.coFunder ?? undefined, breakdown, left);
  return { premium, primary, coFunder, worker: sub(left, coFunder) };
}

/** The split of the premium of `benefit` at `period`. */
export function splitAt(
  benefit: BenefitPackage,
  period: Period,
  shares: PayerShares,
  schedule: PremiumSchedule = PREMIUM_SCHEDULE,
): PremiumSplit {
  return splitPremium(premiumBreakdown(benefit, period, schedule), shares);
}

/** The sums of the splits of several months (each month priced and split with the rates in force then). */
export function splitForPeriods(
  benefit: BenefitPackage,
  periods: readonly Period[],
  shares: PayerShares,
  schedule: PremiumSchedule = PREMIUM_SCHEDULE,
): PremiumSplit {
  const splits = periods.map((p) => splitAt(benefit, p, shares, schedule));
  const total = (pick: (s: PremiumSplit) => Rupiah) => sum(splits.map(pick));
  return {
    premium: total((s) => s.premium),
    primary: total((s) => s.primary),
    coFunder: total((s) => s.coFunder),
    worker: total((s) => s.worker),
  };
}

/**
 * What an enrollment from `start` reserves of each payer (the months of `periodsToReserveAtEnrollment`, each
 * split with `shares`): the primary's sum from its quota, the co-funder's from its own.
 */
export function reservationSplit(
  mode: ReservationMode,
  benefit: BenefitPackage,
  start: Period,
  shares: PayerShares,
  schedule: PremiumSchedule = PREMIUM_SCHEDULE,
): { periods: Period[]; split: PremiumSplit } {
  const periods = periodsToReserveAtEnrollment(mode, start);
  return { periods, split: splitForPeriods(benefit, periods, shares, schedule) };
}

/** What ending a coverage at `from` gives back to each payer: the claimed months and each one's reserved share. */
export function releaseSplitOnEnd(
  mode: ReservationMode,
  benefit: BenefitPackage,
  record: Pick<CoverageRecord, 'startPeriod' | 'endPeriod'>,
  from: Period,
  shares: PayerShares,
  schedule: PremiumSchedule = PREMIUM_SCHEDULE,
): { periods: Period[]; split: PremiumSplit } {
  const { periods, reserved } = periodsFreedOnEnd(mode, record, from);
  return { periods, split: splitForPeriods(benefit, reserved, shares, schedule) };
}

/** What the co-funding rules read of a commitment. */
export interface CoFundingTerms {
  readonly sponsorId: string;
  readonly fiscalYear: number;
  readonly benefit: BenefitPackage;
  readonly reservation: ReservationMode;
  readonly share?: PayerShare | undefined;
  readonly coFunds?: string | undefined;
  readonly villageCodes: readonly string[];
}

/**
 * Checks that `coFunder` may co-fund `primary`: another sponsor, the same fiscal year and benefit package, both
 * reserving the fiscal year (a co-funder's share is reserved with the primary's, month for month), a primary
 * whose share leaves part of the premium and that co-funds nobody itself, and villages of the primary's only.
 * Throws `ValidationError` naming `coFunds`.
 */
export function checkCoFunding(
  primary: CoFundingTerms & { readonly id: string },
  coFunder: CoFundingTerms,
): void {
  const problems: string[] = [];
  if (primary.sponsorId === coFunder.sponsorId) problems.push('a sponsor cannot co-fund its own commitment');
  if (primary.fiscalYear !== coFunder.fiscalYear) problems.push(`it is of fiscal year ${primary.fiscalYear}`);
  const samePrograms = primary.benefit.programs.join() === coFunder.benefit.programs.join();
  if (!samePrograms || primary.benefit.declaredIncome !== coFunder.benefit.declaredIncome) {
    problems.push('its benefit package differs');
  }
  if (primary.reservation !== 'fiscal-year' || coFunder.reservation !== 'fiscal-year') {
    problems.push('co-funding needs fiscal-year reservation on both commitments');
  }
  if (primary.coFunds !== undefined) problems.push('it co-funds another commitment itself');
  if (!leavesPremium(primary.share, primary.benefit)) problems.push('its share leaves nothing to top up');
  const theirs = new Set(primary.villageCodes);
  const outside = coFunder.villageCodes.filter((v) => !theirs.has(v));
  if (outside.length > 0) problems.push(`it does not cover ${outside.slice(0, 5).join(', ')}`);
  if (problems.length > 0) {
    throw ValidationError.forField('coFunds', `cannot co-fund ${primary.id}: ${problems.join('; ')}`, {
      details: { coFunds: primary.id, problems },
    });
  }
}
