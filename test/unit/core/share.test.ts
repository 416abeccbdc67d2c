import {
  benefitPackage,
  leavesPremium,
  type PayerShare,
  type PayerShares,
  parsePeriod,
  payerShare,
  premiumBreakdown,
  releaseSplitOnEnd,
  reservationSplit,
  rupiah,
  splitAt,
  splitPremium,
  ValidationError,
} from '@lindung/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const JAN = parsePeriod('2063-01');
/** JKK + JKM at the minimum income: Rp 10.000 + Rp 6.800 = Rp 16.800. */
const SPONSORED = benefitPackage({ programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 });
/** JKK + JKM + JHT at the minimum income: Rp 16.800 + Rp 20.000 = Rp 36.800. */
const WITH_JHT = benefitPackage({ programs: ['JKK', 'JKM', 'JHT'], declaredIncome: 1_000_000 });
const half: PayerShare = { kind: 'percent', basisPoints: 5_000 };

describe('splitPremium', () => {
  it('pays the whole premium to the primary when no share is stated (what every commitment did before)', () => {
    expect(splitAt(SPONSORED, JAN, {})).toEqual({ premium: 16_800, primary: 16_800, coFunder: 0, worker: 0 });
  });

  it('splits Rp 16.800 as 8.400 / 8.400 between a province at 50 % and its co-funding regency', () => {
    expect(splitAt(SPONSORED, JAN, { primary: half, coFunder: null })).toEqual({
      premium: 16_800,
      primary: 8_400,
      coFunder: 8_400,
      worker: 0,
    });
  });

  it('rounds the primary percentage down and gives the remainder to the co-funder: 33,33 % of 16.800', () => {
    // 16.800 × 3333 / 10000 = 5.599,44 → 5.599; the co-funder pays the other 11.201
    const split = splitAt(SPONSORED, JAN, {
      primary: { kind: 'percent', basisPoints: 3_333 },
      coFunder: null,
    });
    expect(split).toEqual({ premium: 16_800, primary: 5_599, coFunder: 11_201, worker: 0 });
  });

  it('leaves the rest to the worker without a co-funder', () => {
    const split = splitAt(SPONSORED, JAN, { primary: { kind: 'percent', basisPoints: 3_333 } });
    expect(split).toEqual({ premium: 16_800, primary: 5_599, coFunder: 0, worker: 11_201 });
  });

  it('pays whole programmes: the province pays JKK + JKM and the worker adds JHT', () => {
    const split = splitAt(WITH_JHT, JAN, { primary: { kind: 'programs', programs: ['JKK', 'JKM'] } });
    expect(split).toEqual({ premium: 36_800, primary: 16_800, coFunder: 0, worker: 20_000 });
  });

  it('pays a fixed amount a month, capped by the premium', () => {
    expect(
      splitAt(SPONSORED, JAN, { primary: { kind: 'fixed', amount: rupiah(10_000) }, coFunder: null }),
    ).toEqual({
      premium: 16_800,
      primary: 10_000,
      coFunder: 6_800,
      worker: 0,
    });
    expect(
      splitAt(SPONSORED, JAN, { primary: { kind: 'fixed', amount: rupiah(50_000) }, coFunder: null }),
    ).toEqual({
      premium: 16_800,
      primary: 16_800,
      coFunder: 0,
      worker: 0,
    });
  });

  it('caps a co-funder that states its own share by what the primary leaves; the worker pays the rest', () => {
    const shares: PayerShares = { primary: half, coFunder: { kind: 'fixed', amount: rupiah(5_000) } };
    expect(splitAt(SPONSORED, JAN, shares)).toEqual({
      premium: 16_800,
      primary: 8_400,
      coFunder: 5_000,
      worker: 3_400,
    });
    const generous: PayerShares = { primary: half, coFunder: { kind: 'percent', basisPoints: 8_000 } };
    expect(splitAt(SPONSORED, JAN, generous)).toMatchObject({ primary: 8_400, coFunder: 8_400, worker: 0 });
  });

  it('always adds the shares up to the premium exactly, in whole rupiah none negative', () => {
    const share = fc.oneof(
      fc.constant(undefined),
      fc.integer({ min: 1, max: 10_000 }).map((bp): PayerShare => ({ kind: 'percent', basisPoints: bp })),
      fc
        .integer({ min: 1, max: 300_000 })
        .map((amount): PayerShare => ({ kind: 'fixed', amount: amount as never })),
      fc
        .subarray(['JKK', 'JKM', 'JHT'] as const, { minLength: 1 })
        .map((programs): PayerShare => ({ kind: 'programs', programs })),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000_000, max: 50_000_000 }),
        share,
        fc.option(share, { nil: null }),
        fc.boolean(),
        (income, primary, coFunder, coFunded) => {
          const breakdown = premiumBreakdown(
            benefitPackage({ programs: ['JKK', 'JKM', 'JHT'], declaredIncome: income }),
            JAN,
          );
          const split = splitPremium(breakdown, { primary, ...(coFunded && { coFunder }) });
          expect(split.primary + split.coFunder + split.worker).toBe(breakdown.total);
          for (const part of [split.primary, split.coFunder, split.worker]) {
            expect(Number.isSafeInteger(part) && part >= 0).toBe(true);
          }
          if (!coFunded) expect(split.coFunder).toBe(0);
          if (coFunded && coFunder === null) expect(split.worker).toBe(0);
        },
      ),
    );
  });
});

