import {
  annualPremium,
  basisPoints,
  benefitPackage,
  planCoverage,
  type Rupiah,
  targetWorkers,
  ValidationError,
} from '@lindung/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const fullYear = annualPremium(benefitPackage({ programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 }), 2027);

describe('planCoverage', () => {
  it('prices South Sumatra’s way from 1.075.000 covered to 50 % of 2,8 million workers', () => {
    // Prepare: the regencies' vulnerable workers (made up, 937.000 in all).
    const regencies = [
      { code: '16.01', vulnerableWorkers: 120_000 },
      { code: '16.02', vulnerableWorkers: 95_000 },
      { code: '16.71', vulnerableWorkers: 722_000 },
    ];

    // Act
    const plan = planCoverage(
      { kind: 'percent', share: basisPoints(5_000), of: 2_800_000 },
      1_075_000,
      fullYear,
      regencies,
    );

    // Assess
    expect(fullYear).toBe(201_600);
    expect(plan).toMatchObject({ targetWorkers: 1_400_000, gap: 325_000, cost: 65_520_000_000 });
    expect(plan.regions.map((r) => r.workers)).toEqual([41_622, 32_951, 250_427]);
    expect(plan.regions.reduce((sum, r) => sum + r.workers, 0)).toBe(325_000);
    expect(plan.regions.reduce((sum, r) => sum + r.cost, 0)).toBe(65_520_000_000);
  });

  it('asks for nothing more once the target is reached, and rounds a share of workers up', () => {
    // Act
    const reached = planCoverage({ kind: 'workers', workers: 10 }, 12, fullYear);
    const third = targetWorkers({ kind: 'percent', share: basisPoints(5_000), of: 3 });

    // Assess
    expect(reached).toMatchObject({ gap: 0, cost: 0, regions: [] });
    expect(third).toBe(2);
  });

  it('leaves the split empty when no child region has a vulnerable worker on record', () => {
    // Act
    const plan = planCoverage({ kind: 'workers', workers: 100 }, 0, fullYear, [
      { code: '16.01', vulnerableWorkers: 0 },
    ]);

    // Assess
    expect(plan.gap).toBe(100);
    expect(plan.regions).toEqual([]);
  });

  it('refuses a covered or worker count that is not a whole number', () => {
    // Act, Assess
    expect(() => planCoverage({ kind: 'workers', workers: 1.5 }, 0, fullYear)).toThrow(ValidationError);
    expect(() => planCoverage({ kind: 'workers', workers: 10 }, -1, fullYear)).toThrow(ValidationError);
  });

  it('splits every gap exactly: the parts add up to the gap and to its cost', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5_000_000 }),
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 20 }),
        (gap, weights) => {
          // Act
          const plan = planCoverage(
            { kind: 'workers', workers: gap },
            0,
            fullYear as Rupiah,
            weights.map((w, i) => ({ code: `16.${String(i + 1).padStart(2, '0')}`, vulnerableWorkers: w })),
          );

          // Assess
          if (weights.every((w) => w === 0)) return plan.regions.length === 0;
          const workers = plan.regions.reduce((sum, r) => sum + r.workers, 0);
          const cost = plan.regions.reduce((sum, r) => sum + r.cost, 0);
          return workers === gap && cost === plan.cost;
        },
      ),
    );
  });
});
