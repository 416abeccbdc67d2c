import {
  type AllocationMethod,
  allocate,
  apportion,
  BudgetExceededError,
  basisPoints,
  fixedFunding,
  fundingBudget,
  percentOfGrantBudget,
  percentOfGrantFunding,
  type Rupiah,
  rupiah,
  totalAllocated,
  ValidationError,
} from '@lindung/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const villageCodeArb = fc
  .tuple(
    fc.integer({ min: 11, max: 99 }),
    fc.integer({ min: 1, max: 99 }),
    fc.integer({ min: 1, max: 99 }),
    fc.integer({ min: 1001, max: 2999 }),
  )
  .map(([p, r, d, v]) =>
    [p, r, d]
      .map((n) => String(n).padStart(2, '0'))
      .join('.')
      .concat(`.${v}`),
  );

const villagesArb = fc.uniqueArray(villageCodeArb, { minLength: 1, maxLength: 60 });
const budgetArb = fc.integer({ min: 0, max: 2 ** 45 }).map((n) => n as Rupiah);

describe('funding rules', () => {
  it('gives 10 % of Rp 100,000,000 to each village and multiplies exactly', () => {
    // Prepare
    const rule = percentOfGrantFunding(100_000_000, 1_000, '15');

    // Act
    const budget = percentOfGrantBudget(rule, 1_562);

    // Assess
    expect(budget).toEqual({ perVillage: 10_000_000, total: 15_620_000_000 });
    expect(fundingBudget(rule, 1_562).total).toBe(15_620_000_000);
  });

  it('takes a fixed amount as is', () => {
    // Act
    const budget = fundingBudget(fixedFunding(15_400_000_000));

    // Assess
    expect(budget).toEqual({ total: 15_400_000_000, perVillage: undefined });
  });

  it('needs the number of villages for a percent-of-grant rule', () => {
    // Act
    const act = () => fundingBudget(percentOfGrantFunding(100_000_000, 1_000));

    // Assess
    expect(act).toThrow(ValidationError);
  });
});

describe('apportion', () => {
  it('gives the leftover rupiah to the largest remainders', () => {
    // Act
    const parts = apportion(rupiah(10), [
      { key: 'a', weight: 1 },
      { key: 'b', weight: 1 },
      { key: 'c', weight: 1 },
    ]);

    // Assess
    expect(parts.map((part) => part.amount)).toEqual([4, 3, 3]);
  });

  it('refuses to split a budget when every weight is zero', () => {
    // Act
    const act = () => apportion(rupiah(10), [{ key: 'a', weight: 0 }]);

    // Assess
    expect(act).toThrow(ValidationError);
  });
});

