import {
  awardCost,
  type BasisPoints,
  checkIncentiveAward,
  checkIncentivePeriod,
  checkIncentiveRegions,
  isIncentiveDue,
  type Period,
  type Rupiah,
  reachesThreshold,
  ValidationError,
  villagesOf,
} from '@lindung/core';
import { describe, expect, it } from 'vitest';

const p = (text: string) => text as Period;
const bp = (n: number) => n as BasisPoints;
const [first = '', second = ''] = villagesOf('15.06.02').map((v) => v.code as string);

describe('an incentive scheme’s threshold', () => {
  it('is reached at exactly the share of the target, in integers, and never by a target of 0', () => {
    // Act and Assess: 80 % of 5 is 4; 37,5 % of 8 is 3.
    expect(reachesThreshold(4, 5, bp(8_000))).toBe(true);
    expect(reachesThreshold(3, 5, bp(8_000))).toBe(false);
    expect(reachesThreshold(3, 8, bp(3_750))).toBe(true);
    expect(reachesThreshold(2, 8, bp(3_750))).toBe(false);
    expect(reachesThreshold(10, 0, bp(10_000))).toBe(false);
  });
});

describe('when a scheme is due', () => {
  it('is at the roll of the month after its period, and at every later one', () => {
    expect(isIncentiveDue(p('2060-06'), p('2060-06'))).toBe(false);
    expect(isIncentiveDue(p('2060-06'), p('2060-07'))).toBe(true);
    expect(isIncentiveDue(p('2060-06'), p('2061-01'))).toBe(true);
    expect(isIncentiveDue(p('2060-12'), p('2060-07'))).toBe(false);
  });
});

describe('a scheme’s terms', () => {
  it('ends in its commitment’s fiscal year, by November, so the award comes while the year is open', () => {
    expect(checkIncentivePeriod(p('2060-11'), 2060)).toBe('2060-11');
    expect(() => checkIncentivePeriod(p('2060-12'), 2060)).toThrow(ValidationError);
    expect(() => checkIncentivePeriod(p('2061-03'), 2060)).toThrow(ValidationError);
  });

  it('awards a positive amount, or 1 to 10 000 whole worker-years', () => {
    expect(checkIncentiveAward({ kind: 'money', amount: 5_000_000 as Rupiah })).toEqual({
      kind: 'money',
      amount: 5_000_000,
    });
    expect(() => checkIncentiveAward({ kind: 'money', amount: 0 as Rupiah })).toThrow(ValidationError);
    expect(() => checkIncentiveAward({ kind: 'quota', workerYears: 1.5 })).toThrow(ValidationError);
    expect(() => checkIncentiveAward({ kind: 'quota', workerYears: 10_001 })).toThrow(ValidationError);
  });

  it('names child regions of the sponsor’s region once, and an extra quota only for its villages', () => {
    const money = { kind: 'money', amount: 1_000 as Rupiah } as const;
    const quota = { kind: 'quota', workerYears: 2 } as const;
    // Act and Assess
    expect(checkIncentiveRegions([second, first, second, '15.06.02'], '15.06', money, [])).toEqual([
      '15.06.02',
      first,
      second,
    ]);
    expect(() => checkIncentiveRegions(['15.06'], '15.06', money, [])).toThrow(/not a child region/);
    expect(() => checkIncentiveRegions(['15.01'], '15.06', money, [])).toThrow(/not a child region/);
    expect(() => checkIncentiveRegions([], '15.06', money, [])).toThrow(ValidationError);
    expect(checkIncentiveRegions([first], '15.06', quota, [first])).toEqual([first]);
    expect(() => checkIncentiveRegions(['15.06.02'], '15.06', quota, [first])).toThrow(/village/);
    expect(() => checkIncentiveRegions([second], '15.06', quota, [first])).toThrow(/village/);
  });

  it('costs its money, or its worker-years at the yearly premium', () => {
    expect(awardCost({ kind: 'money', amount: 750_000 as Rupiah }, 201_600 as Rupiah)).toBe(750_000);
    expect(awardCost({ kind: 'quota', workerYears: 3 }, 201_600 as Rupiah)).toBe(604_800);
  });
});
