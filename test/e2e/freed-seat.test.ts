/**
 * A freed seat is a seat again (issue 19), through the HTTP API of the local stack: a village whose quota holds
 * one worker-year terminates its worker from April and enrolls a replacement with the months given back; the
 * budget report (remaining, reserved, released) and every counter agree with the ledger.
 */
import { villagesOf } from '@lindung/core';
import { describe, expect, it } from 'vitest';
import { caller, nikIn } from '../support/api-client.js';
import { eventually, localStack } from '../support/local-stack.js';
import { reportsOf } from '../support/report-world.js';
import { activeCommitment, repositories, sponsorWithStaff } from '../support/scenario.js';

const stack = localStack();
const repos = repositories(stack);
const YEAR = 2037; // no other test uses it
const PREMIUM = 16_800;
const period = (month: number) => `${YEAR}-${String(month).padStart(2, '0')}`;
const village = villagesOf('15.05.01')[0]?.code as string;
const nik = (serial: number) => nikIn('150501', serial);

describe('a worker terminated within the fiscal year', () => {
  it('frees the seat: the unused months enroll a replacement, and the reports agree with the ledger', async () => {
    // Prepare: a quota of exactly one worker-year, its worker enrolled from January, three months rolled.
    const staff = await sponsorWithStaff(stack, {
      name: 'Kabupaten Batang Hari',
      kind: 'regency',
      regionCode: '15.05',
    });
    const commitmentId = await activeCommitment(staff, {
      villages: [village],
      perVillage: 12 * PREMIUM,
      fiscalYear: YEAR,
    });
    const admin = await caller(stack, { roles: ['admin'], sub: `admin-${YEAR}` });
    const operator = await caller(stack, { roles: ['village-operator'], villageCodes: [village] });
    const enroll = (serial: number, month: number) =>
      operator.post(`/v1/villages/${village}/enrollments`, {
        commitmentId,
        worker: { nik: nik(serial) },
        startPeriod: period(month),
      });
    const rollThrough = async (month: number) => {
      expect((await admin.post(`/v1/periods/${period(month)}/roll`, {})).status).toBe(202);
      await eventually(
        async () =>
          (
            (await repos.commitments.allocation(commitmentId, village)) as
              | { rolledThrough?: string }
              | undefined
          )?.rolledThrough === period(month) || undefined,
        { timeoutMs: 60_000, what: `the village rolled through ${period(month)}` },
      );
    };
    const first = await enroll(1, 1);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const tooMany = await enroll(2, 4);
    expect(tooMany.status).toBe(409);
    expect(tooMany.body.code).toBe('quota-exhausted');
    for (const month of [1, 2, 3]) await rollThrough(month);

    // Act: the worker leaves from April; the village enrolls another in the freed seat from April.
    const terminated = await operator.post(`/v1/enrollments/${first.body.id}/terminate`, {
      fromPeriod: period(4),
    });
    const replacement = await enroll(2, 4);
    await rollThrough(4);

    // Assess: the termination answer, the replacement, the counters and the ledger.
    expect(terminated.status, JSON.stringify(terminated.body)).toBe(200);
    expect(terminated.body).toMatchObject({ status: 'terminated', returned: 9 * PREMIUM, released: 0 });
    expect(replacement.status, JSON.stringify(replacement.body)).toBe(201);
    expect(replacement.body.reservedAmount).toBe(9 * PREMIUM);
    const allocation = await repos.commitments.allocation(commitmentId, village);
    expect(allocation).toMatchObject({
      budget: 12 * PREMIUM,
      available: 0,
      reserved: 8 * PREMIUM,
      spent: 4 * PREMIUM,
      released: 0,
    });
    const reconciliation = await repos.ledger.reconcile(allocation as NonNullable<typeof allocation>);
    expect(reconciliation.problems).toEqual([]);
    const entries = await repos.ledger.entries(commitmentId, village);
    expect(entries.filter((e) => e.type === 'unreserve').map((e) => e.amount)).toEqual([9 * PREMIUM]);

    // Assess: the budget report, once the projector has caught up, says what the ledger says.
    const reports = reportsOf(stack);
    await eventually(
      async () =>
        (await reports.rebuild({ commitmentIds: [commitmentId], write: false })).differences.length === 0 ||
        undefined,
      { timeoutMs: 60_000, intervalMs: 500, what: 'the reports projector to catch up with the ledger' },
    );
    const budget = await staff.officer.get(`/v1/reports/budget?commitmentId=${commitmentId}`);
    expect(budget.status).toBe(200);
    const ledger = reconciliation.fromLedger;
    expect(budget.body).toMatchObject({
      committed: 12 * PREMIUM,
      remaining: ledger.available,
      reserved: ledger.reserved,
      spent: ledger.spent,
      released: ledger.released,
      covered: 1,
    });
    expect(budget.body.burn.slice(0, 4).map((b: { spent: number }) => b.spent)).toEqual([
      PREMIUM,
      PREMIUM,
      PREMIUM,
      PREMIUM,
    ]);
    // The replacement keeps the year exactly funded: February–April's pace pays May–December, nothing over.
    expect(budget.body.forecast).toMatchObject({
      monthlyBurn: PREMIUM,
      fundedThrough: period(12),
      lastsTheYear: true,
      neededToYearEnd: 8 * PREMIUM,
      surplusAtYearEnd: 0,
      shortfallToYearEnd: 0,
      nextYearNeed: 12 * PREMIUM,
    });
    const invoice = await operator.get(`/v1/invoices?villageCode=${village}&period=${period(4)}`);
    expect(invoice.body.items.map((i: { total: number }) => i.total)).toEqual([PREMIUM]);
  });
});
