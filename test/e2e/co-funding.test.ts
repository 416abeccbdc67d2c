/**
 * Co-funding through the local stack (issue 18, Must-show 2): Jambi province pays 50 % of Rp 16.800 (JKK
 * Rp 10.000 + JKM Rp 6.800 at the minimum income) over ten villages of Tanjung Jabung Timur in 2067, and the
 * regency co-funds the other 50 %. Workers are enrolled (one of them naming the regency's commitment), the year
 * is rolled month by month through the queues and closed; then every worker-month is on a province line of
 * Rp 8.400 and a regency line of Rp 8.400, both quotas are drawn exactly and reconcile with their ledgers, no NIK
 * is covered twice, and the regency's short quota refuses a whole enrollment with nothing reserved on either side.
 * Into 2068 a worker is carried with both payers as far as the regency's next quota allows.
 */
import { villagesOf } from '@lindung/core';
import {
  type AllocationRecord,
  CommitmentRepository,
  documentClient,
  EnrollmentRepository,
  type Invoice,
  InvoiceRepository,
  LedgerRepository,
} from '@lindung/store';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Caller, caller } from '../support/api-client.js';
import {
  eventually,
  localClients,
  localStack,
  queuesIdle as waitForIdleQueues,
} from '../support/local-stack.js';
import { commitmentDraft, type SponsorStaff, sponsorWithStaff } from '../support/scenario.js';

const stack = localStack();
const clients = localClients(stack);
const tableName = stack.tables.ledger?.name ?? '';
const db = documentClient(clients.dynamodb);
const repos = {
  commitments: new CommitmentRepository(db, tableName),
  enrollments: new EnrollmentRepository(db, tableName),
  invoices: new InvoiceRepository(db, tableName),
  ledger: new LedgerRepository(db, tableName),
};

/** A fiscal year no other e2e test uses, nor the next one (rolled to close it: 2068-01). */
const YEAR = 2067;
const period = (month: number, year = YEAR) => `${year}-${String(month).padStart(2, '0')}`;
const PREMIUM = 16_800;
const HALF = 8_400;
/** Ten villages of district 15.07.01 (Kabupaten Tanjung Jabung Timur), which no other e2e test uses. */
const VILLAGES = villagesOf('15.07.01')
  .slice(0, 10)
  .map((v) => v.code as string);
/** A NIK issued in 15.07.01 to a man born in May 2005 (61 to 63 in 2067 and 2068), serial `serial`. */
const nik = (serial: number) =>
  `150701${String(1 + (serial % 28)).padStart(2, '0')}0505${String(serial).padStart(4, '0')}`;
/** Workers per village enrolled from January; the province's quota holds one more, the regency's exactly these. */
const WORKERS_PER_VILLAGE = 2;
/** The worker terminated from July in the first village: each payer gets 6 × Rp 8.400 back. */
const TERMINATED_FROM = 7;

const queuesIdle = () => waitForIdleQueues(stack, clients.sqs);

const allocationsWhere = (commitmentId: string, test: (a: AllocationRecord) => boolean, what: string) =>
  eventually(
    async () => ((await repos.commitments.allAllocations(commitmentId)).every(test) ? true : undefined),
    { timeoutMs: 60_000, what },
  );

const rolledThrough = (commitmentId: string, p: string) =>
  allocationsWhere(
    commitmentId,
    (a) => (a as { rolledThrough?: string }).rolledThrough === p,
    `every village of ${commitmentId} rolled through ${p}`,
  );

/** Drafts and approves a commitment of `fiscalYear` over the villages; returns it as approved. */
const fund = async (
  staff: SponsorStaff,
  perVillage: number,
  extra: Record<string, unknown>,
  villages = VILLAGES,
  fiscalYear = YEAR,
) => {
  const draft = await staff.officer.post('/v1/commitments', {
    ...commitmentDraft(staff.sponsorId, { villages, perVillage, fiscalYear }),
    ...extra,
  });
  expect(draft.status, JSON.stringify(draft.body)).toBe(201);
  const approved = await staff.approver.post(`/v1/commitments/${draft.body.id}/approve`, {});
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  return approved.body as { id: string; share?: unknown; coFunds?: string };
};

interface World {
  readonly operator: Caller;
  readonly admin: Caller;
  readonly province: { readonly id: string; readonly sponsorId: string; readonly staff: SponsorStaff };
  readonly regency: { readonly id: string; readonly sponsorId: string; readonly staff: SponsorStaff };
}

let world: World;

