import { forecastCoverage, type Period } from '@lindung/core';
import { describe, expect, it } from 'vitest';

const YEAR = 2031;
const p = (month: number, year = YEAR) => `${year}-${String(month).padStart(2, '0')}` as Period;
const PREMIUM = 16_800;

describe('forecastCoverage', () => {
  it('divides the money not yet spent by the mean of the last three months with spending', () => {
    // Prepare: 40, 50, 60 workers' premiums in Feb–Apr (January ignored: only the last three count).
    const burn = [
      { period: p(1), spent: PREMIUM },
      { period: p(2), spent: 40 * PREMIUM },
      { period: p(3), spent: 50 * PREMIUM },
      { period: p(4), spent: 60 * PREMIUM },
      { period: p(5), spent: 0 },
    ];

    // Act
    const forecast = forecastCoverage(burn, 50 * PREMIUM * 7 + 1, YEAR);

    // Assess: 7 of the 8 months May–December are paid; the 8th lacks one month less one rupiah.
    expect(forecast).toEqual({
      monthlyBurn: 50 * PREMIUM,
      basis: [p(2), p(3), p(4)],
      monthsOfCoverageLeft: 7,
      fundedThrough: p(11),
      yearEnd: p(12),
      monthsToYearEnd: 8,
      lastsTheYear: false,
      neededToYearEnd: 8 * 50 * PREMIUM,
      surplusAtYearEnd: 0,
      shortfallToYearEnd: 50 * PREMIUM - 1,
      nextYearNeed: 12 * 50 * PREMIUM,
    });
  });

  it('stops at December of the fiscal year: the issue’s 53 months to Sep 2031 for a 2027 budget', () => {
    // Prepare: 10 workers a month through April 2027, and 53 months of that pace left unspent.
    const burn = [1, 2, 3, 4].map((month) => ({ period: p(month, 2027), spent: 10 * PREMIUM }));
    const unspent = 53 * 10 * PREMIUM;

    // Act
    const forecast = forecastCoverage(burn, unspent, 2027);

    // Assess: enough to the end of 2027 (8 months), Rp 7.560.000 over, next year Rp 2.016.000.
    expect(forecast).toMatchObject({
      monthlyBurn: 168_000,
      monthsOfCoverageLeft: 8,
      fundedThrough: p(12, 2027),
      yearEnd: p(12, 2027),
      monthsToYearEnd: 8,
      lastsTheYear: true,
      neededToYearEnd: 1_344_000,
      surplusAtYearEnd: 7_560_000,
      shortfallToYearEnd: 0,
      nextYearNeed: 2_016_000,
    });
  });

  it('lasts the year exactly when the money pays every month to December, not one rupiah less', () => {
    // Prepare: a pace of 1.000 a month through September: October–December need 3.000.
    const burn = [{ period: p(9), spent: 1_000 }];

    // Act
    const exact = forecastCoverage(burn, 3_000, YEAR);
    const short = forecastCoverage(burn, 2_999, YEAR);

    // Assess
    expect(exact).toMatchObject({ lastsTheYear: true, fundedThrough: p(12), surplusAtYearEnd: 0 });
    expect(short).toMatchObject({
      lastsTheYear: false,
      monthsOfCoverageLeft: 2,
      fundedThrough: p(11),
      shortfallToYearEnd: 1,
    });
  });

  it('rounds a pace of uneven months down for the burn and up for what the year and next year need', () => {
    // Prepare: 100 + 100 + 101 rupiah: a mean of 100⅓.
    const burn = [10, 11, 12].map((month, i) => ({ period: p(month), spent: i === 2 ? 101 : 100 }));

    // Act
    const forecast = forecastCoverage(burn, 1_000, YEAR);

    // Assess: nothing left to pay after December; next year 12 × 100⅓ = 1.204.
    expect(forecast).toMatchObject({
      monthlyBurn: 100,
      monthsToYearEnd: 0,
      monthsOfCoverageLeft: 0,
      fundedThrough: p(12),
      lastsTheYear: true,
      neededToYearEnd: 0,
      surplusAtYearEnd: 1_000,
      nextYearNeed: 1_204,
    });
  });

  it('forecasts nothing before anything was spent, and zero months when nothing is left', () => {
    // Act
    const before = forecastCoverage([{ period: p(1), spent: 0 }], 1_000_000, YEAR);
    const spentOut = forecastCoverage([{ period: p(11), spent: PREMIUM }], 0, YEAR);

    // Assess
    expect(before).toEqual({
      monthlyBurn: 0,
      basis: [],
      monthsOfCoverageLeft: null,
      fundedThrough: null,
      yearEnd: p(12),
      monthsToYearEnd: null,
      lastsTheYear: null,
      neededToYearEnd: 0,
      surplusAtYearEnd: 0,
      shortfallToYearEnd: 0,
      nextYearNeed: 0,
    });
    expect(spentOut).toMatchObject({
      monthsOfCoverageLeft: 0,
      fundedThrough: p(11),
      lastsTheYear: false,
      shortfallToYearEnd: PREMIUM,
    });
  });
});
