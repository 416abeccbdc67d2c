/**
 * Money is a whole number of rupiah. The rupiah has no minor unit in practice and premiums, budgets and
 * invoices are all whole rupiah, so a plain integer `number` is exact as long as it stays within
 * `Number.MAX_SAFE_INTEGER` (≈ Rp 9 quadrillion, far above any national budget). Every operation checks
 * that bound instead of silently losing precision, and amounts are never negative: a debit that would go
 * below zero is a rule violation for the caller to turn into `quota-exhausted` or `budget-exceeded`.
 */
import { ValidationError } from './errors.js';

declare const rupiahBrand: unique symbol;

/** A non-negative whole number of rupiah within `Number.MAX_SAFE_INTEGER`. */
export type Rupiah = number & { readonly [rupiahBrand]: 'Rupiah' };

/** Zero rupiah. */
export const ZERO_RUPIAH = 0 as Rupiah;

/** Whether a value is a valid rupiah amount (a non-negative safe integer). */
export function isRupiah(value: unknown): value is Rupiah {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Validates a number as rupiah; throws `ValidationError` for fractions, negatives, NaN or unsafe sizes. */
export function rupiah(value: number, field = 'amount'): Rupiah {
  if (isRupiah(value)) return value;
  throw ValidationError.forField(field, describeInvalidAmount(value));
}

function describeInvalidAmount(value: number): string {
  if (!Number.isFinite(value)) return `must be a finite number of rupiah, got ${value}`;
  if (!Number.isInteger(value)) return `must be a whole number of rupiah, got ${value}`;
  if (value < 0) return `must not be negative, got ${value}`;
  return `must not exceed ${Number.MAX_SAFE_INTEGER}, got ${value}`;
}

const PLAIN_DIGITS = /^\d+$/;
const DOT_GROUPED = /^\d{1,3}(?:\.\d{3})+$/;
const UNDERSCORE_GROUPED = /^\d+(?:_\d+)+$/;

/**
 * Parses text as rupiah: `10000000`, `10.000.000` (Indonesian grouping), `10_000_000` or `Rp 10.000.000`.
 * A comma is the Indonesian decimal separator, so `1,5` is refused as a fraction rather than misread.
 */
export function parseRupiah(text: string, field = 'amount'): Rupiah {
  const trimmed = text.trim().replace(/^rp\.?\s*/i, '');
  let digits: string;
  if (PLAIN_DIGITS.test(trimmed)) digits = trimmed;
  else if (DOT_GROUPED.test(trimmed)) digits = trimmed.replaceAll('.', '');
  else if (UNDERSCORE_GROUPED.test(trimmed)) digits = trimmed.replaceAll('_', '');
  else throw ValidationError.forField(field, `must be a whole number of rupiah, got ${JSON.stringify(text)}`);
  // Compare as bigint: Number() of a huge digit string would round before the safety check could see it.
  if (BigInt(digits) > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw ValidationError.forField(field, `must not exceed ${Number.MAX_SAFE_INTEGER}, got ${text}`);
  }
  return Number(digits) as Rupiah;
}

function checked(result: number, operation: string): Rupiah {
  if (!Number.isSafeInteger(result)) {
    throw new ValidationError(`${operation} overflows the safe rupiah range`, {
      details: { operation },
    });
  }
  if (result < 0) {
    throw new ValidationError(`${operation} would be negative`, { details: { operation } });
  }
  return result as Rupiah;
}

/** The sum of amounts; throws `ValidationError` if it leaves the safe integer range. */
export function add(...amounts: readonly Rupiah[]): Rupiah {
  return sum(amounts);
}

/** The sum of any iterable of amounts (0 when empty); throws `ValidationError` on overflow. */
export function sum(amounts: Iterable<Rupiah>): Rupiah {
  let total = 0;
  for (const amount of amounts) {
    total += amount;
    // Checking each step keeps precision: once past MAX_SAFE_INTEGER later additions could round back.
    if (!Number.isSafeInteger(total)) checked(total, 'sum');
  }
  return total as Rupiah;
}

/** `a - b`; throws `ValidationError` if `b > a`, because an amount of money cannot be negative. */
export function sub(a: Rupiah, b: Rupiah): Rupiah {
  return checked(a - b, `${a} - ${b}`);
}

/** `amount × times` for a non-negative whole `times` (e.g. months or workers); overflow throws. */
export function mul(amount: Rupiah, times: number): Rupiah {
  if (!Number.isSafeInteger(times) || times < 0) {
    throw ValidationError.forField('times', `must be a non-negative whole number, got ${times}`);
  }
  return checked(amount * times, `${amount} × ${times}`);
}

/** How many whole `unit`s fit in `amount`, and what is left: `quotient × unit + remainder = amount`. */
export function divmod(amount: Rupiah, unit: Rupiah): { quotient: number; remainder: Rupiah } {
  if (unit <= 0) throw ValidationError.forField('unit', 'must be greater than zero');
  // Float division can round a quotient just below an integer up to it near 2^53; bigint is exact.
  const a = BigInt(amount);
  const u = BigInt(unit);
  return { quotient: Number(a / u), remainder: Number(a % u) as Rupiah };
}

/** The smaller of two amounts. */
export function minRupiah(a: Rupiah, b: Rupiah): Rupiah {
  return a <= b ? a : b;
}

/** The larger of two amounts. */
export function maxRupiah(a: Rupiah, b: Rupiah): Rupiah {
  return a >= b ? a : b;
}

/** Orders amounts ascending; usable as an `Array.prototype.sort` comparator. */
export function compareRupiah(a: Rupiah, b: Rupiah): number {
  return a - b;
}

declare const basisPointsBrand: unique symbol;

/**
 * A share of a whole in basis points (1 bp = 0.01 %), an integer from 0 to 10,000. Integers keep percent
 * arithmetic exact: 10 % of Rp 100,000,000 is 1,000 bp and exactly Rp 10,000,000, never 9,999,999.99….
 */
export type BasisPoints = number & { readonly [basisPointsBrand]: 'BasisPoints' };

/** 100 % in basis points. */
export const FULL_SHARE = 10_000 as BasisPoints;

/** Validates a number of basis points (an integer 0–10,000). */
export function basisPoints(value: number, field = 'percent'): BasisPoints {
  if (Number.isInteger(value) && value >= 0 && value <= FULL_SHARE) return value as BasisPoints;
  throw ValidationError.forField(
    field,
    `must be a whole number of basis points from 0 to 10000, got ${value}`,
  );
}

const PERCENT_TEXT = /^(\d{1,3})(?:[.,](\d{1,2}))?\s*%?$/;

/**
 * Parses a percentage written as a decimal (`10`, `10%`, `2.5`, `2,25`) into basis points without floating
 * point; more than two decimals or more than 100 % is refused rather than rounded.
 */
export function parsePercent(text: string, field = 'percent'): BasisPoints {
  const match = PERCENT_TEXT.exec(text.trim());
  if (!match) {
    throw ValidationError.forField(
      field,
      `must be a percentage with at most two decimals, e.g. 10 or 2.5, got ${JSON.stringify(text)}`,
    );
  }
  const whole = Number(match[1]);
  const fraction = Number((match[2] ?? '').padEnd(2, '0'));
  return basisPoints(whole * 100 + fraction, field);
}

/** `amount × share`, rounded down to the rupiah so a share never exceeds what its whole can pay. */
export function percentOf(amount: Rupiah, share: BasisPoints): Rupiah {
  // amount × 10,000 can pass 2^53, so the product is taken in bigint.
  return Number((BigInt(amount) * BigInt(share)) / BigInt(FULL_SHARE)) as Rupiah;
}

/** Basis points as an Indonesian percentage: 1000 → `10%`, 250 → `2,5%`. */
export function formatPercent(share: BasisPoints): string {
  const whole = Math.floor(share / 100);
  const fraction = String(share % 100)
    .padStart(2, '0')
    .replace(/0+$/, '');
  return fraction === '' ? `${whole}%` : `${whole},${fraction}%`;
}

/** Basis points as a plain decimal string for machines: 1000 → `10`, 250 → `2.5`. */
export function percentToDecimalString(share: BasisPoints): string {
  const whole = Math.floor(share / 100);
  const fraction = String(share % 100)
    .padStart(2, '0')
    .replace(/0+$/, '');
  return fraction === '' ? `${whole}` : `${whole}.${fraction}`;
}

// Grouping only: maximumFractionDigits 0 because the inputs are integers by contract.
const idNumberFormat = new Intl.NumberFormat('id-ID', { maximumFractionDigits: 0, useGrouping: true });

/** A whole number with Indonesian grouping: 76538 → `76.538`, -1000 → `-1.000`. */
export function formatNumber(value: number): string {
  if (!Number.isSafeInteger(value)) {
    throw ValidationError.forField('value', `must be a safe integer, got ${value}`);
  }
  // Some ICU builds use a non-breaking space or U+2212 minus; normalise so output is plain ASCII.
  return idNumberFormat
    .format(value)
    .replace(/\u2212/g, '-')
    .replace(/[\u00a0\u202f]/g, ' ');
}

/** An amount as Indonesians write it: `Rp 10.000.000`, negatives (e.g. a delta) as `-Rp 1.000`. */
export function formatRupiah(value: number): string {
  const grouped = formatNumber(Math.abs(value));
  return value < 0 ? `-Rp ${grouped}` : `Rp ${grouped}`;
}
