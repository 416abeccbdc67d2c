/**
 * Maker-checker outcomes besides approval: an approver rejects a draft commitment or a proposed reallocation
 * with a reason, the drafter withdraws their own, nobody does either for the other, and a decided draft or
 * proposal can no longer be approved. Also the sponsor's list of drafts waiting and the region lookup.
 */
import { describe, expect, it } from 'vitest';
import { caller } from '../support/api-client.js';
import { localStack } from '../support/local-stack.js';
import { activeCommitment, commitmentDraft, sponsorWithStaff } from '../support/scenario.js';

const YEAR = 2043;
const [A, B] = ['15.05.03.2001', '15.05.03.2002'] as const;

describe('rejecting and withdrawing drafts and reallocations', () => {
  const stack = localStack();

  it('lets an approver reject a draft with a reason, never its drafter, and a rejected draft is never approved', async () => {
    // Prepare
    const staff = await sponsorWithStaff(stack);
    const draft = await staff.officer.post(
      '/v1/commitments',
      commitmentDraft(staff.sponsorId, { villages: [A, B], fiscalYear: YEAR }),
    );
    const drafts = `/v1/sponsors/${staff.sponsorId}/commitments?status=draft`;

    // Act
    const waiting = await staff.approver.get(drafts);
    const byDrafter = await staff.officer.post(`/v1/commitments/${draft.body.id}/reject`, { reason: 'x' });
    const withoutReason = await staff.approver.post(`/v1/commitments/${draft.body.id}/reject`, {});
    const rejected = await staff.approver.post(`/v1/commitments/${draft.body.id}/reject`, {
      reason: 'Anggaran belum disahkan DPRD',
    });
    const retried = await staff.approver.post(`/v1/commitments/${draft.body.id}/reject`, {
      reason: 'Anggaran belum disahkan DPRD',
    });
    const approved = await staff.approver.post(`/v1/commitments/${draft.body.id}/approve`, {});
    const after = await staff.approver.get(drafts);
    const all = await staff.officer.get(`/v1/sponsors/${staff.sponsorId}/commitments`);
    const admin = await caller(stack, { roles: ['admin'] });
    const noSponsor = await admin.get('/v1/sponsors/01J0000000000000000000000Z/commitments');

    // Assess
    expect(waiting.status).toBe(200);
    expect(waiting.body.items.map((c: { id: string }) => c.id)).toEqual([draft.body.id]);
    expect(waiting.body.items[0]).toMatchObject({ status: 'draft', villages: 2, budget: 20_000_000 });
    expect(waiting.body.items[0].villageCodes).toBeUndefined();
    expect(byDrafter.status).toBe(403);
    expect(byDrafter.body.code).toBe('forbidden');
    expect(withoutReason.status).toBe(422);
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({
      status: 'rejected',
      rejectionReason: 'Anggaran belum disahkan DPRD',
      closedBy: `approver-${staff.sponsorId}`,
    });
    expect(retried.status).toBe(200);
    expect(approved.status).toBe(409);
    expect(approved.body.code).toBe('illegal-transition');
    expect(after.body.items).toEqual([]);
    expect(all.body.items.map((c: { status: string }) => c.status)).toEqual(['rejected']);
    expect(noSponsor.status).toBe(404);
  });

  it('lets only the drafter withdraw a draft, and a withdrawn draft is neither approved nor rejected', async () => {
    // Prepare
    const staff = await sponsorWithStaff(stack);
    const colleague = await caller(stack, {
      roles: ['sponsor-officer'],
      sponsorId: staff.sponsorId,
      sub: `colleague-${staff.sponsorId}`,
    });
    const draft = await staff.officer.post(
      '/v1/commitments',
      commitmentDraft(staff.sponsorId, { villages: [A], fiscalYear: YEAR }),
    );
    const path = `/v1/commitments/${draft.body.id}`;

    // Act
    const byColleague = await colleague.post(`${path}/withdraw`, {});
    const withdrawn = await staff.officer.post(`${path}/withdraw`, {});
    const approved = await staff.approver.post(`${path}/approve`, {});
    const rejected = await staff.approver.post(`${path}/reject`, { reason: 'terlambat' });

    // Assess
    expect(byColleague.status).toBe(403);
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({ status: 'withdrawn', closedBy: `officer-${staff.sponsorId}` });
    expect([approved.status, rejected.status]).toEqual([409, 409]);
    expect(rejected.body.code).toBe('illegal-transition');
  });

  it('ends proposed reallocations by rejection or withdrawal, moving nothing', async () => {
    // Prepare
    const staff = await sponsorWithStaff(stack);
    const commitmentId = await activeCommitment(staff, { villages: [A, B], fiscalYear: YEAR });
    const path = `/v1/commitments/${commitmentId}/reallocations`;
    const before = await staff.officer.get(`/v1/commitments/${commitmentId}/allocations`);
    const first = await staff.officer.post(path, { moves: [{ from: A, to: B, amount: 1_000_000 }] });
    const second = await staff.officer.post(path, { moves: [{ from: B, to: A, amount: 2_000_000 }] });

    // Act
    const selfRejected = await staff.officer.post(`${path}/${first.body.id}/reject`, { reason: 'x' });
    const rejected = await staff.approver.post(`${path}/${first.body.id}/reject`, {
      reason: 'Desa B belum mendata pekerja rentan',
    });
    const approverWithdraws = await staff.approver.post(`${path}/${second.body.id}/withdraw`, {});
    const withdrawn = await staff.officer.post(`${path}/${second.body.id}/withdraw`, {});
    const lateApproval = await staff.approver.post(`${path}/${first.body.id}/approve`, {});
    const unknown = await staff.approver.post(`${path}/01J0000000000000000000000Z/reject`, { reason: 'x' });
    const after = await staff.officer.get(`/v1/commitments/${commitmentId}/allocations`);
    const listed = await staff.officer.get(path);

    // Assess
    expect(selfRejected.status).toBe(403);
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({
      status: 'rejected',
      rejectionReason: 'Desa B belum mendata pekerja rentan',
    });
    // A role without the right is refused by policy before the store is asked.
    expect(approverWithdraws.status).toBe(403);
    expect(withdrawn.body).toMatchObject({ status: 'withdrawn' });
    expect(lateApproval.status).toBe(409);
    expect(lateApproval.body.code).toBe('illegal-transition');
    expect(unknown.status).toBe(404);
    expect(after.body.items).toEqual(before.body.items);
    expect(listed.body.items.map((r: { status: string }) => r.status)).toEqual(['rejected', 'withdrawn']);
  });

  it('names the regions one level down, from the country to a district’s villages', async () => {
    // Prepare
    const auditor = await caller(stack, { roles: ['village-operator'], villageCodes: [A] });

    // Act
    const provinces = await auditor.get('/v1/regions/ID/children');
    const jambi = await auditor.get('/v1/regions/15/children');
    const villages = await auditor.get('/v1/regions/15.71.01/children');
    const none = await auditor.get('/v1/regions/15.71.01.1001/children');
    const unknown = await auditor.get('/v1/regions/15.99/children');
    const malformed = await auditor.get('/v1/regions/jambi/children');

    // Assess
    expect(provinces.body.items).toHaveLength(38);
    expect(jambi.body.items[0]).toMatchObject({ code: '15.01', name: 'Kabupaten Kerinci', level: 'regency' });
    expect(jambi.body.items.reduce((n: number, r: { villages: number }) => n + r.villages, 0)).toBe(1585);
    expect(villages.body.items[0]).toEqual({
      code: '15.71.01.1001',
      name: 'Simpang IV Sipin',
      level: 'village',
    });
    expect(none.body.items).toEqual([]);
    expect(unknown.status).toBe(404);
    expect(malformed.status).toBe(422);
  });
});
