import { describe, expect, it } from 'vitest';
import { localStack } from '../support/local-stack.js';
import { sponsorWithStaff } from '../support/scenario.js';

describe('a percent-of-grant commitment over every village of Jambi', () => {
  const stack = localStack();

  it('creates 1,585 allocations of Rp 10.000.000 whose sum equals the budget exactly', async () => {
    // Prepare
    const { sponsorId, officer, approver } = await sponsorWithStaff(stack);
    const draft = await officer.post('/v1/commitments', {
      sponsorId,
      fiscalYear: 2027,
      budget: { kind: 'percent-of-grant', grantPerVillage: 100_000_000, percent: 10, region: '15' },
      benefit: { programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 },
    });

    // Act
    const selfApproval = await officer.post(`/v1/commitments/${draft.body.id}/approve`, {});
    const approved = await approver.post(`/v1/commitments/${draft.body.id}/approve`, {});
    const allocations: { villageCode: string; budget: number }[] = [];
    let token: string | undefined;
    do {
      const page = await officer.get(
        `/v1/commitments/${draft.body.id}/allocations?limit=500${token ? `&pageToken=${token}` : ''}`,
      );
      allocations.push(...page.body.items);
      token = page.body.nextPageToken;
    } while (token);

    // Assess
    expect(draft.body.budget).toBe(15_850_000_000);
    expect(selfApproval.status).toBe(403);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.status).toBe('active');
    expect(allocations).toHaveLength(1_585);
    expect(new Set(allocations.map((a) => a.villageCode)).size).toBe(1_585);
    expect(allocations.every((a) => a.budget === 10_000_000)).toBe(true);
    expect(allocations.reduce((sum, a) => sum + a.budget, 0)).toBe(draft.body.budget);
  });
});