describe('reservationSplit and releaseSplitOnEnd', () => {
  it('reserves each payer its share of every remaining month of the year: 12 × 8.400 each from January', () => {
    const { periods, split } = reservationSplit('fiscal-year', SPONSORED, JAN, {
      primary: half,
      coFunder: null,
    });
    expect(periods).toHaveLength(12);
    expect(split).toEqual({ premium: 201_600, primary: 100_800, coFunder: 100_800, worker: 0 });
  });

  it('gives each payer back its share of the months after a termination', () => {
    const shares: PayerShares = { primary: { kind: 'percent', basisPoints: 3_333 }, coFunder: null };
    const { periods, split } = releaseSplitOnEnd(
      'fiscal-year',
      SPONSORED,
      { startPeriod: JAN },
      parsePeriod('2063-10'),
      shares,
    );
    expect(periods).toEqual(['2063-10', '2063-11', '2063-12']);
    expect(split).toEqual({ premium: 50_400, primary: 3 * 5_599, coFunder: 3 * 11_201, worker: 0 });
  });
});

describe('payerShare', () => {
  it('keeps programmes in canonical order and refuses one outside the package', () => {
    expect(payerShare({ kind: 'programs', programs: ['JKM', 'JKK'] }, WITH_JHT)).toEqual({
      kind: 'programs',
      programs: ['JKK', 'JKM'],
    });
    expect(() => payerShare({ kind: 'programs', programs: ['JHT'] }, SPONSORED)).toThrow(ValidationError);
  });

  it('refuses a share of nothing and a percentage above 100 %', () => {
    expect(() => payerShare({ kind: 'percent', basisPoints: 0 }, SPONSORED)).toThrow(ValidationError);
    expect(() => payerShare({ kind: 'percent', basisPoints: 10_001 }, SPONSORED)).toThrow(ValidationError);
    expect(() => payerShare({ kind: 'fixed', amount: 0 as never }, SPONSORED)).toThrow(ValidationError);
    expect(payerShare(undefined, SPONSORED)).toBeUndefined();
  });

  it('tells whether a share leaves part of the premium to someone else', () => {
    expect(leavesPremium(undefined, SPONSORED)).toBe(false);
    expect(leavesPremium({ kind: 'percent', basisPoints: 10_000 }, SPONSORED)).toBe(false);
    expect(leavesPremium(half, SPONSORED)).toBe(true);
    expect(leavesPremium({ kind: 'programs', programs: ['JKK', 'JKM'] }, WITH_JHT)).toBe(true);
    expect(leavesPremium({ kind: 'programs', programs: ['JKK', 'JKM'] }, SPONSORED)).toBe(false);
  });
});
