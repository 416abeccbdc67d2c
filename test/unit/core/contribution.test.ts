import {
  claimedMonthsFrom,
  lapsesAfterUnpaid,
  lapsesWhenUnpaid,
  type Period,
  UNPAID_PERIODS_BEFORE_LAPSE,
  ValidationError,
  workerShare,
  workerShareDue,
} from '@lindung/core';
import { describe, expect, it } from 'vitest';

const march = '2064-03' as Period;

describe('a worker’s own share', () => {
  it('is an add-on of JHT alone: Rp 20.000 at the minimum income', () => {
    // Act
    const share = workerShare({ programs: ['JHT'], declaredIncome: 1_000_000 }, march);

    // Assess
    expect(share).toEqual({ kind: 'add-on', programs: ['JHT'], declaredIncome: 1_000_000 });
    expect(workerShareDue(share, march)).toBe(20_000);
    expect(lapsesWhenUnpaid(share)).toBe(false);
  });

  it('is self-paying with JKK and JKM (Rp 16.800), JHT optional (Rp 36.800), in canonical order', () => {
    // Act
    const pair = workerShare({ programs: ['JKM', 'JKK'], declaredIncome: 1_000_000 }, march);
    const all = workerShare({ programs: ['JHT', 'JKK', 'JKM'], declaredIncome: 1_000_000 }, march);

    // Assess
    expect(pair).toMatchObject({ kind: 'self-paying', programs: ['JKK', 'JKM'] });
    expect(workerShareDue(pair, march)).toBe(16_800);
    expect(workerShareDue(all, march)).toBe(36_800);
    expect(lapsesWhenUnpaid(all)).toBe(true);
  });

  it.each([
    [['JKK'], 1_000_000],
    [['JKM', 'JHT'], 1_000_000],
    [['JHT', 'JHT'], 1_000_000],
    [['JHT'], 999_999],
    [['JHT'], 1_000_000.5],
  ])('refuses %j at Rp %d', (programs, declaredIncome) => {
    // Act and assess
    expect(() => workerShare({ programs, declaredIncome }, march)).toThrow(ValidationError);
  });
});

describe('the BPU lapse rule and the claimed months', () => {
  it('lapses after three unpaid months, as a sponsored village does', () => {
    // Assess
    expect(UNPAID_PERIODS_BEFORE_LAPSE).toBe(3);
    expect([0, 1, 2, 3, 4].map(lapsesAfterUnpaid)).toEqual([false, false, false, true, true]);
  });

  it('claims the months from the start to December of that year', () => {
    // Assess
    expect(claimedMonthsFrom('2065-10' as Period)).toEqual([10, 11, 12]);
    expect(claimedMonthsFrom('2065-01' as Period)).toHaveLength(12);
  });
});
