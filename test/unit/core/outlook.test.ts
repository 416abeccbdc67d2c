import { MAX_PROJECTED_MONTHS, type Period, targetOutlook } from '@lindung/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const YEAR = 2027;
const p = (month: number, year = YEAR) => `${year}-${String(month).padStart(2, '0')}` as Period;
const trendOf = (covered: readonly number[]) => covered.map((n, i) => ({ period: p(i + 1), covered: n }));

describe('targetOutlook', () => {
  it('projects the month the target is reached at the net growth since the first covered month', () => {
    // Prepare: nothing in January, 100 in February growing to 400 in May: 100 workers a month over 3 months.
    const trend = trendOf([0, 100, 200, 300, 400]);

    // Act: 1,000 workers to cover, 600 still missing.
    const outlook = targetOutlook(trend, 1000, YEAR);

    // Assess: 6 more months after May.
    expect(outlook).toEqual({
      status: 'projected',
      period: p(11),
      workersPerMonth: 100,
      basisMonths: 3,
      withinFiscalYear: true,
    });
  });

  it('rounds a part month up and says when the target falls after December', () => {
    const outlook = targetOutlook(trendOf([30, 40, 50]), 200, YEAR);

    // 150 missing at 10 a month: 15 months after March is June of the next year.
    expect(outlook).toMatchObject({ status: 'projected', period: p(6, YEAR + 1), withinFiscalYear: false });
    expect(targetOutlook(trendOf([0, 3, 6, 10]), 14, YEAR)).toMatchObject({
      status: 'projected',
      // 4 missing at 7 per 2 months = 3.5 a month: one month is not enough, two are.
      period: p(6),
      workersPerMonth: 3.5,
    });
  });

  it('names the first month the target was reached, even if coverage fell after it', () => {
    expect(targetOutlook(trendOf([50, 120, 90]), 100, YEAR)).toEqual({ status: 'reached', period: p(2) });
  });

  it('names no month more than ten years away', () => {
    // 1 worker a month, 95.675 missing (the counterexample fast-check found: year 9999 and beyond).
    expect(targetOutlook(trendOf([1, 2]), 95_677, YEAR)).toEqual({
      status: 'not-at-current-rate',
      workersPerMonth: 1,
      basisMonths: 1,
    });
  });

  it('never invents a month when coverage does not grow', () => {
    expect(targetOutlook(trendOf([80, 80, 70]), 100, YEAR)).toEqual({
      status: 'not-at-current-rate',
      workersPerMonth: -5,
      basisMonths: 2,
    });
    expect(targetOutlook(trendOf([0, 0, 40]), 100, YEAR)).toMatchObject({
      status: 'not-at-current-rate',
      basisMonths: 0,
    });
    expect(targetOutlook([], 100, YEAR)).toMatchObject({ status: 'not-at-current-rate' });
  });

  it('says a closed year did not reach its target, and that no target means no outlook', () => {
    const year = trendOf([10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 96, 97]);
    expect(targetOutlook(year, 100, YEAR)).toEqual({ status: 'not-reached' });
    expect(targetOutlook(year, 0, YEAR)).toEqual({ status: 'no-target' });
  });

  it('projects a month at which the current rate covers the gap, and not a month earlier', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 100_000 }),
        (start, step, months, extra) => {
          const trend = trendOf(Array.from({ length: months + 1 }, (_, i) => start + i * step));
          const latest = start + months * step;
          const outlook = targetOutlook(trend, latest + extra, YEAR);
          // More than ten years away at this rate: no month is named.
          if (Math.ceil(extra / step) > MAX_PROJECTED_MONTHS) return outlook.status === 'not-at-current-rate';
          if (outlook.status !== 'projected') return false;
          const after = monthsFrom(p(months + 1), outlook.period);
          // `after` months of `step` cover the gap; one fewer does not.
          return after * step >= extra && (after - 1) * step < extra;
        },
      ),
    );
  });
});

const monthsFrom = (from: Period, to: Period) => {
  const [fy, fm] = from.split('-').map(Number) as [number, number];
  const [ty, tm] = to.split('-').map(Number) as [number, number];
  return (ty - fy) * 12 + (tm - fm);
};
