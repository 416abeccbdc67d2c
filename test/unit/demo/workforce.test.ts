import { ageAt, benefitPackage, type IsoDate, type Period, parseNik } from '@lindung/core';
import { describe, expect, it } from 'vitest';
import { jambiVillages, NikIssuer, planVillages, startingIn } from '../../../scripts/demo/workforce.js';

const BENEFIT = benefitPackage({ programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 });
const QUOTA = 10_000_000;
const MONTHLY = 16_800;

describe('the demo workforce', () => {
  const villages = jambiVillages(40);
  const plans = planVillages(villages, { year: 2027, quota: QUOTA, benefit: BENEFIT });
  const workers = plans.flatMap((p) => p.workers);

  it('fills every quota until less than a month’s premium is left, and plans one refusal past it', () => {
    // Assess
    for (const plan of plans) {
      const enrolled = plan.workers.filter((w) => w.expect === 'created');
      const cost = enrolled.reduce((sum, w) => sum + w.cost, 0);
      expect(cost).toBe(plan.cost);
      expect(plan.cost + plan.leftover).toBe(QUOTA);
      expect(plan.leftover).toBeGreaterThanOrEqual(0);
      expect(plan.leftover).toBeLessThan(MONTHLY);
      // A worker starting in month m is paid for the months m to December.
      expect(enrolled.reduce((sum, w) => sum + 13 - Number(w.startPeriod.slice(5)), 0)).toBe(
        plan.workerMonths,
      );
      expect(plan.cost).toBe(plan.workerMonths * MONTHLY);
      const refused = plan.workers.filter((w) => w.expect === 'quota-exhausted');
      expect(refused.map((w) => [w.startPeriod, w.cost])).toEqual([['2027-12', MONTHLY]]);
    }
  });

  it('spreads the start months over the year, most workers joining in January', () => {
    // Assess
    const january = workers.filter((w) => w.startPeriod === '2027-01').length;
    const months = new Set(workers.map((w) => w.startPeriod));
    expect(months.size).toBe(12);
    expect(january / workers.length).toBeGreaterThan(0.5);
    expect(startingIn(plans, '2027-01' as Period)).toHaveLength(40);
  });

  it('gives every worker a different, valid NIK issued in the village’s district, aged 20 to 60 at the start of the year', () => {
    // Assess
    expect(new Set(workers.map((w) => w.nik)).size).toBe(workers.length);
    for (const w of workers) {
      const nik = parseNik(w.nik, { referenceDate: '2026-11-01' as IsoDate });
      expect(nik.regionCode).toBe(w.villageCode.slice(0, 8));
      const age = ageAt(nik.birthDate, '2027-01' as Period);
      expect(age).toBeGreaterThanOrEqual(20);
      expect(age).toBeLessThanOrEqual(60);
    }
    expect(new Set(workers.map((w) => parseNik(w.nik).sex))).toEqual(new Set(['F', 'M']));
  });

  it('is the same for the same seed and differs for another', () => {
    // Act
    const again = planVillages(villages, { year: 2027, quota: QUOTA, benefit: BENEFIT });
    const other = planVillages(villages, { year: 2027, quota: QUOTA, benefit: BENEFIT, seed: 7 });

    // Assess
    expect(again).toEqual(plans);
    expect(other.map((p) => p.workers.length)).not.toEqual(plans.map((p) => p.workers.length));
  });
});

describe('NikIssuer', () => {
  it('writes the birth date as DDMMYY with 40 added to a woman’s day, and never repeats a serial in a district', () => {
    // Prepare
    const issuer = new NikIssuer();

    // Act
    const first = issuer.issue('15.71.01.1001', '1985-06-09', 'F');
    const second = issuer.issue('15.71.01.1002', '1985-06-09', 'M');

    // Assess
    expect(first).toBe('1571014906850001');
    expect(second).toBe('1571010906850002');
  });
});

describe('jambiVillages', () => {
  it('samples villages spread over the whole province, and gives all 1,585 without a count', () => {
    // Act
    const sample = jambiVillages(11);

    // Assess
    expect(jambiVillages()).toHaveLength(1_585);
    expect(sample).toHaveLength(11);
    expect(new Set(sample.map((code) => code.slice(0, 5))).size).toBeGreaterThanOrEqual(8);
  });
});
