/**
 * A sponsor's year for the report tests (e2e and browser), built through the HTTP API like a client would:
 * a province sponsor with a commitment over real villages of Jambi, workers enrolled, one terminated, some
 * months rolled and paid by the billing simulator, and target counts imported for the villages.
 */
import { documentClient, ReportsRepository } from '@lindung/store';
import { expect } from 'vitest';
import { type Caller, caller, nikIn } from './api-client.js';
import type { ProvidedLocalStack } from './global-local-stack.js';
import { eventually, localClients } from './local-stack.js';
import { activeCommitment, repositories, type SponsorStaff, sponsorWithStaff } from './scenario.js';

export const MONTHLY_PREMIUM = 16_800;

export interface WorldPlan {
  readonly fiscalYear: number;
  /** Village codes; village i gets `1 + (i % 3)` workers from January (the first also one from February). */
  readonly villages: readonly string[];
  /** Quota of each village (default: 3 full-year workers). */
  readonly perVillage?: number;
  /** The 6-digit region part of the synthetic NIKs: unique per test file, a NIK is covered once a year. */
  readonly nikDistrict: string;
  /** Months rolled (and paid), from January. */
  readonly months: number;
  /** Target workers of each village. */
  readonly target: number;
  readonly sponsorName?: string;
}

export interface ReportWorld {
  readonly staff: SponsorStaff;
  readonly admin: Caller;
  readonly operator: Caller;
  readonly commitmentId: string;
  readonly plan: WorldPlan;
  /** Active enrollments per village at the end. */
  readonly covered: ReadonlyMap<string, number>;
  readonly reports: ReportsRepository;
}

const period = (year: number, month: number) => `${year}-${String(month).padStart(2, '0')}`;

/** The reports repository of the local stack (what the projector writes, and the rebuild). */
export const reportsOf = (stack: ProvidedLocalStack) => {
  const ledger = stack.tables.ledger?.name;
  const reports = stack.tables.reports?.name;
  if (!ledger || !reports) throw new Error('the local stack has no ledger or reports table');
  return new ReportsRepository(documentClient(localClients(stack).dynamodb), ledger, reports);
};

export const seedReportWorld = async (stack: ProvidedLocalStack, plan: WorldPlan): Promise<ReportWorld> => {
  const { fiscalYear, villages, nikDistrict } = plan;
  const staff = await sponsorWithStaff(stack, {
    name: plan.sponsorName ?? `Provinsi Jambi ${fiscalYear}`,
    kind: 'province',
    regionCode: '15',
  });
  const admin = await caller(stack, { roles: ['admin'], sub: `admin-${fiscalYear}` });
  const commitmentId = await activeCommitment(staff, {
    villages,
    fiscalYear,
    perVillage: plan.perVillage ?? 3 * 12 * MONTHLY_PREMIUM,
  });
  const operator = await caller(stack, {
    roles: ['village-operator'],
    villageCodes: [...villages],
    sub: `operator-${fiscalYear}`,
  });
  const covered = new Map<string, number>();
  let serial = 0;
  const enroll = async (villageCode: string, month: number) => {
    const answer = await operator.post(`/v1/villages/${villageCode}/enrollments`, {
      commitmentId,
      worker: { nik: nikIn(nikDistrict, ++serial) },
      startPeriod: period(fiscalYear, month),
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    covered.set(villageCode, (covered.get(villageCode) ?? 0) + 1);
    return answer.body.id as string;
  };
  const first = villages[0] ?? '';
  for (const [i, villageCode] of villages.entries()) {
    for (let w = 0; w < 1 + (i % 3); w++) await enroll(villageCode, 1);
  }
  const leaver = await enroll(first, 2);
  const terminated = await operator.post(`/v1/enrollments/${leaver}/terminate`, {
    fromPeriod: period(fiscalYear, 3),
  });
  expect(terminated.status, JSON.stringify(terminated.body)).toBe(200);
  covered.set(first, (covered.get(first) ?? 1) - 1);

  const repos = repositories(stack);
  for (let month = 1; month <= plan.months; month++) {
    const p = period(fiscalYear, month);
    expect((await admin.post(`/v1/periods/${p}/roll`, {})).status).toBe(202);
    await eventually(
      async () =>
        (await repos.commitments.allAllocations(commitmentId)).every(
          (a) => (a as { rolledThrough?: string }).rolledThrough === p,
        ) || undefined,
      { timeoutMs: 60_000, what: `every village rolled through ${p}` },
    );
  }
  await eventually(
    async () => {
      const { body } = await staff.officer.get(`/v1/invoices?sponsorId=${staff.sponsorId}&limit=1000`);
      const items = (body?.items ?? []) as { status: string }[];
      return items.length > 0 && items.every((i) => i.status === 'paid') ? true : undefined;
    },
    { timeoutMs: 60_000, what: 'billing to pay every invoice' },
  );
  const reports = reportsOf(stack);
  await reports.putTargets(Object.fromEntries(villages.map((v) => [v, plan.target])));
  return { staff, admin, operator, commitmentId, plan, covered, reports };
};

/** Waits until the stream projector has caught up: the stored read model equals the rebuild from source. */
export const projectorCaughtUp = (world: ReportWorld, scopes: readonly string[] = []) =>
  eventually(
    async () => {
      const check = await world.reports.rebuild({
        commitmentIds: [world.commitmentId],
        write: false,
        scopes,
      });
      return check.differences.length === 0 ? check : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500, what: 'the reports projector to catch up with the ledger' },
  );
