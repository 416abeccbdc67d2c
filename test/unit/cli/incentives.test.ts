import { type IncentiveSchemeWithAwards, renderIncentive, renderRoll } from '@lindung/cli';
import { describe, expect, it } from 'vitest';

const scheme: IncentiveSchemeWithAwards = {
  id: '01JNTTINCENTIVE00000000000',
  sponsorId: '01JNTTSPONSOR0000000000000',
  commitmentId: '01JNTTCOMMITMENT0000000000',
  fiscalYear: 2027,
  name: 'Desa peduli pekerja rentan',
  period: '2027-06',
  regions: ['53.01.01.2001', '53.01.01.2002'],
  threshold: 37.5,
  award: { kind: 'money', amount: 5_000_000 },
  awardCost: 5_000_000,
  status: 'evaluated',
  createdBy: 'officer',
  createdAt: '2027-01-10T00:00:00.000Z',
  outcome: { evaluatedAt: '2027-07-01T00:05:00.000Z', reached: 2, awarded: 1, unfunded: 1 },
  awards: [
    {
      regionCode: '53.01.01.2001',
      regionName: 'Desa Satu',
      status: 'awarded',
      kind: 'money',
      amount: 5_000_000,
      covered: 40,
      target: 100,
      at: '2027-07-01T00:05:00.000Z',
    },
    {
      regionCode: '53.01.01.2002',
      regionName: 'Desa Dua',
      status: 'unfunded',
      reason: 'budget-exceeded',
      kind: 'money',
      amount: 5_000_000,
      covered: 38,
      target: 100,
      at: '2027-07-01T00:05:00.000Z',
    },
  ],
};

describe('lindung incentives show', () => {
  it('says the terms with an Indonesian percent and rupiah, the outcome, and one line per award', () => {
    // Act
    const text = renderIncentive(scheme);

    // Assess
    expect(text.split('\n')).toEqual([
      `Desa peduli pekerja rentan (${scheme.id}): regions at 37,5% of their target by 2027-06 earn Rp 5.000.000; 2 regions, evaluated. 2 reached it: 1 awarded, 1 unfunded.`,
      '  53.01.01.2001  Desa Satu: 40 of 100 covered; awarded Rp 5.000.000',
      '  53.01.01.2002  Desa Dua: 38 of 100 covered; unfunded (budget-exceeded)',
      '',
    ]);
  });
});

describe('lindung roll', () => {
  it('names the incentive schemes a roll evaluated, and stays silent when there were none', () => {
    // Prepare
    const summary = { period: '2027-07', commitments: 1, units: 10, closing: 0, partners: 0 };

    // Act
    const withSchemes = renderRoll({ ...summary, incentives: { schemes: 2, awarded: 4 } });
    const without = renderRoll({ ...summary, incentives: { schemes: 0, awarded: 0 } });

    // Assess
    expect(withSchemes).toBe(
      'Roll of 2027-07 queued: 10 villages of 1 commitment to renew; 2 incentive schemes evaluated, 4 new awards.\n',
    );
    expect(without).toBe('Roll of 2027-07 queued: 10 villages of 1 commitment to renew.\n');
  });

  it('names the collection partners sent to apply their workers’ contributions', () => {
    // Act
    const answer = renderRoll({
      period: '2027-07',
      commitments: 1,
      units: 10,
      closing: 0,
      partners: 2,
      incentives: { schemes: 0, awarded: 0 },
    });

    // Assess
    expect(answer).toBe(
      'Roll of 2027-07 queued: 10 villages of 1 commitment to renew; 2 collection partners to apply contributions.\n',
    );
  });
});
