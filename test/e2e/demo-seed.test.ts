/**
 * `npm start -- --demo` (issue 15): the seed, run through the HTTP API of the test stack, leaves a living Jambi
 * sample — an active commitment approved by someone other than its drafter, twenty active enrollments, the
 * month's invoices paid by the billing simulator — and running it again changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { type DemoSample, seedDemo } from '../../packages/local/src/demo-seed.js';
import { type Caller, caller } from '../support/api-client.js';
import { localStack } from '../support/local-stack.js';

// A year of its own: the roll of a period reaches every commitment of the shared test stack that covers it.
const YEAR = 2047;
const MONTH = 3;

describe('the demo seed', { timeout: 240_000 }, () => {
  const stack = localStack();

  /** What the sample holds, as its users see it through the API. */
  const observe = async (sample: DemoSample) => {
    const auditor = await caller(stack, { roles: ['auditor'], sub: 'demo-seed-test-auditor' });
    const billing = await caller(stack, {
      roles: ['billing'],
      sponsorId: sample.sponsorId,
      sub: 'demo-seed-test-billing',
    });
    const commitment = await auditor.get(`/v1/commitments/${sample.commitmentId}`);
    const enrollments: { id: string; status: string }[] = [];
    for (const code of sample.villageCodes) {
      const operator: Caller = await caller(stack, {
        roles: ['village-operator'],
        villageCodes: [code],
        sub: `demo-seed-test-${code}`,
      });
      const page = await operator.get(
        `/v1/villages/${code}/enrollments?commitmentId=${sample.commitmentId}&limit=1000`,
      );
      expect(page.status).toBe(200);
      enrollments.push(...page.body.items);
    }
    const invoices = await billing.get(
      `/v1/invoices?sponsorId=${sample.sponsorId}&period=${sample.period}&limit=1000`,
    );
    const partners = await auditor.get('/v1/partners?area=15.01&limit=1000');
    const statement = await auditor.get(`/v1/partners/${sample.partnerId}/statements/${sample.period}`);
    return {
      partners: (partners.body.items as { id: string; name: string }[])
        .filter((p) => p.id === sample.partnerId)
        .map((p) => p.name),
      statement: { collected: statement.body.collected, deposits: statement.body.deposits },
      commitment: {
        status: commitment.body.status,
        draftedBy: commitment.body.draftedBy,
        approvedBy: commitment.body.approvedBy,
        totals: commitment.body.totals,
      },
      enrollments: enrollments.map((e) => `${e.id}:${e.status}`).sort(),
      invoices: (invoices.body.items as { id: string; status: string; total: number }[])
        .map((i) => `${i.id}:${i.status}:${i.total}`)
        .sort(),
    };
  };

  it('leaves an active commitment, twenty active enrollments and paid invoices, and a second run changes nothing', async () => {
    // Act
    const first = await seedDemo({ baseUrl: stack.httpUrl, year: YEAR, month: MONTH });
    const seeded = await observe(first);
    const second = await seedDemo({ baseUrl: stack.httpUrl, year: YEAR, month: MONTH });
    const again = await observe(second);

    // Assert
    expect(first.villageCodes).toHaveLength(10);
    expect(first.villageCodes.every((c) => c.startsWith('15.01.'))).toBe(true);
    expect(seeded.commitment.status).toBe('active');
    expect(seeded.commitment.approvedBy).not.toBe(seeded.commitment.draftedBy);
    expect(seeded.enrollments.filter((e) => e.endsWith(':active')).length).toBeGreaterThanOrEqual(20);
    expect(seeded.invoices.length).toBeGreaterThanOrEqual(1);
    expect(seeded.invoices.every((i) => i.includes(':paid:'))).toBe(true);
    expect(seeded.commitment.totals.spent).toBeGreaterThan(0);
    expect(second.sponsorId).toBe(first.sponsorId);
    expect(second.commitmentId).toBe(first.commitmentId);
    expect(second.partnerId).toBe(first.partnerId);
    expect(seeded.partners).toEqual(['Pengelola Pasar Siulak']);
    expect(seeded.statement).toEqual({ collected: 2_000, deposits: 2 });
    expect(first.users.find((u) => u.claims.roles[0] === 'collector')?.claims.partnerId).toBe(
      first.partnerId,
    );
    expect(again).toEqual(seeded);
  });
});
