import {
  byFundingPriority,
  chooseFunding,
  type FundingOption,
  fundingPriority,
  NotEligibleError,
  noFundingError,
  PeriodClosedError,
  PRIORITY_BY_SPONSOR_KIND,
  parsePeriod,
  QuotaExhaustedError,
  SPONSOR_KINDS,
} from '@lindung/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const start = parsePeriod('2049-03');
/** A worker of 39 at the start, of `segment`. */
const worker = (segment?: string) => ({ birthDate: '2010-01-01' as never, startPeriod: start, segment });

/** A commitment's quota in the village: room for ten workers, no rules, approved at `approvedAt`. */
const option = (
  commitmentId: string,
  priority: number,
  more: Partial<FundingOption> = {},
): FundingOption => ({
  commitmentId,
  priority,
  approvedAt: '2049-01-02T00:00:00.000Z',
  available: 2_016_000,
  cost: 168_000,
  status: 'active',
  ...more,
});

describe('the priority of a commitment', () => {
  it('is the one it states, else its sponsor kind gives it: village fund, regency or city, province, other', () => {
    // Act
    const byKind = SPONSOR_KINDS.map((kind) => fundingPriority(undefined, kind));

    // Assess
    expect(fundingPriority(50, 'province')).toBe(50);
    expect(PRIORITY_BY_SPONSOR_KIND.village).toBeLessThan(PRIORITY_BY_SPONSOR_KIND.regency);
    expect(PRIORITY_BY_SPONSOR_KIND.regency).toBe(PRIORITY_BY_SPONSOR_KIND.city);
    expect(PRIORITY_BY_SPONSOR_KIND.regency).toBeLessThan(PRIORITY_BY_SPONSOR_KIND.province);
    expect(PRIORITY_BY_SPONSOR_KIND.province).toBeLessThan(PRIORITY_BY_SPONSOR_KIND.other);
    expect(byKind).toEqual([300, 200, 200, 100, 400]);
  });
});

describe('the funding order', () => {
  it('is priority, then the earlier approval, then the commitment id', () => {
    // Prepare
    const early = '2049-01-01T00:00:00.000Z';
    const late = '2049-02-01T00:00:00.000Z';
    const options = [
      option('D', 300, { approvedAt: early }),
      option('C', 200, { approvedAt: late }),
      option('B', 200, { approvedAt: early }),
      option('A', 200, { approvedAt: early }),
    ];

    // Act
    const ordered = [...options].sort(byFundingPriority).map((o) => o.commitmentId);

    // Assess
    expect(ordered).toEqual(['A', 'B', 'C', 'D']);
  });

  it('does not depend on the order the options were read in', () => {
    // Prepare
    const arbitraryOption = fc.record({
      commitmentId: fc.stringMatching(/^[0-9A-Z]{4}$/),
      priority: fc.integer({ min: 1, max: 5 }),
      approvedAt: fc.constantFrom('2049-01-01T00:00:00.000Z', '2049-01-02T00:00:00.000Z'),
    });

    // Act, Assess
    fc.assert(
      fc.property(fc.uniqueArray(arbitraryOption, { selector: (o) => o.commitmentId }), (parts) => {
        const options = parts.map((p) => option(p.commitmentId, p.priority, p));
        const once = chooseFunding(options, start).options.map((o) => o.commitmentId);
        const reversed = chooseFunding([...options].reverse(), start).options.map((o) => o.commitmentId);
        expect(reversed).toEqual(once);
      }),
    );
  });
});

describe('choosing the commitment that pays', () => {
  it('passes over a commitment whose rules or quota refuse the worker and chooses the next', () => {
    // Prepare
    const options = [
      option('PROVINCE', 300),
      option('VILLAGE', 100, { eligibility: { segments: ['rt-rw'] } }),
      option('REGENCY', 200, { available: 100_000 }),
    ];

    // Act
    const { options: judged, chosen } = chooseFunding(options, start, worker('farmer'));

    // Assess
    expect(judged.map((o) => [o.commitmentId, o.verdict])).toEqual([
      ['VILLAGE', 'not-eligible'],
      ['REGENCY', 'quota-exhausted'],
      ['PROVINCE', 'takes'],
    ]);
    expect(chosen?.commitmentId).toBe('PROVINCE');
    expect(judged[1]).toMatchObject({ details: { available: 100_000, required: 168_000 } });
  });

  it('refuses from a closed year or an invoiced start period', () => {
    // Prepare
    const options = [
      option('CLOSED', 100, { status: 'closed' }),
      option('INVOICED', 200, { closedThrough: '2049-03' }),
    ];

    // Act
    const { options: judged, chosen } = chooseFunding(options, start, worker());

    // Assess
    expect(judged.map((o) => o.verdict)).toEqual(['commitment-not-active', 'period-closed']);
    expect(chosen).toBeUndefined();
  });

  it('refuses a worker who is not on the list the rules name, and takes one who is', () => {
    // Prepare
    const rules = { eligibility: { list: 'p3ke' } };

    // Act
    const off = chooseFunding([option('KUDUS', 100, rules)], start, worker());
    const on = chooseFunding([option('KUDUS', 100, { ...rules, listed: true })], start, worker());

    // Assess
    expect(off.options[0]).toMatchObject({
      verdict: 'not-eligible',
      details: { rule: 'list', list: 'p3ke' },
    });
    expect(on.chosen?.commitmentId).toBe('KUDUS');
  });

  it('judges the quotas alone when no worker is given', () => {
    // Act
    const { chosen } = chooseFunding([option('VILLAGE', 100, { eligibility: { maxAge: 20 } })], start);

    // Assess
    expect(chosen?.verdict).toBe('takes');
  });
});

describe('the error when no commitment takes a worker', () => {
  const refusal = (verdict: 'not-eligible' | 'quota-exhausted' | 'period-closed') => ({
    commitmentId: verdict,
    priority: 100,
    verdict,
    reason: verdict,
    details: {},
  });

  it('is not-eligible when every commitment refused by its rules, with the reason per commitment', () => {
    // Act
    const error = noFundingError('15.08.01.2001', 2049, [refusal('not-eligible'), refusal('not-eligible')]);

    // Assess
    expect(error).toBeInstanceOf(NotEligibleError);
    expect(error.details.options).toHaveLength(2);
  });

  it('is quota-exhausted when a commitment that allows the worker has no room, or there is no commitment', () => {
    // Act
    const mixed = noFundingError('15.08.01.2001', 2049, [
      refusal('not-eligible'),
      refusal('quota-exhausted'),
    ]);
    const none = noFundingError('15.08.01.2001', 2049, []);
    const invoiced = noFundingError('15.08.01.2001', 2049, [refusal('period-closed')]);

    // Assess
    expect(mixed).toBeInstanceOf(QuotaExhaustedError);
    expect(none).toBeInstanceOf(QuotaExhaustedError);
    expect(none.details).toMatchObject({ options: [] });
    expect(invoiced).toBeInstanceOf(PeriodClosedError);
  });
});
