import {
  checkEligibility,
  eligibilityRules,
  NotEligibleError,
  parsePeriod,
  ValidationError,
} from '@lindung/core';
import { describe, expect, it } from 'vitest';

const at = parsePeriod('2027-03');
/** Someone born on 1 January of `year`. */
const born = (year: number) => `${year}-01-01` as Parameters<typeof checkEligibility>[1]['birthDate'];

describe('eligibility rules of a commitment', () => {
  it('lets in a village official of 40 under rules of at most 45 for officials and RT/RW', () => {
    // Prepare
    const rules = eligibilityRules({ maxAge: 45, segments: ['village-official', 'rt-rw'] });

    // Act, Assess
    expect(() =>
      checkEligibility(rules, { birthDate: born(1987), startPeriod: at, segment: 'village-official' }),
    ).not.toThrow();
  });

  it('refuses by age and by segment, naming the rule', () => {
    // Prepare
    const rules = eligibilityRules({ minAge: 20, maxAge: 45, segments: ['fisher'] });
    const refusal = (birthDate: string, segment?: string) => {
      try {
        checkEligibility(rules, { birthDate: birthDate as never, startPeriod: at, segment });
        return undefined;
      } catch (error) {
        expect(error).toBeInstanceOf(NotEligibleError);
        return (error as NotEligibleError).details;
      }
    };

    // Act, Assess
    expect(refusal(born(1970), 'fisher')).toMatchObject({ rule: 'age', age: 57, maxAge: 45 });
    expect(refusal(born(2008), 'fisher')).toMatchObject({ rule: 'age', age: 19, minAge: 20 });
    expect(refusal(born(1990), 'farmer')).toMatchObject({ rule: 'segment', segment: 'farmer' });
    expect(refusal(born(1990))).toMatchObject({ rule: 'segment', segment: null });
    expect(refusal(born(1990), 'fisher')).toBeUndefined();
  });

  it('lets anyone of 18 to 65 in where a commitment has no rules', () => {
    // Act, Assess
    expect(() => checkEligibility(undefined, { birthDate: born(1962), startPeriod: at })).not.toThrow();
    expect(eligibilityRules({})).toEqual({});
  });

  it('refuses rules outside 18–65, upside down, with a segment twice or an empty list', () => {
    // Act, Assess
    expect(() => eligibilityRules({ maxAge: 70 })).toThrow(ValidationError);
    expect(() => eligibilityRules({ minAge: 17 })).toThrow(ValidationError);
    expect(() => eligibilityRules({ minAge: 40, maxAge: 30 })).toThrow(/above maxAge 30/);
    expect(() => eligibilityRules({ segments: ['fisher', 'fisher'] })).toThrow(/twice/);
    expect(() => eligibilityRules({ segments: [] })).toThrow(/at least one/);
  });

  it('takes a worker on the named list and refuses one who is not, or whose membership was not looked up', () => {
    // Prepare
    const rules = eligibilityRules({ list: 'p3ke' });
    const worker = { birthDate: born(1990), startPeriod: at };

    // Act, Assess
    expect(rules).toEqual({ list: 'p3ke' });
    expect(() => checkEligibility(rules, { ...worker, listed: true })).not.toThrow();
    for (const listed of [false, undefined]) {
      expect(() => checkEligibility(rules, { ...worker, ...(listed !== undefined && { listed }) })).toThrow(
        NotEligibleError,
      );
    }
    expect(() => eligibilityRules({ list: 'P3KE list' })).toThrow(ValidationError);
    expect(() => eligibilityRules({ list: '-p3ke' })).toThrow(ValidationError);
  });
});
