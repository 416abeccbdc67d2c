/**
 * The Jambi BKBK programme (Pergub 16/2022), the example of the issue: each of 1,562 villages gets
 * Rp 100,000,000, 10 % of which pays the JKK + JKM premiums of vulnerable workers at the minimum income.
 */
import {
  allocate,
  annualPremium,
  basisPoints,
  benefitPackage,
  capacity,
  monthlyPremium,
  packageCapacity,
  parsePeriod,
  percentOfGrantBudget,
  percentOfGrantFunding,
  rupiah,
  totalAllocated,
  villagesOf,
} from '@lindung/core';
import { describe, expect, it } from 'vitest';

const pkg = benefitPackage({ programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 });
const january = parsePeriod('2022-01');

describe('Jambi BKBK budget', () => {
  it('prices the package at Rp 16,800 a month and Rp 201,600 a year', () => {
    // Act / Assess
    expect(monthlyPremium(pkg, january)).toBe(16_800);
    expect(annualPremium(pkg, 2022)).toBe(201_600);
  });

  it('covers 49 full-year workers per village with Rp 121,600 left over', () => {
    // Prepare
    const rule = percentOfGrantFunding(100_000_000, 1_000, '15');

    // Act
    const { perVillage } = percentOfGrantBudget(rule, 1_562);
    const perVillageCapacity = packageCapacity(perVillage, pkg, january, 12);

    // Assess
    expect(perVillage).toBe(10_000_000);
    expect(perVillageCapacity.workers).toBe(49);
    expect(perVillageCapacity.leftover).toBe(121_600);
  });

  it('covers 1,562 × 49 = 76,538 workers over all villages', () => {
    // Prepare
    const rule = percentOfGrantFunding(100_000_000, 1_000, '15');
    const { perVillage, total } = percentOfGrantBudget(rule, 1_562);

    // Act
    const workers = packageCapacity(perVillage, pkg, january, 12).workers * 1_562;

    // Assess
    expect(total).toBe(15_620_000_000);
    expect(workers).toBe(76_538);
  });

  it('shows Rp 15,400,000,000 covers at least the 76,016 workers Jambi reported for 2022', () => {
    // Act
    const result = capacity(rupiah(15_400_000_000), annualPremium(pkg, 2022));

    // Assess
    expect(result.workers).toBe(76_388);
    expect(result.workers).toBeGreaterThanOrEqual(76_016);
  });

  it('allocates Rp 10,000,000 to each of the 1,585 villages of province 15 in idn-area-data', () => {
    // Prepare
    const villages = villagesOf('15').map((village) => village.code);
    const { total } = percentOfGrantBudget(percentOfGrantFunding(100_000_000, 1_000, '15'), villages.length);

    // Act
    const allocations = allocate(
      total,
      { kind: 'percent-of-grant', grantPerVillage: rupiah(100_000_000), percent: basisPoints(1_000) },
      villages,
    );

    // Assess
    expect(villages).toHaveLength(1_585);
    expect(allocations).toHaveLength(1_585);
    expect(allocations.every((allocation) => allocation.amount === 10_000_000)).toBe(true);
    expect(totalAllocated(allocations)).toBe(15_850_000_000);
  });

  it('splits the same total equally to exactly Rp 10,000,000 per village', () => {
    // Prepare
    const villages = villagesOf('15').map((village) => village.code);

    // Act
    const allocations = allocate(rupiah(15_850_000_000), { kind: 'equal' }, villages);

    // Assess
    expect(allocations.every((allocation) => allocation.amount === 10_000_000)).toBe(true);
  });
});