beforeAll(async () => {
  const [provinceStaff, regencyStaff] = await Promise.all([
    sponsorWithStaff(stack, { name: 'Provinsi Jambi (co-funding)', kind: 'province', regionCode: '15' }),
    sponsorWithStaff(stack, { name: 'Kabupaten Tanjung Jabung Timur', kind: 'regency', regionCode: '15.07' }),
  ]);
  // The province's quota holds one more worker-year at its half than the regency's.
  const province = await fund(provinceStaff, (WORKERS_PER_VILLAGE + 1) * 12 * HALF, {
    share: { kind: 'percent', basisPoints: 5_000 },
  });
  const regency = await fund(regencyStaff, WORKERS_PER_VILLAGE * 12 * HALF, { coFunds: province.id });
  expect(province.share).toEqual({ kind: 'percent', basisPoints: 5_000 });
  expect(regency.coFunds).toBe(province.id);
  world = {
    operator: await caller(stack, { roles: ['village-operator'], villageCodes: VILLAGES }),
    admin: await caller(stack, { roles: ['admin'], sub: 'admin-co-funding' }),
    province: { id: province.id, sponsorId: provinceStaff.sponsorId, staff: provinceStaff },
    regency: { id: regency.id, sponsorId: regencyStaff.sponsorId, staff: regencyStaff },
  };
});

const enroll = (village: string, workerNik: string, commitmentId: string) =>
  world.operator.post(`/v1/villages/${village}/enrollments`, {
    commitmentId,
    worker: { nik: workerNik },
    startPeriod: period(1),
  });

/** Every invoice of a commitment's year with its lines, as `nik@month` → premium. */
const invoicedMonths = async (commitmentId: string) => {
  const lines = new Map<string, number>();
  const invoices: Invoice[] = [];
  for (const village of VILLAGES) {
    for (let month = 1; month <= 12; month++) {
      const invoice = await repos.invoices.getByKey(commitmentId, village, period(month));
      if (!invoice) continue;
      invoices.push(invoice);
      const stored = await repos.invoices.storedLines(invoice);
      expect(stored.reduce((s, l) => s + l.premium, 0)).toBe(invoice.total);
      for (const line of stored) {
        const key = `${line.nik}@${month}`;
        expect(lines.has(key), key).toBe(false);
        lines.set(key, line.premium);
      }
    }
  }
  return { lines, invoices };
};

