/**
 * NIK, the 16-digit national identity number: 6 digits of the district of issue, the birth date as DDMMYY
 * with 40 added to the day for women, and a 4-digit serial. There is no checksum, so validation can only
 * check the shape and that the birth date exists. The district of issue may be an old code that no longer
 * exists (regions split and are renumbered), so it is never rejected for being unknown.
 */
import { ValidationError } from './errors.js';
import { dateAt, type IsoDate, isIsoDate, type Period, parseIsoDate, parsePeriod } from './period.js';
import { districtCodeFromDigits, type RegionCode } from './region.js';

declare const nikBrand: unique symbol;

/** A NIK of valid shape (16 digits with a real birth date). Personal data: mask it in logs. */
export type Nik = string & { readonly [nikBrand]: 'Nik' };

/** Female or male, as encoded in the NIK. */
export type Sex = 'F' | 'M';

/** What a NIK says about its holder. */
export interface NikInfo {
  readonly nik: Nik;
  /** District of issue, e.g. `15.71.02`; possibly an old code. */
  readonly regionCode: RegionCode;
  readonly birthDate: IsoDate;
  readonly sex: Sex;
  /** The last four digits, which tell apart people of the same district, birth date and sex. */
  readonly serial: string;
}

/** Options of `parseNik`. */
export interface ParseNikOptions {
  /**
   * The date the two-digit birth year is read against (default: today in Asia/Jakarta). The birth year is
   * the latest one ending in YY that is not after this date, so ages come out between 0 and 99.
   */
  readonly referenceDate?: IsoDate;
}

/** The inclusive age range of workers a sponsor may enroll. */
export const ELIGIBLE_AGE = { min: 18, max: 65 } as const;

const NIK_PATTERN = /^\d{16}$/;

/** Reads a NIK; throws `ValidationError` unless it has 16 digits, a plausible region and a real birth date. */
export function parseNik(text: string, options: ParseNikOptions = {}): NikInfo {
  const nik = text.trim();
  const invalid = (message: string) => ValidationError.forField('nik', message);
  if (!NIK_PATTERN.test(nik)) throw invalid('must be 16 digits');
  const province = Number(nik.slice(0, 2));
  // Province codes start at 11 and no regency or district is numbered 00: such a prefix is not a code at all.
  if (province < 11 || nik.slice(2, 4) === '00' || nik.slice(4, 6) === '00') {
    throw invalid('does not start with a region code');
  }
  const encodedDay = Number(nik.slice(6, 8));
  const month = Number(nik.slice(8, 10));
  const yy = Number(nik.slice(10, 12));
  const sex: Sex = encodedDay > 40 ? 'F' : 'M';
  const day = sex === 'F' ? encodedDay - 40 : encodedDay;
  const reference =
    options.referenceDate === undefined
      ? dateAt(Date.now())
      : parseIsoDate(options.referenceDate, 'referenceDate');
  const birthDate = resolveBirthDate(yy, month, day, reference);
  if (birthDate === undefined) throw invalid('does not encode a real birth date');
  return {
    nik: nik as Nik,
    regionCode: districtCodeFromDigits(nik.slice(0, 6)),
    birthDate,
    sex,
    serial: nik.slice(12, 16),
  };
}

function resolveBirthDate(yy: number, month: number, day: number, reference: IsoDate): IsoDate | undefined {
  const monthDay = `${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  const referenceYear = Number(reference.slice(0, 4));
  let year = referenceYear - (referenceYear % 100) + yy;
  // A birth date cannot be after the reference date: then it is from the previous century.
  if (`${year}-${monthDay}` > reference) year -= 100;
  const candidate = `${String(year).padStart(4, '0')}-${monthDay}`;
  return isIsoDate(candidate) ? candidate : undefined;
}

/** Whether text is a NIK of valid shape (see `parseNik`). */
export function isNik(text: string, options: ParseNikOptions = {}): boolean {
  try {
    parseNik(text, options);
    return true;
  } catch {
    return false;
  }
}

/**
 * A NIK for logs and screens: the first 4 digits (province and regency of issue, useful for support) and
 * the last 2, the rest starred: `1571026509900001` → `1571**********01`. Birth date and sex stay hidden.
 */
export function maskNik(nik: string): string {
  if (nik.length <= 6) return '*'.repeat(nik.length);
  return `${nik.slice(0, 4)}${'*'.repeat(nik.length - 6)}${nik.slice(-2)}`;
}

/**
 * Age in completed years on a date, or on the first day of a period (eligibility is judged when coverage
 * starts). Someone born on 29 February gets a year older on 1 March in common years.
 */
export function ageAt(birthDate: IsoDate, at: IsoDate | Period): number {
  const on = isIsoDate(at) ? at : `${parsePeriod(at, 'at')}-01`;
  const birth = parseIsoDate(birthDate, 'birthDate');
  // Same-format month-day strings compare in calendar order, so no Date (and no time zone) is involved.
  const hadBirthday = on.slice(5) >= birth.slice(5);
  return Number(on.slice(0, 4)) - Number(birth.slice(0, 4)) - (hadBirthday ? 0 : 1);
}

/** Whether someone born on `birthDate` is 18–65 (inclusive) at the start of `period`. */
export function isEligibleAge(birthDate: IsoDate, period: Period): boolean {
  const age = ageAt(birthDate, period);
  return age >= ELIGIBLE_AGE.min && age <= ELIGIBLE_AGE.max;
}

/**
 * The NIKs of a list file (a P3KE list, say): the first field of each line that is 16 digits, once each; a
 * header, a blank line or any other line is counted as skipped. Fields end at `,`, `;` or a tab.
 */
export function niksOfListText(text: string): { niks: string[]; skipped: number } {
  const niks = new Set<string>();
  let skipped = 0;
  for (const line of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const field = (line.split(/[;,\t]/)[0] ?? '').trim().replace(/^"(.*)"$/, '$1');
    if (/^\d{16}$/.test(field)) niks.add(field);
    else skipped += 1;
  }
  return { niks: [...niks], skipped };
}
