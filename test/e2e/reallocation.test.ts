import { describe, expect, it } from 'vitest';
import { type Caller, caller, nikIn } from '../support/api-client.js';
import { importAndWait } from '../support/imports.js';
import { localStack } from '../support/local-stack.js';
import { activeCommitment, commitmentDraft, repositories, sponsorWithStaff } from '../support/scenario.js';

const FULL_YEAR = 12 * 16_800;
const QUOTA = 10_000_000;

interface Allocation {
  readonly villageCode: string;
  readonly budget: number;
  readonly available: number;
  readonly reserved: number;
}

const allocationsOf = async (reader: Caller, commitmentId: string): Promise<Record<string, Allocation>> => {
  const { body } = await reader.get(`/v1/commitments/${commitmentId}/allocations?limit=100`);
  return Object.fromEntries(body.items.map((a: Allocation) => [a.villageCode, a]));
};

/** A commitment of Rp 10.000.000 per village whose first village has `workers` full-year workers enrolled. */
const quotasWithWorkers = async (villages: string[], workers: number, district: string) => {
  const stack = localStack();
  const staff = await sponsorWithStaff(stack);
  const commitmentId = await activeCommitment(staff, { villages, perVillage: QUOTA });
  const [first = ''] = villages;
  const operator = await caller(stack, { roles: ['village-operator'], villageCodes: [first] });
  const imported = await importAndWait(operator, first, {
    commitmentId,
    rows: Array.from({ length: workers }, (_, i) => ({
      nik: nikIn(district, i + 1),
      startPeriod: '2027-01',
    })),
  });
  expect(imported.job.rows.enrolled).toBe(workers);
  const path = `/v1/commitments/${commitmentId}/reallocations`;
  return { staff, commitmentId, path };
};

