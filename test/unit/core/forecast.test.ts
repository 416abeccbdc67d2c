import { forecastCoverage, type Period } from '@lindung/core';
import { describe, expect, it } from 'vitest';

const p = (month: number) => `2031-${String(month).padStart(2, '0')}` as Period;

describe('forecastCoverage', () => {
  it('divides the money not yet spent by the mean of the last three months with spending', () => {
    // Prepare: 40, 50, 60 workers' premiums in Feb–Apr (January ignored: only the last three count).
    const burn = [
      { period: p(1), spent: 16_800 },
      { period: p(2), spent: 40 * 16_800 },
      { period: p(3), spent: 50 * 16_800 },
      { period: p(4), spent: 60 * 16_800 },
      { period: p(5), spent: 0 },
    ];

    // Act
    const forecast = forecastCoverage(burn, 50 * 16_800 * 7 + 1);

    // Assess
    expect(forecast).toEqual({
      monthlyBurn: 50 * 16_800,
      basis: [p(2), p(3), p(4)],
      monthsOfCoverageLeft: 7,
      fundedThrough: p(11),
    });
  });

  it('rounds the months down: a month that cannot be paid in full is not counted', () => {
    // Act
    const forecast = forecastCoverage([{ period: p(3), spent: 1_000 }], 2_999);

    // Assess
    expect(forecast.monthsOfCoverageLeft).toBe(2);
    expect(forecast.fundedThrough).toBe(p(5));
  });

  it('forecasts nothing before anything was spent, and zero months when nothing is left', () => {
    // Act
    const before = forecastCoverage([{ period: p(1), spent: 0 }], 1_000_000);
    const spentOut = forecastCoverage([{ period: p(12), spent: 16_800 }], 0);

    // Assess
    expect(before).toEqual({ monthlyBurn: 0, basis: [], monthsOfCoverageLeft: null, fundedThrough: null });
    expect(spentOut.monthsOfCoverageLeft).toBe(0);
    expect(spentOut.fundedThrough).toBe(p(12));
  });
});
