/**
 * A period is one calendar month, written `YYYY-MM`, in Asia/Jakarta time: BPU premiums are monthly and
 * due by the 15th of the month they cover. Jakarta is UTC+7 all year (no daylight saving), so instants are
 * converted with a fixed offset instead of the host time zone, which differs between laptops and Lambda.
 * The fiscal year of Indonesian regional budgets (APBD) is the calendar year, January to December.
 */
import { ValidationError } from './errors.js';

declare const periodBrand: unique symbol;
declare const isoDateBrand: unique symbol;

/** A month `YYYY-MM` (years 1000–9999, so string order is time order). */
export type Period = string & { readonly [periodBrand]: 'Period' };

/** A calendar date `YYYY-MM-DD` without time or zone. */
export type IsoDate = string & { readonly [isoDateBrand]: 'IsoDate' };

/** Asia/Jakarta (WIB) is UTC+7 with no daylight saving. */
export const JAKARTA_UTC_OFFSET_MINUTES = 7 * 60;

/** The day of the month by which a period's premium is due. */
export const DUE_DAY_OF_MONTH = 15;

const MIN_YEAR = 1000;
const MAX_YEAR = 9999;
const PERIOD_PATTERN = /^(\d{4})-(\d{2})$/;
const ISO_DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const OFFSET_MS = JAKARTA_UTC_OFFSET_MINUTES * 60_000;

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function isValidYear(year: number): boolean {
  return Number.isInteger(year) && year >= MIN_YEAR && year <= MAX_YEAR;
}

/** Whether a value is a well-formed period `YYYY-MM`. */
export function isPeriod(value: unknown): value is Period {
  if (typeof value !== 'string') return false;
  const match = PERIOD_PATTERN.exec(value);
  if (!match) return false;
  const month = Number(match[2]);
  return isValidYear(Number(match[1])) && month >= 1 && month <= 12;
}

/** Validates text as a period `YYYY-MM`; throws `ValidationError` otherwise. */
export function parsePeriod(text: string, field = 'period'): Period {
  if (isPeriod(text)) return text;
  throw ValidationError.forField(field, `must be a month YYYY-MM, got ${JSON.stringify(text)}`);
}

/** The period of a year and a month (1–12). */
export function periodOf(year: number, month: number): Period {
  if (!isValidYear(year) || !Number.isInteger(month) || month < 1 || month > 12) {
    throw ValidationError.forField('period', `no such month: year ${year}, month ${month}`);
  }
  return `${pad(year, 4)}-${pad(month, 2)}` as Period;
}

/** The year and month (1–12) of a period. */
export function periodParts(period: Period): { year: number; month: number } {
  return { year: Number(period.slice(0, 4)), month: Number(period.slice(5, 7)) };
}

function monthIndex(period: Period): number {
  const { year, month } = periodParts(period);
  return year * 12 + (month - 1);
}

function fromMonthIndex(index: number): Period {
  return periodOf(Math.floor(index / 12), (((index % 12) + 12) % 12) + 1);
}

/** The period `months` after (or, if negative, before) `period`. */
export function addMonths(period: Period, months: number): Period {
  if (!Number.isSafeInteger(months)) {
    throw ValidationError.forField('months', `must be a whole number, got ${months}`);
  }
  return fromMonthIndex(monthIndex(period) + months);
}

/** How many months `to` is after `from` (negative if before): `monthsBetween(p, addMonths(p, n)) = n`. */
export function monthsBetween(from: Period, to: Period): number {
  return monthIndex(to) - monthIndex(from);
}

/** Orders periods ascending; usable as an `Array.prototype.sort` comparator. */
export function comparePeriods(a: Period, b: Period): number {
  return monthsBetween(b, a);
}

/** The periods from `first` to `last`, both included (empty if `last` is before `first`). */
export function periodRange(first: Period, last: Period): Period[] {
  const count = monthsBetween(first, last) + 1;
  return Array.from({ length: Math.max(0, count) }, (_, i) => addMonths(first, i));
}

/** `count` consecutive periods starting at `first`. */
export function consecutivePeriods(first: Period, count: number): Period[] {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw ValidationError.forField('months', `must be a non-negative whole number, got ${count}`);
  }
  return Array.from({ length: count }, (_, i) => addMonths(first, i));
}

/** The fiscal year a period belongs to (the calendar year). */
export function fiscalYearOf(period: Period): number {
  return periodParts(period).year;
}

/** The twelve periods of a fiscal year, January to December. */
export function fiscalYearPeriods(year: number): Period[] {
  return periodRange(periodOf(year, 1), periodOf(year, 12));
}

/** The periods from `start` to the December of its fiscal year, both included. */
export function remainingPeriodsOfFiscalYear(start: Period): Period[] {
  return periodRange(start, periodOf(fiscalYearOf(start), 12));
}

/** The date by which a period's premium is due: the 15th of that month. */
export function dueDate(period: Period): IsoDate {
  return `${period}-${pad(DUE_DAY_OF_MONTH, 2)}` as IsoDate;
}

/** The period an instant falls in, in Asia/Jakarta, whatever the host time zone. */
export function periodAt(instant: Date | number): Period {
  const shifted = new Date(toEpochMs(instant) + OFFSET_MS);
  return periodOf(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1);
}

/** The calendar date of an instant in Asia/Jakarta, whatever the host time zone. */
export function dateAt(instant: Date | number): IsoDate {
  const shifted = new Date(toEpochMs(instant) + OFFSET_MS);
  return `${pad(shifted.getUTCFullYear(), 4)}-${pad(shifted.getUTCMonth() + 1, 2)}-${pad(shifted.getUTCDate(), 2)}` as IsoDate;
}

/** The instant a period begins: 00:00 WIB on its first day (17:00 UTC the day before). */
export function periodStart(period: Period): Date {
  const { year, month } = periodParts(period);
  return new Date(Date.UTC(year, month - 1, 1) - OFFSET_MS);
}

function toEpochMs(instant: Date | number): number {
  const ms = instant instanceof Date ? instant.getTime() : instant;
  if (!Number.isFinite(ms)) throw ValidationError.forField('instant', 'must be a valid date');
  return ms;
}

/** Whether a value is a real calendar date `YYYY-MM-DD` (so `2023-02-29` is not). */
export function isIsoDate(value: unknown): value is IsoDate {
  if (typeof value !== 'string') return false;
  const match = ISO_DATE_PATTERN.exec(value);
  if (!match) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  return isValidYear(year) && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** Validates text as a calendar date `YYYY-MM-DD`; throws `ValidationError` otherwise. */
export function parseIsoDate(text: string, field = 'date'): IsoDate {
  if (isIsoDate(text)) return text;
  throw ValidationError.forField(field, `must be a calendar date YYYY-MM-DD, got ${JSON.stringify(text)}`);
}

/** The number of days of a month (1–12) in the Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The period a calendar date falls in. */
export function periodOfDate(date: IsoDate): Period {
  return date.slice(0, 7) as Period;
}
