/**
 * How much premium an enrollment sets aside from the village quota. `fiscal-year` (the default) reserves
 * every remaining month of the fiscal year at enrollment, so renewals never fail for money; `monthly`
 * reserves one period at a time, so more workers can start but a renewal can fail and coverage expire.
 */
import { ValidationError } from './errors.js';
import type { Rupiah } from './money.js';
import { type Period, remainingPeriodsOfFiscalYear } from './period.js';
import { type BenefitPackage, PREMIUM_SCHEDULE, type PremiumSchedule, premiumForPeriods } from './premium.js';

/** The reservation modes of a commitment. */
export const RESERVATION_MODES = ['fiscal-year', 'monthly'] as const;

/** `fiscal-year` or `monthly`. */
export type ReservationMode = (typeof RESERVATION_MODES)[number];

/** The mode a commitment uses when none is chosen. */
export const DEFAULT_RESERVATION_MODE: ReservationMode = 'fiscal-year';

/** Whether a value is a reservation mode. */
export function isReservationMode(value: unknown): value is ReservationMode {
  return typeof value === 'string' && (RESERVATION_MODES as readonly string[]).includes(value);
}

/** Validates a reservation mode; throws `ValidationError` otherwise. */
export function parseReservationMode(text: string, field = 'reservation'): ReservationMode {
  if (isReservationMode(text)) return text;
  throw ValidationError.forField(
    field,
    `must be one of ${RESERVATION_MODES.join(', ')}, got ${JSON.stringify(text)}`,
  );
}

/** The periods whose premium is reserved when a worker is enrolled from `start`. */
export function periodsToReserveAtEnrollment(mode: ReservationMode, start: Period): Period[] {
  return mode === 'fiscal-year' ? remainingPeriodsOfFiscalYear(start) : [start];
}

/** The premium reserved at enrollment from `start` (JKK + JKM minimum, fiscal-year, from January → 201,600). */
export function reservationAtEnrollment(
  mode: ReservationMode,
  pkg: BenefitPackage,
  start: Period,
  schedule: PremiumSchedule = PREMIUM_SCHEDULE,
): { periods: Period[]; amount: Rupiah } {
  const periods = periodsToReserveAtEnrollment(mode, start);
  return { periods, amount: premiumForPeriods(pkg, periods, schedule) };
}
