import {
  benefitPackage,
  type CoverageRecord,
  type IsoDate,
  type Period,
  planRenewal,
  type Rupiah,
  releaseOnEnd,
} from '@lindung/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const p = (text: string) => text as Period;
const premium = 16_800 as Rupiah;
const pkg = benefitPackage({ programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 });
const worker = (id: string, start: string, more: Partial<CoverageRecord> = {}): CoverageRecord => ({
  id,
  birthDate: '1990-06-01' as IsoDate,
  startPeriod: p(start),
  status: 'active',
  enrolledAt: `2027-01-01T00:00:0${id.length}Z`,
  ...more,
});
const plan = (enrollments: CoverageRecord[], more: Partial<Parameters<typeof planRenewal>[0]> = {}) =>
  planRenewal({
    period: p('2027-03'),
    mode: 'fiscal-year',
    premium,
    enrollments,
    available: 0 as Rupiah,
    unpaidPeriodsBefore: 0,
    ...more,
  });

describe('planRenewal', () => {
  it('covers who started by the period and has not ended, from the reservation in fiscal-year mode', () => {
    // Act
    const result = plan([
      worker('a', '2027-01'),
      worker('b', '2027-03'),
      worker('c', '2027-04'),
      worker('d', '2027-01', { status: 'terminated', endPeriod: p('2027-03') }),
      worker('e', '2027-01', { status: 'terminated', endPeriod: p('2027-05') }),
    ]);

    // Assess
    expect(result.covered.map((r) => r.id)).toEqual(['a', 'b', 'e']);
    expect(result.total).toBe(3 * premium);
    expect(result.fromReserved).toBe(result.total);
    expect(result.endings).toEqual([]);
  });

  it('ends at the age limit: 66 on the first day of the period', () => {
    // Act
    const result = plan([worker('old', '2027-01', { birthDate: '1961-03-01' as IsoDate })]);

    // Assess
    expect(result.covered).toEqual([]);
    expect(result.endings.map((e) => [e.record.id, e.state, e.reason])).toEqual([
      ['old', 'expired', 'age-limit'],
    ]);
  });

  it('pays continuing workers from the unreserved budget in monthly mode and expires those it cannot pay', () => {
    // Act
    const result = plan([worker('new', '2027-03'), worker('x', '2027-01'), worker('yy', '2027-02')], {
      mode: 'monthly',
      available: premium,
    });

    // Assess: the new worker's month was reserved at enrollment; one continuing worker fits.
    expect(result.covered.map((r) => r.id)).toEqual(['x', 'new']);
    expect(result.fromReserved).toBe(premium);
    expect(result.fromAvailable).toBe(premium);
    expect(result.endings.map((e) => [e.record.id, e.reason])).toEqual([['yy', 'budget']]);
  });

  it('lapses everyone after three unpaid invoices in a row', () => {
    // Act
    const result = plan([worker('a', '2027-01'), worker('b', '2027-02')], { unpaidPeriodsBefore: 3 });

    // Assess
    expect(result.total).toBe(0);
    expect(result.endings.every((e) => e.state === 'lapsed' && e.reason === 'unpaid')).toBe(true);
    expect(plan([worker('a', '2027-01')], { unpaidPeriodsBefore: 2 }).covered).toHaveLength(1);
  });

  it('never pays more than it covers and never covers anyone twice (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 12 }), fc.option(fc.integer({ min: 1, max: 13 }))), {
          maxLength: 30,
        }),
        fc.integer({ min: 1, max: 12 }),
        fc.constantFrom('fiscal-year' as const, 'monthly' as const),
        fc.integer({ min: 0, max: 40 }),
        (specs, month, mode, fits) => {
          const records = specs.map(([start, end], i) =>
            worker(`w${i}`, `2027-${String(start).padStart(2, '0')}`, {
              ...(end !== null &&
                end > start && {
                  endPeriod: p(end === 13 ? '2028-01' : `2027-${String(end).padStart(2, '0')}`),
                }),
            }),
          );
          const result = plan(records, {
            period: p(`2027-${String(month).padStart(2, '0')}`),
            mode,
            available: (fits * premium) as Rupiah,
          });
          const ids = result.covered.map((r) => r.id);
          expect(new Set(ids).size).toBe(ids.length);
          expect(result.total).toBe(ids.length * premium);
          expect(result.fromAvailable).toBeLessThanOrEqual(fits * premium);
          expect(ids.length + result.endings.length).toBeLessThanOrEqual(records.length);
        },
      ),
    );
  });
});

describe('releaseOnEnd', () => {
  it('gives back the reserved months from the end in fiscal-year mode', () => {
    // Act
    const release = releaseOnEnd('fiscal-year', pkg, { startPeriod: p('2027-02') }, p('2027-05'));

    // Assess: May to December
    expect(release.periods).toHaveLength(8);
    expect(release.amount).toBe(8 * premium);
  });

  it('gives back only an unrolled start month in monthly mode, but every claimed month', () => {
    // Assess
    expect(releaseOnEnd('monthly', pkg, { startPeriod: p('2027-02') }, p('2027-02')).amount).toBe(premium);
    const later = releaseOnEnd('monthly', pkg, { startPeriod: p('2027-02') }, p('2027-04'));
    expect(later.amount).toBe(0);
    expect(later.periods).toHaveLength(9);
  });

  it('gives nothing back beyond an earlier end', () => {
    // Act
    const release = releaseOnEnd(
      'fiscal-year',
      pkg,
      { startPeriod: p('2027-01'), endPeriod: p('2027-04') },
      p('2027-06'),
    );

    // Assess
    expect(release).toEqual({ periods: [], amount: 0 });
  });
});