describe('allocate', () => {
  it('splits equally with the remainder to the lowest village codes', () => {
    // Act
    const parts = allocate(rupiah(100), { kind: 'equal' }, [
      '15.01.01.2003',
      '15.01.01.2001',
      '15.01.01.2002',
    ]);

    // Assess
    expect(parts).toEqual([
      { villageCode: '15.01.01.2001', amount: 34 },
      { villageCode: '15.01.01.2002', amount: 33 },
      { villageCode: '15.01.01.2003', amount: 33 },
    ]);
  });

  it('splits in proportion to target counts, ties broken by village code', () => {
    // Prepare
    const villages = ['15.01.01.2001', '15.01.01.2002', '15.01.01.2003'];
    const method: AllocationMethod = {
      kind: 'proportional',
      targets: { '15.01.01.2001': 1, '15.01.01.2002': 1, '15.01.01.2003': 2 },
    };

    // Act
    const parts = allocate(rupiah(1_001), method, villages);

    // Assess: exact quotas 250.25, 250.25, 500.5 → the one leftover rupiah goes to the largest remainder.
    expect(parts.map((part) => part.amount)).toEqual([250, 250, 501]);
  });

  it('gives each village its share of the grant under percent-of-grant', () => {
    // Prepare
    const method: AllocationMethod = {
      kind: 'percent-of-grant',
      grantPerVillage: rupiah(100_000_000),
      percent: basisPoints(1_000),
    };

    // Act
    const parts = allocate(rupiah(20_000_000), method, ['15.01.01.2001', '15.01.01.2002']);

    // Assess
    expect(parts.map((part) => part.amount)).toEqual([10_000_000, 10_000_000]);
  });

  it('refuses percent-of-grant shares beyond the budget', () => {
    // Prepare
    const method: AllocationMethod = {
      kind: 'percent-of-grant',
      grantPerVillage: rupiah(100_000_000),
      percent: basisPoints(1_000),
    };

    // Act
    const act = () => allocate(rupiah(19_999_999), method, ['15.01.01.2001', '15.01.01.2002']);

    // Assess
    expect(act).toThrow(BudgetExceededError);
  });

  it('takes explicit amounts, missing villages at zero, and refuses a total above the budget', () => {
    // Prepare
    const villages = ['15.01.01.2001', '15.01.01.2002'];

    // Act
    const parts = allocate(rupiah(1_000), { kind: 'explicit', amounts: { '15.01.01.2002': 600 } }, villages);
    const over = () =>
      allocate(
        rupiah(1_000),
        { kind: 'explicit', amounts: { '15.01.01.2001': 600, '15.01.01.2002': 401 } },
        villages,
      );

    // Assess
    expect(parts.map((part) => part.amount)).toEqual([0, 600]);
    expect(over).toThrow(BudgetExceededError);
  });

  it.each([
    ['no village', []],
    ['a duplicate village', ['15.01.01.2001', '15.01.01.2001']],
    ['a code that is not a village', ['15.01.01']],
  ])('refuses %s', (_label, villages) => {
    // Act
    const act = () => allocate(rupiah(1_000), { kind: 'equal' }, villages);

    // Assess
    expect(act).toThrow(ValidationError);
  });

  it('refuses targets or amounts for villages outside the list', () => {
    // Act
    const act = () =>
      allocate(rupiah(1_000), { kind: 'proportional', targets: { '15.01.01.2009': 3 } }, ['15.01.01.2001']);

    // Assess
    expect(act).toThrow(ValidationError);
  });

  it('equal split: parts sum exactly to the budget, are never negative and differ by at most one rupiah', () => {
    // Assess
    fc.assert(
      fc.property(budgetArb, villagesArb, (budget, villages) => {
        const parts = allocate(budget, { kind: 'equal' }, villages);
        const amounts = parts.map((part) => part.amount);
        expect(totalAllocated(parts)).toBe(budget);
        expect(amounts.every((amount) => Number.isSafeInteger(amount) && amount >= 0)).toBe(true);
        expect(Math.max(...amounts) - Math.min(...amounts)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('proportional split: parts sum exactly to the budget, none negative, each within one rupiah of its quota', () => {
    // Assess
    fc.assert(
      fc.property(
        budgetArb,
        villagesArb.chain((villages) =>
          fc.tuple(
            fc.constant(villages),
            fc.array(fc.integer({ min: 0, max: 100_000 }), {
              minLength: villages.length,
              maxLength: villages.length,
            }),
          ),
        ),
        (budget, [villages, counts]) => {
          fc.pre(counts.some((count) => count > 0));
          const targets = Object.fromEntries(villages.map((code, i) => [code, counts[i] ?? 0]));
          const parts = allocate(budget, { kind: 'proportional', targets }, villages);
          const weightTotal = counts.reduce((a, b) => a + b, 0);
          expect(totalAllocated(parts)).toBe(budget);
          for (const part of parts) {
            expect(part.amount).toBeGreaterThanOrEqual(0);
            const quota = (BigInt(budget) * BigInt(targets[part.villageCode] ?? 0)) / BigInt(weightTotal);
            expect(BigInt(part.amount) - quota).toBeGreaterThanOrEqual(0n);
            expect(BigInt(part.amount) - quota).toBeLessThanOrEqual(1n);
          }
        },
      ),
    );
  });

  it('does not depend on the order the villages are listed in', () => {
    // Assess
    fc.assert(
      fc.property(budgetArb, villagesArb, (budget, villages) => {
        const forward = allocate(budget, { kind: 'equal' }, villages);
        const backward = allocate(budget, { kind: 'equal' }, [...villages].reverse());
        expect(backward).toEqual(forward);
      }),
    );
  });

  it('explicit amounts within the budget never exceed it and are kept as given', () => {
    // Assess
    fc.assert(
      fc.property(
        villagesArb.chain((villages) =>
          fc.tuple(
            fc.constant(villages),
            fc.array(fc.integer({ min: 0, max: 1_000_000_000 }), {
              minLength: villages.length,
              maxLength: villages.length,
            }),
          ),
        ),
        fc.integer({ min: 0, max: 1_000_000_000 }),
        ([villages, amounts], slack) => {
          const record = Object.fromEntries(villages.map((code, i) => [code, amounts[i] ?? 0]));
          const budget = rupiah(amounts.reduce((a, b) => a + b, 0) + slack);
          const parts = allocate(budget, { kind: 'explicit', amounts: record }, villages);
          expect(totalAllocated(parts)).toBeLessThanOrEqual(budget);
          expect(parts.every((part) => part.amount === record[part.villageCode])).toBe(true);
        },
      ),
    );
  });
});