describe('reallocation of quota between villages (maker-checker)', () => {
  const stack = localStack();

  it('moves unreserved quota only once a different approver approves, keeping the sum of quotas at the budget', async () => {
    // Prepare: A has 10 workers (Rp 2.016.000 reserved).
    const [A, B, C] = ['15.02.01.2001', '15.02.01.2002', '15.02.01.2003'] as const;
    const { staff, commitmentId, path } = await quotasWithWorkers([A, B, C], 10, '150201');
    const both = await caller(stack, {
      roles: ['sponsor-officer', 'sponsor-approver'],
      sponsorId: staff.sponsorId,
      sub: `both-${staff.sponsorId}`,
    });
    const moves = [
      { from: A, to: B, amount: 5_000_000 },
      { from: A, to: C, amount: 2_000_000 },
    ];

    // Act
    const proposed = await staff.officer.post(path, {
      moves,
      reason: 'B and C list more vulnerable workers',
    });
    const whileProposed = await allocationsOf(staff.officer, commitmentId);
    const ownProposal = await both.post(path, { moves: [{ from: C, to: B, amount: 1 }] });
    const selfApproval = await both.post(`${path}/${ownProposal.body.id}/approve`, {});
    const approved = await staff.approver.post(`${path}/${proposed.body.id}/approve`, {});
    const again = await staff.approver.post(`${path}/${proposed.body.id}/approve`, {});
    const after = await allocationsOf(staff.officer, commitmentId);
    const totals = (await staff.officer.get(`/v1/commitments/${commitmentId}`)).body.totals;
    const listed = (await staff.approver.get(path)).body.items;

    // Assess: a proposal moves nothing.
    expect(proposed.status).toBe(201);
    expect(proposed.body).toMatchObject({ status: 'proposed', total: 7_000_000, moves });
    expect(Object.values(whileProposed).map((a) => a.budget)).toEqual([QUOTA, QUOTA, QUOTA]);
    // Assess: maker-checker.
    expect(selfApproval.status).toBe(403);
    expect(selfApproval.body.code).toBe('forbidden');
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', approvedBy: `approver-${staff.sponsorId}` });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('illegal-transition');
    // Assess: the quota moved once, reservations stayed, and the sum is the budget.
    expect(after[A]).toMatchObject({
      budget: 3_000_000,
      available: 3_000_000 - 10 * FULL_YEAR,
      reserved: 10 * FULL_YEAR,
    });
    expect(after[B]).toMatchObject({ budget: 15_000_000, available: 15_000_000 });
    expect(after[C]).toMatchObject({ budget: 12_000_000, available: 12_000_000 });
    expect(Object.values(after).reduce((sum, a) => sum + a.budget, 0)).toBe(3 * QUOTA);
    expect(totals).toMatchObject({ budget: 3 * QUOTA, allocated: 3 * QUOTA, unallocated: 0 });
    expect(listed.map((r: { id: string; status: string }) => [r.id, r.status])).toEqual(
      expect.arrayContaining([
        [proposed.body.id, 'approved'],
        [ownProposal.body.id, 'proposed'],
      ]),
    );
  });

  it('writes a ledger entry per move and side that reconciles with every quota', async () => {
    // Prepare
    const [A, B] = ['15.02.01.2004', '15.02.01.2005'] as const;
    const { staff, commitmentId, path } = await quotasWithWorkers([A, B], 3, '150202');
    const { ledger, commitments } = repositories(stack);

    // Act: A → B twice in one reallocation, and B → A (net: A gives 1.500.000).
    const proposed = await staff.officer.post(path, {
      moves: [
        { from: A, to: B, amount: 1_000_000 },
        { from: A, to: B, amount: 1_000_000 },
        { from: B, to: A, amount: 500_000 },
      ],
    });
    const approved = await staff.approver.post(`${path}/${proposed.body.id}/approve`, {});

    // Assess
    expect(approved.status).toBe(200);
    const entries = async (village: string) =>
      (await ledger.entries(commitmentId, village))
        .filter((e) => e.reallocationId === proposed.body.id)
        .map((e) => [e.type, e.amount]);
    expect(await entries(A)).toEqual([
      ['reallocate-out', 1_000_000],
      ['reallocate-out', 1_000_000],
      ['reallocate-in', 500_000],
    ]);
    expect(await entries(B)).toEqual([
      ['reallocate-in', 1_000_000],
      ['reallocate-in', 1_000_000],
      ['reallocate-out', 500_000],
    ]);
    for (const village of [A, B]) {
      const allocation = await commitments.allocation(commitmentId, village);
      expect(allocation).toBeDefined();
      if (allocation) expect((await ledger.reconcile(allocation)).problems).toEqual([]);
    }
    expect((await commitments.allocation(commitmentId, A))?.budget).toBe(QUOTA - 1_500_000);
  });

  it('refuses to move reserved quota: 409 quota-exhausted naming the village, at proposal and again at approval', async () => {
    // Prepare: D has 10 workers, so Rp 7.984.000 of its quota is unreserved.
    const [D, E] = ['15.02.01.2023', '15.02.01.2024'] as const;
    const { staff, commitmentId, path } = await quotasWithWorkers([D, E], 10, '150203');
    const unreserved = QUOTA - 10 * FULL_YEAR;
    const before = await allocationsOf(staff.officer, commitmentId);
    const operator = await caller(stack, { roles: ['village-operator'], villageCodes: [D] });

    // Act: a proposal larger than the unreserved quota; then one that fits until a worker is enrolled.
    const tooMuch = await staff.officer.post(path, { moves: [{ from: D, to: E, amount: unreserved + 1 }] });
    const listed = await staff.officer.get(`${path}?limit=100`);
    const all = await staff.officer.post(path, { moves: [{ from: D, to: E, amount: unreserved }] });
    const enrolled = await operator.post(`/v1/villages/${D}/enrollments`, {
      commitmentId,
      worker: { nik: nikIn('150203', 11) },
      startPeriod: '2027-01',
    });
    const refused = await staff.approver.post(`${path}/${all.body.id}/approve`, {});
    const unchanged = await allocationsOf(staff.officer, commitmentId);
    const rest = await staff.officer.post(path, {
      moves: [{ from: D, to: E, amount: unreserved - FULL_YEAR }],
    });
    const moved = await staff.approver.post(`${path}/${rest.body.id}/approve`, {});
    const after = await allocationsOf(staff.officer, commitmentId);
    const stillProposed = await staff.approver.post(`${path}/${all.body.id}/approve`, {});

    // Assess: refused at proposal, and nothing stored.
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body).toMatchObject({
      code: 'quota-exhausted',
      details: { villageCode: D, available: unreserved, required: unreserved + 1 },
    });
    expect(tooMuch.body.detail).toContain(D);
    expect(listed.body.items).toEqual([]);
    // Accepted while it fitted, refused at approval once quota was reserved meanwhile, and nothing moved.
    expect([all.status, enrolled.status]).toEqual([201, 201]);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      code: 'quota-exhausted',
      details: { villageCode: D, available: unreserved - FULL_YEAR, required: unreserved },
    });
    expect(Object.values(unchanged).map((a) => a.budget)).toEqual(Object.values(before).map((a) => a.budget));
    expect(moved.status).toBe(200);
    expect(after[D]).toMatchObject({ budget: 11 * FULL_YEAR, available: 0, reserved: 11 * FULL_YEAR });
    expect(after[E]?.budget).toBe(QUOTA + unreserved - FULL_YEAR);
    expect(stillProposed.body.code).toBe('quota-exhausted');
  });

  it('approves a proposal once when two approvers approve it at the same time', async () => {
    // Prepare
    const [F, G] = ['15.02.01.2008', '15.02.01.2009'] as const;
    const { staff, commitmentId, path } = await quotasWithWorkers([F, G], 1, '150204');
    const second = await caller(stack, {
      roles: ['sponsor-approver'],
      sponsorId: staff.sponsorId,
      sub: `second-approver-${staff.sponsorId}`,
    });
    const proposed = await staff.officer.post(path, { moves: [{ from: F, to: G, amount: 1_000_000 }] });

    // Act
    const answers = await Promise.all([
      staff.approver.post(`${path}/${proposed.body.id}/approve`, {}),
      second.post(`${path}/${proposed.body.id}/approve`, {}),
    ]);

    // Assess
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const after = await allocationsOf(staff.officer, commitmentId);
    expect([after[F]?.budget, after[G]?.budget]).toEqual([QUOTA - 1_000_000, QUOTA + 1_000_000]);
  });

  it('refuses proposals that are not moves between villages of an active commitment', async () => {
    // Prepare
    const [H, I] = ['15.02.01.2010', '15.02.01.2011'] as const;
    const { staff, path } = await quotasWithWorkers([H, I], 1, '150205');
    const draft = await staff.officer.post(
      '/v1/commitments',
      commitmentDraft(staff.sponsorId, { villages: [H, I] }),
    );
    const move = { from: H, to: I, amount: 1_000 };

    // Act
    const answers = {
      sameVillage: await staff.officer.post(path, { moves: [{ ...move, to: H }] }),
      foreignVillage: await staff.officer.post(path, { moves: [{ ...move, to: '15.02.01.2999' }] }),
      tooManyMoves: await staff.officer.post(path, { moves: Array.from({ length: 25 }, () => move) }),
      noMoves: await staff.officer.post(path, { moves: [] }),
      zero: await staff.officer.post(path, { moves: [{ ...move, amount: 0 }] }),
      fraction: await staff.officer.post(path, { moves: [{ ...move, amount: 1.5 }] }),
      draft: await staff.officer.post(`/v1/commitments/${draft.body.id}/reallocations`, { moves: [move] }),
      unknown: await staff.approver.post(`${path}/01JZZZZZZZZZZZZZZZZZZZZZZZ/approve`, {}),
      notAnId: await staff.approver.post(`${path}/not-an-id/approve`, {}),
    };
    const listed = await staff.officer.get(path);

    // Assess
    expect(
      Object.fromEntries(Object.entries(answers).map(([name, a]) => [name, [a.status, a.body.code]])),
    ).toEqual({
      sameVillage: [422, 'validation-failed'],
      foreignVillage: [422, 'validation-failed'],
      tooManyMoves: [422, 'validation-failed'],
      noMoves: [422, 'validation-failed'],
      zero: [422, 'validation-failed'],
      fraction: [422, 'validation-failed'],
      draft: [409, 'commitment-not-active'],
      unknown: [404, 'not-found'],
      notAnId: [404, 'not-found'],
    });
    expect(listed.body.items).toEqual([]);
  });
});
