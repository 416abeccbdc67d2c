import {
  add,
  basisPoints,
  divmod,
  formatNumber,
  formatPercent,
  formatRupiah,
  mul,
  parsePercent,
  parseRupiah,
  percentOf,
  percentToDecimalString,
  type Rupiah,
  rupiah,
  sub,
  sum,
  ValidationError,
} from '@lindung/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('rupiah', () => {
  it('accepts non-negative safe integers', () => {
    // Prepare
    const values = [0, 1, 16_800, Number.MAX_SAFE_INTEGER];

    // Act
    const amounts = values.map((value) => rupiah(value));

    // Assess
    expect(amounts).toEqual(values);
  });

  it.each([
    ['a fraction', 1.5],
    ['a negative', -1],
    ['a value beyond MAX_SAFE_INTEGER', Number.MAX_SAFE_INTEGER + 1],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('rejects %s with a validation error', (_label, value) => {
    // Act
    const act = () => rupiah(value, 'budget');

    // Assess
    expect(act).toThrow(ValidationError);
    expect(act).toThrow(/budget/);
  });
});

describe('parseRupiah', () => {
  it.each([
    ['10000000', 10_000_000],
    ['10.000.000', 10_000_000],
    ['Rp 10.000.000', 10_000_000],
    ['10_000_000', 10_000_000],
    [' 16800 ', 16_800],
  ])('reads %j as %i', (text, expected) => {
    // Act
    const amount = parseRupiah(text);

    // Assess
    expect(amount).toBe(expected);
  });

  it.each(['1,5', '10.5', '10.00', '-1000', '1e7', '', 'abc', '99999999999999999999'])(
    'rejects %j',
    (text) => {
      // Act
      const act = () => parseRupiah(text);

      // Assess
      expect(act).toThrow(ValidationError);
    },
  );
});

describe('money arithmetic', () => {
  const amount = fc.integer({ min: 0, max: 2 ** 40 }).map((n) => n as Rupiah);

  it('adds and subtracts exactly', () => {
    // Assess
    fc.assert(
      fc.property(amount, amount, (a, b) => {
        expect(sub(add(a, b), b)).toBe(a);
      }),
    );
  });

  it('refuses a subtraction that would go negative', () => {
    // Act
    const act = () => sub(rupiah(1_000), rupiah(1_001));

    // Assess
    expect(act).toThrow(ValidationError);
  });

  it('refuses a sum or product beyond MAX_SAFE_INTEGER', () => {
    // Prepare
    const big = rupiah(Number.MAX_SAFE_INTEGER);

    // Act / Assess
    expect(() => add(big, rupiah(1))).toThrow(ValidationError);
    expect(() => sum([big, rupiah(1), rupiah(0)])).toThrow(ValidationError);
    expect(() => mul(big, 2)).toThrow(ValidationError);
  });

  it('refuses a fractional or negative multiplier', () => {
    // Act / Assess
    expect(() => mul(rupiah(100), 1.5)).toThrow(ValidationError);
    expect(() => mul(rupiah(100), -1)).toThrow(ValidationError);
  });

  it('divides into whole units and a remainder', () => {
    // Assess
    fc.assert(
      fc.property(amount, fc.integer({ min: 1, max: 10_000_000 }), (total, unit) => {
        const { quotient, remainder } = divmod(total, unit as Rupiah);
        expect(quotient * unit + remainder).toBe(total);
        expect(remainder).toBeGreaterThanOrEqual(0);
        expect(remainder).toBeLessThan(unit);
      }),
    );
  });

  it('sums an empty list to zero', () => {
    // Act
    const total = sum([]);

    // Assess
    expect(total).toBe(0);
  });
});

describe('percentages', () => {
  it('takes 10 % of Rp 100,000,000 as exactly Rp 10,000,000', () => {
    // Prepare
    const percent = parsePercent('10');

    // Act
    const share = percentOf(rupiah(100_000_000), percent);

    // Assess
    expect(percent).toBe(1_000);
    expect(share).toBe(10_000_000);
  });

  it.each([
    ['10', 1_000],
    ['10%', 1_000],
    ['2.5', 250],
    ['2,25', 225],
    ['0.01', 1],
    ['100', 10_000],
  ])('parses %j as %i basis points', (text, expected) => {
    // Act
    const bps = parsePercent(text);

    // Assess
    expect(bps).toBe(expected);
  });

  it.each(['100.01', '101', '2.255', '-1', 'ten', ''])('rejects %j', (text) => {
    // Act
    const act = () => parsePercent(text);

    // Assess
    expect(act).toThrow(ValidationError);
  });

  it('rounds a share down and never exceeds the whole', () => {
    // Assess
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 0, max: 10_000 }),
        (a, p) => {
          const share = percentOf(a as Rupiah, basisPoints(p));
          expect(Number.isSafeInteger(share)).toBe(true);
          expect(share).toBeLessThanOrEqual(a);
          expect(BigInt(share) * 10_000n <= BigInt(a) * BigInt(p)).toBe(true);
          expect((BigInt(share) + 1n) * 10_000n > BigInt(a) * BigInt(p)).toBe(true);
        },
      ),
    );
  });

  it('formats basis points for people and for machines', () => {
    // Act / Assess
    expect(formatPercent(basisPoints(1_000))).toBe('10%');
    expect(formatPercent(basisPoints(250))).toBe('2,5%');
    expect(percentToDecimalString(basisPoints(225))).toBe('2.25');
    expect(percentToDecimalString(basisPoints(1_000))).toBe('10');
  });
});

describe('formatRupiah', () => {
  it.each([
    [10_000_000, 'Rp 10.000.000'],
    [16_800, 'Rp 16.800'],
    [0, 'Rp 0'],
    [999, 'Rp 999'],
    [-1_000, '-Rp 1.000'],
    [15_400_000_000, 'Rp 15.400.000.000'],
  ])('formats %i as %j with a plain space', (value, expected) => {
    // Act
    const text = formatRupiah(value);

    // Assess
    expect(text).toBe(expected);
  });

  it('groups plain numbers with dots', () => {
    // Act / Assess
    expect(formatNumber(76_538)).toBe('76.538');
    expect(formatNumber(1_562)).toBe('1.562');
    expect(formatNumber(49)).toBe('49');
  });

  it('round-trips through parseRupiah', () => {
    // Assess
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (value) => {
        expect(parseRupiah(formatRupiah(value))).toBe(value);
      }),
    );
  });
});
