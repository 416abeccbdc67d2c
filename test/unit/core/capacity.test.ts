import {
  benefitPackage,
  capacity,
  packageCapacity,
  parsePeriod,
  type Rupiah,
  rupiah,
  ValidationError,
} from '@lindung/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('capacity', () => {
  it('covers 49 full-year workers with Rp 10,000,000 and leaves Rp 121,600', () => {
    // Prepare
    const pkg = benefitPackage({ programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 });

    // Act
    const result = packageCapacity(rupiah(10_000_000), pkg, parsePeriod('2025-01'), 12);

    // Assess
    expect(result).toEqual({ budget: 10_000_000, costPerWorker: 201_600, workers: 49, leftover: 121_600 });
  });

  it('covers more workers for fewer months', () => {
    // Prepare
    const pkg = benefitPackage({ programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 });

    // Act
    const result = packageCapacity(rupiah(10_000_000), pkg, parsePeriod('2025-07'), 6);

    // Assess
    expect(result.costPerWorker).toBe(100_800);
    expect(result.workers).toBe(99);
  });

  it('workers × price + leftover = budget, and the leftover buys no further worker', () => {
    // Assess
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 1, max: 1_000_000_000 }),
        (budget, price) => {
          const result = capacity(budget as Rupiah, price as Rupiah);
          expect(BigInt(result.workers) * BigInt(price) + BigInt(result.leftover)).toBe(BigInt(budget));
          expect(result.leftover).toBeGreaterThanOrEqual(0);
          expect(result.leftover).toBeLessThan(price);
        },
      ),
    );
  });

  it('refuses a zero price and a zero-month term', () => {
    // Prepare
    const pkg = benefitPackage({ programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 });

    // Act / Assess
    expect(() => capacity(rupiah(1_000), rupiah(0))).toThrow(ValidationError);
    expect(() => packageCapacity(rupiah(1_000), pkg, parsePeriod('2025-01'), 0)).toThrow(ValidationError);
  });
});
