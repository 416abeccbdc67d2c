/**
 * A worker's own share of the premium, paid from their contribution balance (DOMAIN.md, "Payers and
 * collection"): either an add-on (JHT for a worker a sponsor already covers for JKK + JKM) or the whole premium
 * of a self-paying worker (peserta mandiri: JKK + JKM, JHT optional). Pure arithmetic and rules; the store keeps
 * the accounts and the roll applies the months.
 */
import { ValidationError } from './errors.js';
import { isRupiah, type Rupiah, sum } from './money.js';
import { type Period, periodOf, periodParts, periodRange } from './period.js';
import {
  MANDATORY_PROGRAMS,
  PREMIUM_SCHEDULE,
  PROGRAMS,
  type PremiumSchedule,
  type Program,
  programPremium,
  ratesFor,
} from './premium.js';

/** `add-on`: the worker adds JHT to a sponsor's JKK + JKM; `self-paying`: the worker pays every programme. */
export type ContributionKind = 'add-on' | 'self-paying';

/** What a worker pays from their balance each month. */
export interface WorkerShare {
  readonly kind: ContributionKind;
  /** In canonical order JKK, JKM, JHT. */
  readonly programs: readonly Program[];
  readonly declaredIncome: Rupiah;
}

/**
 * Validates a worker's share: exactly `JHT` (an add-on) or `JKK` + `JKM` with JHT optional (self-paying), at a
 * declared income of at least the minimum in force at `startPeriod`.
 */
export function workerShare(
  input: { readonly programs: readonly string[]; readonly declaredIncome: number },
  startPeriod: Period,
  schedule: PremiumSchedule = PREMIUM_SCHEDULE,
): WorkerShare {
  const issues: { path: string; message: string }[] = [];
  const seen = new Set(input.programs);
  if (seen.size !== input.programs.length)
    issues.push({ path: 'programs', message: 'a programme is listed twice' });
  for (const program of seen) {
    if (!(PROGRAMS as readonly string[]).includes(program)) {
      issues.push({ path: 'programs', message: `unknown programme ${JSON.stringify(program)}` });
    }
  }
  const mandatory = MANDATORY_PROGRAMS.filter((p) => seen.has(p)).length;
  if (mandatory === 1 || (mandatory === 0 && !(seen.size === 1 && seen.has('JHT')))) {
    issues.push({
      path: 'programs',
      message: 'either JHT alone (added to a sponsor’s JKK + JKM) or JKK and JKM (self-paying), JHT optional',
    });
  }
  const minimum = ratesFor(startPeriod, schedule).minimumDeclaredIncome;
  if (!isRupiah(input.declaredIncome) || input.declaredIncome < minimum) {
    issues.push({ path: 'declaredIncome', message: `must be whole rupiah of at least ${minimum}` });
  }
  if (issues.length > 0) {
    throw new ValidationError(
      `Invalid worker share: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      { issues },
    );
  }
  return {
    kind: mandatory === 2 ? 'self-paying' : 'add-on',
    programs: PROGRAMS.filter((p) => seen.has(p)),
    declaredIncome: input.declaredIncome as Rupiah,
  };
}

/** What the worker's share costs at `period` (JHT at the minimum income: Rp 20.000; JKK + JKM: Rp 16.800). */
export function workerShareDue(
  share: Pick<WorkerShare, 'programs' | 'declaredIncome'>,
  period: Period,
  schedule: PremiumSchedule = PREMIUM_SCHEDULE,
): Rupiah {
  const rates = ratesFor(period, schedule);
  return sum(share.programs.map((program) => programPremium(program, share.declaredIncome, rates)));
}

/**
 * Whether the BPU lapse rule applies to a worker's share: only where it includes the mandatory pair (a
 * self-paying worker). An unpaid add-on only leaves JHT uncovered that month.
 */
export const lapsesWhenUnpaid = (share: Pick<WorkerShare, 'kind'>): boolean => share.kind === 'self-paying';

/** The months of a self-paying worker's registration year that they claim (I3): `start` to December. */
export const claimedMonthsFrom = (start: Period): number[] => {
  const { year } = periodParts(start);
  return periodRange(start, periodOf(year, 12)).map((p) => periodParts(p).month);
};
