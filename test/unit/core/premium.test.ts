import {
  annualPremium,
  benefitPackage,
  coverageCost,
  monthlyPremium,
  PREMIUM_SCHEDULE,
  type PremiumRates,
  type PremiumSchedule,
  parsePeriod,
  premiumBreakdown,
  premiumForPeriods,
  type Rupiah,
  ratesFor,
  rupiah,
  ValidationError,
} from '@lindung/core';
import { describe, expect, it } from 'vitest';

const jan2025 = parsePeriod('2025-01');
const minimum = benefitPackage({ programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 });

describe('premium schedule', () => {
  it('holds the BPU rates of PP 82/2019 effective from 2019-12, with their source', () => {
    // Act
    const rates = ratesFor(jan2025);

    // Assess
    expect(rates.effectiveFrom).toBe('2019-12');
    expect(rates.source).toMatch(/PP 82\/2019/);
    expect(rates.jkk).toEqual({ rate: 100, floor: 10_000, ceiling: 207_000 });
    expect(rates.jkm.flat).toBe(6_800);
    expect(rates.jht.rate).toBe(200);
    expect(rates.minimumDeclaredIncome).toBe(1_000_000);
  });

  it('has no rates before the first version', () => {
    // Act
    const act = () => ratesFor(parsePeriod('2019-11'));

    // Assess
    expect(act).toThrow(ValidationError);
  });

  it('prices each period with the version in force then', () => {
    // Prepare
    const [current] = PREMIUM_SCHEDULE as [PremiumRates];
    const schedule: PremiumSchedule = [
      current,
      {
        ...current,
        effectiveFrom: parsePeriod('2026-07'),
        jkm: { flat: rupiah(8_000) },
        source: 'hypothetical',
      },
    ];

    // Act
    const june = monthlyPremium(minimum, parsePeriod('2026-06'), schedule);
    const july = monthlyPremium(minimum, parsePeriod('2026-07'), schedule);
    const year = annualPremium(minimum, 2026, schedule);

    // Assess
    expect(june).toBe(16_800);
    expect(july).toBe(18_000);
    expect(year).toBe(6 * 16_800 + 6 * 18_000);
  });
});

describe('monthlyPremium', () => {
  it('prices JKK + JKM at Rp 1,000,000 at Rp 16,800 a month', () => {
    // Act
    const premium = monthlyPremium(minimum, jan2025);

    // Assess
    expect(premium).toBe(16_800);
  });

  it('itemises the premium per programme', () => {
    // Prepare
    const withJht = benefitPackage({ programs: ['JHT', 'JKM', 'JKK'], declaredIncome: 2_000_000 });

    // Act
    const breakdown = premiumBreakdown(withJht, jan2025);

    // Assess
    expect(breakdown.items).toEqual([
      { program: 'JKK', amount: 20_000 },
      { program: 'JKM', amount: 6_800 },
      { program: 'JHT', amount: 40_000 },
    ]);
    expect(breakdown.total).toBe(66_800);
    expect(breakdown.ratesEffectiveFrom).toBe('2019-12');
  });

  it('caps JKK at Rp 207,000', () => {
    // Prepare
    const rich = benefitPackage({ programs: ['JKK', 'JKM'], declaredIncome: 50_000_000 });

    // Act
    const breakdown = premiumBreakdown(rich, jan2025);

    // Assess
    expect(breakdown.items[0]).toEqual({ program: 'JKK', amount: 207_000 });
  });

  it('rounds 1 % of an odd income down to the rupiah', () => {
    // Prepare
    const odd = benefitPackage({ programs: ['JKK', 'JKM'], declaredIncome: 1_234_567 });

    // Act
    const breakdown = premiumBreakdown(odd, jan2025);

    // Assess
    expect(breakdown.items[0]).toEqual({ program: 'JKK', amount: 12_345 });
  });
});

describe('annualPremium', () => {
  it('is Rp 201,600 for JKK + JKM at the minimum income', () => {
    // Act
    const annual = annualPremium(minimum, 2025);

    // Assess
    expect(annual).toBe(201_600);
  });

  it('equals the cost of 12 months from January and the sum of its periods', () => {
    // Act
    const cost = coverageCost(minimum, jan2025, 12);
    const perPeriod = premiumForPeriods(minimum, [jan2025, parsePeriod('2025-02')]);

    // Assess
    expect(cost).toBe(201_600);
    expect(perPeriod).toBe(33_600);
  });
});

describe('benefitPackage', () => {
  it('refuses a declared income below the BPJS minimum of Rp 1,000,000 instead of pricing it at the floor', () => {
    // Act
    const act = () => benefitPackage({ programs: ['JKK', 'JKM'], declaredIncome: 999_999 }, jan2025);

    // Assess
    expect(act).toThrow(ValidationError);
    expect(act).toThrow(/declaredIncome/);
  });

  it.each([
    ['JHT without the mandatory JKK', ['JKM', 'JHT']],
    ['no programme', []],
    ['an unknown programme', ['JKK', 'JKM', 'JKP']],
    ['a duplicate', ['JKK', 'JKM', 'JKM']],
  ])('refuses %s', (_label, programs) => {
    // Act
    const act = () => benefitPackage({ programs, declaredIncome: 1_000_000 });

    // Assess
    expect(act).toThrow(ValidationError);
  });

  it('refuses a fractional declared income even when the type was bypassed', () => {
    // Act
    const act = () =>
      monthlyPremium({ programs: ['JKK', 'JKM'], declaredIncome: 1_000_000.5 as Rupiah }, jan2025);

    // Assess
    expect(act).toThrow(ValidationError);
  });

  it('lists every issue at once', () => {
    // Act
    let error: unknown;
    try {
      benefitPackage({ programs: ['JHT'], declaredIncome: 5 });
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((issue) => issue.path)).toEqual([
      'programs',
      'programs',
      'declaredIncome',
    ]);
  });
});
