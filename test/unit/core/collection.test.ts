import {
  BASIS_POINTS_PER_WHOLE,
  depositContent,
  PERISAI_FEE_BASIS_POINTS,
  partnerFee,
  ValidationError,
} from '@lindung/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('partnerFee', () => {
  it('pays a Perisai agent 7.5 % of what it collected: 20 deposits of Rp 1.000 earn Rp 1.500', () => {
    expect(partnerFee(20 * 1_000, PERISAI_FEE_BASIS_POINTS)).toBe(1_500);
  });

  it('rounds down to the whole rupiah', () => {
    // 1.001 × 7.5 % = 75,075 → 75; 13 × 7.5 % = 0,975 → 0
    expect(partnerFee(1_001, 750)).toBe(75);
    expect(partnerFee(13, 750)).toBe(0);
    expect(partnerFee(9_999, 1)).toBe(0);
  });

  it('is exact for the largest safe amounts (no float error)', () => {
    expect(partnerFee(Number.MAX_SAFE_INTEGER, BASIS_POINTS_PER_WHOLE)).toBe(Number.MAX_SAFE_INTEGER);
    // 9007199254740991 × 750 / 10000 = 675539944105574.325 → floor
    expect(partnerFee(Number.MAX_SAFE_INTEGER, 750)).toBe(675_539_944_105_574);
  });

  it('never pays more than the rate allows, and less by under one rupiah', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        (c, r) => {
          const fee = partnerFee(c, r);
          expect(Number.isInteger(fee)).toBe(true);
          expect(fee * 10_000).toBeLessThanOrEqual(c * r);
          expect((fee + 1) * 10_000).toBeGreaterThan(c * r);
        },
      ),
    );
  });

  it('refuses a fraction of a rupiah, a negative amount, or a rate outside 0 to 10.000 basis points', () => {
    expect(() => partnerFee(10.5, 750)).toThrow(ValidationError);
    expect(() => partnerFee(-1, 750)).toThrow(ValidationError);
    expect(() => partnerFee(1_000, 10_001)).toThrow(/basis points/);
    expect(() => partnerFee(1_000, 7.5)).toThrow(/basis points/);
  });
});

describe('depositContent', () => {
  it('tells a receipt sent again from a receipt reused for another deposit', () => {
    const first = { worker: 'w1', amount: 1_000, depositedAt: '2027-03-14' };
    expect(depositContent({ ...first })).toBe(depositContent(first));
    expect(depositContent({ ...first, amount: 2_000 })).not.toBe(depositContent(first));
    expect(depositContent({ ...first, worker: 'w2' })).not.toBe(depositContent(first));
    expect(depositContent({ ...first, villageCode: '63.71.01.1001' })).not.toBe(depositContent(first));
  });
});
