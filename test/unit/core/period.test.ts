import {
  addMonths,
  comparePeriods,
  dateAt,
  dueDate,
  fiscalYearOf,
  fiscalYearPeriods,
  isIsoDate,
  isPeriod,
  monthsBetween,
  type Period,
  parsePeriod,
  periodAt,
  periodOf,
  periodRange,
  periodStart,
  remainingPeriodsOfFiscalYear,
  ValidationError,
} from '@lindung/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const periodArb = fc
  .record({ year: fc.integer({ min: 1900, max: 2500 }), month: fc.integer({ min: 1, max: 12 }) })
  .map(({ year, month }) => periodOf(year, month));

describe('parsePeriod', () => {
  it('accepts YYYY-MM', () => {
    // Act
    const period = parsePeriod('2025-01');

    // Assess
    expect(period).toBe('2025-01');
  });

  it.each(['2025-1', '2025-13', '2025-00', '25-01', '2025/01', '2025-01-15', ''])('rejects %j', (text) => {
    // Act
    const act = () => parsePeriod(text);

    // Assess
    expect(act).toThrow(ValidationError);
  });

  it('round-trips through its year and month', () => {
    // Assess
    fc.assert(
      fc.property(periodArb, (period) => {
        const [year, month] = period.split('-').map(Number);
        expect(periodOf(year ?? 0, month ?? 0)).toBe(period);
        expect(parsePeriod(period)).toBe(period);
        expect(isPeriod(period)).toBe(true);
      }),
    );
  });
});

describe('period arithmetic', () => {
  it('crosses year boundaries both ways', () => {
    // Act / Assess
    expect(addMonths(parsePeriod('2024-12'), 1)).toBe('2025-01');
    expect(addMonths(parsePeriod('2025-01'), -1)).toBe('2024-12');
    expect(addMonths(parsePeriod('2025-03'), 22)).toBe('2027-01');
    expect(monthsBetween(parsePeriod('2024-11'), parsePeriod('2025-02'))).toBe(3);
  });

  it('adding then subtracting months returns the same period', () => {
    // Assess
    fc.assert(
      fc.property(periodArb, fc.integer({ min: -1200, max: 1200 }), (period, months) => {
        const moved = addMonths(period, months);
        expect(addMonths(moved, -months)).toBe(period);
        expect(monthsBetween(period, moved)).toBe(months);
        expect(Math.sign(comparePeriods(moved, period))).toBe(Math.sign(months));
      }),
    );
  });

  it('orders periods as strings order them', () => {
    // Assess
    fc.assert(
      fc.property(periodArb, periodArb, (a, b) => {
        expect(Math.sign(comparePeriods(a, b))).toBe(Math.sign(a.localeCompare(b)));
      }),
    );
  });

  it('lists an inclusive range', () => {
    // Act
    const range = periodRange(parsePeriod('2024-11'), parsePeriod('2025-02'));

    // Assess
    expect(range).toEqual(['2024-11', '2024-12', '2025-01', '2025-02']);
    expect(periodRange(parsePeriod('2025-02'), parsePeriod('2025-01'))).toEqual([]);
  });
});

describe('fiscal year', () => {
  it('runs January to December', () => {
    // Act
    const periods = fiscalYearPeriods(2025);

    // Assess
    expect(periods).toHaveLength(12);
    expect(periods[0]).toBe('2025-01');
    expect(periods[11]).toBe('2025-12');
  });

  it('has the remaining months from a start period to December', () => {
    // Act
    const remaining = remainingPeriodsOfFiscalYear(parsePeriod('2025-10'));

    // Assess
    expect(remaining).toEqual(['2025-10', '2025-11', '2025-12']);
  });

  it('counts 13 minus the start month for any start', () => {
    // Assess
    fc.assert(
      fc.property(periodArb, (start: Period) => {
        const remaining = remainingPeriodsOfFiscalYear(start);
        expect(remaining).toHaveLength(13 - Number(start.slice(5)));
        expect(remaining.every((p) => fiscalYearOf(p) === fiscalYearOf(start))).toBe(true);
      }),
    );
  });
});

describe('dueDate', () => {
  it('is the 15th of the period', () => {
    // Act
    const due = dueDate(parsePeriod('2025-02'));

    // Assess
    expect(due).toBe('2025-02-15');
    expect(isIsoDate(due)).toBe(true);
  });
});

describe('periodAt', () => {
  it('uses Asia/Jakarta (UTC+7): 17:00 UTC on 31 December is already January', () => {
    // Prepare
    const newYearInJakarta = new Date('2024-12-31T17:00:00Z');
    const lastSecondOfDecember = new Date('2024-12-31T16:59:59.999Z');

    // Act / Assess
    expect(periodAt(newYearInJakarta)).toBe('2025-01');
    expect(periodAt(lastSecondOfDecember)).toBe('2024-12');
    expect(dateAt(newYearInJakarta)).toBe('2025-01-01');
  });

  it('is the period whose start is the latest not after the instant', () => {
    // Assess
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1990-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
        (d) => {
          const period = periodAt(d);
          expect(periodStart(period).getTime()).toBeLessThanOrEqual(d.getTime());
          expect(periodStart(addMonths(period, 1)).getTime()).toBeGreaterThan(d.getTime());
        },
      ),
    );
  });

  it('starts a period at 00:00 WIB, 17:00 UTC the day before', () => {
    // Act
    const start = periodStart(parsePeriod('2025-01'));

    // Assess
    expect(start.toISOString()).toBe('2024-12-31T17:00:00.000Z');
  });
});