describe('a province and a regency co-funding one premium', { timeout: 600_000 }, () => {
  it('refuses a co-funding commitment that does not fit the one it names', async () => {
    // Prepare
    const other = await sponsorWithStaff(stack, {
      name: 'Kabupaten lain',
      kind: 'regency',
      regionCode: '15.07',
    });
    const draft = (extra: Record<string, unknown>) =>
      other.officer.post('/v1/commitments', {
        ...commitmentDraft(other.sponsorId, { villages: VILLAGES.slice(0, 1), fiscalYear: YEAR }),
        ...extra,
      });

    // Act
    const otherYear = await draft({ coFunds: world.province.id, fiscalYear: YEAR + 1 });
    const missing = await draft({ coFunds: '01JUNKNOWNCOMMITMENT0000000' });
    const bigShare = await draft({ share: { kind: 'percent', basisPoints: 10_001 } });
    const foreignProgramme = await draft({ share: { kind: 'programs', programs: ['JHT'] } });

    // Assess
    for (const refused of [otherYear, missing, bigShare, foreignProgramme]) {
      expect(refused.status, JSON.stringify(refused.body)).toBe(422);
    }
    expect(otherYear.body.detail).toContain('fiscal year');
  });

  it('refuses to enroll where half the premium would have no payer: no co-funder in the village', async () => {
    // Prepare: the province pays 50 % over an eleventh village, which the regency does not co-fund
    const [alone = ''] = villagesOf('15.07.01')
      .slice(10, 11)
      .map((v) => v.code as string);
    const half = await fund(
      world.province.staff,
      12 * HALF,
      { share: { kind: 'percent', basisPoints: 5_000 } },
      [alone],
    );
    const operator = await caller(stack, { roles: ['village-operator'], villageCodes: [alone] });

    // Act
    const named = await operator.post(`/v1/villages/${alone}/enrollments`, {
      commitmentId: half.id,
      worker: { nik: nik(900) },
      startPeriod: period(1),
    });
    const byPriority = await operator.post(`/v1/villages/${alone}/enrollments`, {
      worker: { nik: nik(901) },
      startPeriod: period(1),
    });

    // Assess: refused, nothing reserved, and by priority no commitment takes the worker
    expect(named.status, JSON.stringify(named.body)).toBe(422);
    expect(named.body.code).toBe('not-eligible');
    expect(named.body.details).toMatchObject({ premium: PREMIUM, covered: HALF, uncovered: HALF });
    expect(named.body.detail).toContain('Rp 8.400 of the Rp 16.800');
    expect(byPriority.body.code, JSON.stringify(byPriority.body)).not.toBe(undefined);
    expect(byPriority.status).not.toBe(201);
    const [allocation] = await repos.commitments.allAllocations(half.id);
    expect(allocation).toMatchObject({ reserved: 0, workers: 0, available: 12 * HALF });
  });

  it('splits every worker-month 8.400 / 8.400, draws both quotas exactly and never covers a NIK twice', async () => {
    const { province, regency, operator, admin } = world;
    const [first = '', second = ''] = VILLAGES;
    // Act: two workers a village from January; in the second village one is enrolled naming the regency.
    const ids: string[] = [];
    let againProvince: Awaited<ReturnType<typeof enroll>> | undefined;
    let againRegency: Awaited<ReturnType<typeof enroll>> | undefined;
    for (const [v, village] of VILLAGES.entries()) {
      if (village === second) {
        // The first village's first worker again, where both quotas have room, through either commitment.
        againProvince = await enroll(second, nik(0), province.id);
        againRegency = await enroll(second, nik(0), regency.id);
      }
      for (let w = 0; w < WORKERS_PER_VILLAGE; w++) {
        const named = village === second && w === 1 ? regency.id : province.id;
        const answer = await enroll(village, nik(v * 10 + w), named);
        expect(answer.status, JSON.stringify(answer.body)).toBe(201);
        expect(answer.body).toMatchObject({
          commitmentId: province.id,
          reservedAmount: 12 * HALF,
          monthlyPremium: PREMIUM,
          payers: [
            { commitmentId: province.id, role: 'primary', monthlyShare: HALF, reservedAmount: 12 * HALF },
            { commitmentId: regency.id, role: 'co-funder', monthlyShare: HALF, reservedAmount: 12 * HALF },
          ],
        });
        expect(answer.body.workerShare).toBeUndefined();
        ids.push(answer.body.id);
      }
    }
    // The regency's quota is full: the province's has room, and still nothing is reserved on either side.
    const before = await Promise.all([
      repos.commitments.allocation(province.id, second),
      repos.commitments.allocation(regency.id, second),
    ]);
    const short = await enroll(second, nik(900), province.id);
    const after = await Promise.all([
      repos.commitments.allocation(province.id, second),
      repos.commitments.allocation(regency.id, second),
    ]);

    // Assess
    for (const twice of [againProvince, againRegency]) {
      expect(twice?.status, JSON.stringify(twice?.body)).toBe(409);
      expect(twice?.body.code).toBe('already-covered');
    }
    expect(short.status, JSON.stringify(short.body)).toBe(409);
    expect(short.body).toMatchObject({
      code: 'quota-exhausted',
      details: {
        payer: 'co-funder',
        commitmentId: regency.id,
        sponsorId: regency.sponsorId,
        required: 12 * HALF,
      },
    });
    expect(before[0]?.available).toBe(12 * HALF); // the province could have paid its half
    expect(after).toEqual(before);
    const shortLedgers = await Promise.all([
      repos.ledger.entries(province.id, second),
      repos.ledger.entries(regency.id, second),
    ]);
    expect(shortLedgers.map((entries) => entries.filter((e) => e.type === 'reserve').length)).toEqual([2, 2]);

    // Act: the year rolled month by month through the queues, a termination from July, then the close.
    for (let month = 1; month <= 12; month++) {
      if (month === TERMINATED_FROM) {
        const ended = await operator.post(`/v1/enrollments/${ids[0]}/terminate`, {
          fromPeriod: period(month),
        });
        expect(ended.status, JSON.stringify(ended.body)).toBe(200);
        expect(ended.body).toMatchObject({ returned: 6 * HALF, released: 0 });
      }
      expect((await admin.post(`/v1/periods/${period(month)}/roll`, {})).status).toBe(202);
      await rolledThrough(province.id, period(month));
      await rolledThrough(regency.id, period(month));
      await queuesIdle();
    }
    // The next year: both sponsors again over the third village, the regency with room for one worker only.
    const third = VILLAGES[2] ?? '';
    const nextProvince = await fund(
      province.staff,
      2 * 12 * HALF,
      { share: { kind: 'percent', basisPoints: 5_000 } },
      [third],
      YEAR + 1,
    );
    const nextRegency = await fund(regency.staff, 12 * HALF, { coFunds: nextProvince.id }, [third], YEAR + 1);
    expect((await admin.post(`/v1/periods/${period(1, YEAR + 1)}/roll`, {})).status).toBe(202);
    for (const { id } of [province, regency]) {
      await allocationsWhere(id, (a) => a.status === 'closed', `the year of ${id} to close`);
    }
    await rolledThrough(nextProvince.id, period(1, YEAR + 1));
    await rolledThrough(nextRegency.id, period(1, YEAR + 1));
    await queuesIdle();

    // Assess: one province line and one regency line of Rp 8.400 for every covered worker-month.
    const workerMonths = VILLAGES.length * WORKERS_PER_VILLAGE * 12 - (13 - TERMINATED_FROM);
    const provinceInvoices = await invoicedMonths(province.id);
    const regencyInvoices = await invoicedMonths(regency.id);
    expect(provinceInvoices.lines.size).toBe(workerMonths);
    expect([...regencyInvoices.lines.keys()].sort()).toEqual([...provinceInvoices.lines.keys()].sort());
    for (const side of [provinceInvoices, regencyInvoices]) {
      expect(new Set(side.lines.values())).toEqual(new Set([HALF]));
      expect(side.invoices).toHaveLength(VILLAGES.length * 12);
    }
    expect(provinceInvoices.invoices.every((i) => i.sponsorId === province.sponsorId)).toBe(true);
    expect(regencyInvoices.invoices.every((i) => i.sponsorId === regency.sponsorId)).toBe(true);
    // Each sponsor numbers its own invoices of the year without a gap.
    for (const side of [provinceInvoices, regencyInvoices]) {
      const numbers = side.invoices.map((i) => i.number ?? 0).sort((a, b) => a - b);
      expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => i + 1));
    }

    // Assess: both quotas drawn exactly, nothing left reserved, every ledger reconciling.
    for (const [side, invoices] of [
      [province, provinceInvoices],
      [regency, regencyInvoices],
    ] as const) {
      const allocations = await repos.commitments.allAllocations(side.id);
      const spent = allocations.reduce((s, a) => s + a.spent, 0);
      const invoiced = invoices.invoices.reduce((s, i) => s + i.total, 0);
      expect(spent).toBe(invoiced);
      expect(spent).toBe(HALF * workerMonths);
      expect(allocations.every((a) => a.reserved === 0 && a.available === 0 && a.status === 'closed')).toBe(
        true,
      );
      for (const a of allocations) {
        expect((await repos.ledger.reconcile(a)).problems, `${side.id} ${a.villageCode}`).toEqual([]);
      }
    }
    // The terminated worker's six months went back to each payer's quota in the first village.
    const unreserved = await Promise.all(
      [province.id, regency.id].map(async (id) =>
        (await repos.ledger.entries(id, first)).filter((e) => e.type === 'unreserve').map((e) => e.amount),
      ),
    );
    expect(unreserved).toEqual([[6 * HALF], [6 * HALF]]);

    // Assess: one worker of the third village carried into the next year with both payers, as far as the
    // regency's quota allowed; both sponsors invoice its January at Rp 8.400.
    const carried = await repos.enrollments.ofAllocation(nextProvince.id, third);
    expect(carried).toHaveLength(1);
    expect(carried[0]).toMatchObject({
      startPeriod: period(1, YEAR + 1),
      reservedAmount: 12 * HALF,
      payers: [
        { commitmentId: nextProvince.id, role: 'primary', monthlyShare: HALF, reservedAmount: 12 * HALF },
        { commitmentId: nextRegency.id, role: 'co-funder', monthlyShare: HALF, reservedAmount: 12 * HALF },
      ],
    });
    const endings = (await repos.enrollments.ofAllocation(province.id, third)).map((e) => e.endReason).sort();
    expect(endings).toEqual(['carried-over', 'fiscal-year-end']);
    for (const id of [nextProvince.id, nextRegency.id]) {
      const january = await repos.invoices.getByKey(id, third, period(1, YEAR + 1));
      expect(january && (await repos.invoices.storedLines(january)).map((l) => l.premium)).toEqual([HALF]);
      const [allocation] = await repos.commitments.allAllocations(id);
      expect(allocation && (await repos.ledger.reconcile(allocation)).problems).toEqual([]);
    }
  });
});
