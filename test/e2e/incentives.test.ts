/**
 * Incentive schemes through the local stack (issue 19, Must-show 2): a regency's quota scheme over 10 villages,
 * 4 of which reach their target by June. Rolling June (twice) awards nothing yet; rolling July — three times at
 * once, with the administrator's evaluation twice beside them — makes exactly 4 awards, once; later rolls add
 * none. The extra quota lets a full village enroll again. A money scheme for July (5 villages reach it) is
 * evaluated when August rolls: 3 awards fit the budget, 2 are recorded as unfunded. Every counter reconciles
 * with the ledger (I1, I2, I5).
 */
import { type CliIo, run } from '@lindung/cli';
import { annualPremium, benefitPackage, villagesOf } from '@lindung/core';
import { describe, expect, it } from 'vitest';
import { type Caller, caller } from '../support/api-client.js';
import { eventually, localStack } from '../support/local-stack.js';
import { repositories, sponsorWithStaff } from '../support/scenario.js';

const stack = localStack();
const repos = repositories(stack);

/** Runs `lindung` in this process against the local stack (an administrator's token, as locally). */
const lindung = async (args: readonly string[]) => {
  let stdout = '';
  const io: CliIo = {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: () => undefined },
    env: {},
    fetch,
  };
  const code = await run([...args, '--url', stack.httpUrl], io);
  return { code, stdout };
};
// Above every year another test rolls (a roll of a later period would evaluate this file's June scheme), and
// the year before it is nobody's (rolling this year closes the year before's commitments).
const YEAR = 2060;
const period = (month: number) => `${YEAR}-${String(month).padStart(2, '0')}`;
const MONTHLY = 16_800;
const YEARLY = annualPremium(benefitPackage({ programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 }), YEAR);
const VILLAGES = villagesOf('15.06.02').map((v) => v.code as string);
/** Born 1 January 2000 (60 in 2060), issued in district 15.06.02, which no other test uses. */
const nik = (serial: number) => `150602010100${String(serial).padStart(4, '0')}`;
/** Each village's quota: three workers from June, exactly (7 months each). */
const QUOTA = 3 * 7 * MONTHLY;
const MONEY = 1_000_000;
/** Room for 4 quota awards and 3 money awards, not 5: the 4th and 5th money awards are unfunded. */
const UNALLOCATED = 4 * YEARLY + 3 * MONEY + 500_000;

/** Workers of each village: from which month (and, for one, a termination from June). */
const PLAN: readonly { readonly starts: readonly number[]; readonly terminateOne?: true }[] = [
  { starts: [6, 6, 6] }, // reached
  { starts: [6, 6, 6] }, // reached
  { starts: [6, 6, 6] }, // reached
  { starts: [6, 6, 6] }, // reached
  { starts: [6, 6, 6], terminateOne: true }, // 2 in June
  { starts: [6, 6, 7] }, // the third only from July: reached by July
  { starts: [6, 6] },
  { starts: [6] },
  { starts: [] },
  { starts: [6, 6] },
];

describe('an incentive scheme over 10 villages, 4 of which reach their target by June', () => {
  it('awards exactly 4, once, however often June and July are rolled, and the ledger reconciles', async () => {
    // Prepare: a regency's commitment over 10 villages with room beyond their quotas; a target of 3 workers each.
    expect(VILLAGES).toHaveLength(10);
    const staff = await sponsorWithStaff(stack, {
      name: 'Kabupaten Tanjung Jabung Timur',
      kind: 'regency',
      regionCode: '15.06',
    });
    const draft = await staff.officer.post('/v1/commitments', {
      sponsorId: staff.sponsorId,
      fiscalYear: YEAR,
      budget: { kind: 'fixed', amount: 10 * QUOTA + UNALLOCATED },
      benefit: { programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 },
      reservation: 'fiscal-year',
      allocation: { method: 'explicit', amounts: Object.fromEntries(VILLAGES.map((v) => [v, QUOTA])) },
    });
    expect(draft.status, JSON.stringify(draft.body)).toBe(201);
    const commitmentId = draft.body.id as string;
    expect((await staff.approver.post(`/v1/commitments/${commitmentId}/approve`, {})).status).toBe(200);
    for (const village of VILLAGES) {
      const target = await staff.officer.send('PUT', `/v1/regions/${village}/targets/${YEAR}`, {
        body: JSON.stringify({ workers: 3 }),
      });
      expect(target.status, JSON.stringify(target.body)).toBe(200);
    }
    const admin = await caller(stack, { roles: ['admin'], sub: `admin-${YEAR}` });
    const operators = await Promise.all(
      VILLAGES.map((v) => caller(stack, { roles: ['village-operator'], villageCodes: [v] })),
    );
    let serial = 0;
    const enroll = (i: number, month: number) =>
      (operators[i] as Caller).post(`/v1/villages/${VILLAGES[i]}/enrollments`, {
        commitmentId,
        worker: { nik: nik(++serial) },
        startPeriod: period(month),
      });
    for (const [i, plan] of PLAN.entries()) {
      const enrolled = [];
      for (const month of plan.starts) enrolled.push(await enroll(i, month));
      expect(enrolled.map((e) => e.status)).toEqual(plan.starts.map(() => 201));
      if (plan.terminateOne) {
        const ended = await (operators[i] as Caller).post(
          `/v1/enrollments/${enrolled[0]?.body.id}/terminate`,
          {
            fromPeriod: period(6),
          },
        );
        expect(ended.status, JSON.stringify(ended.body)).toBe(200);
      }
    }
    // A full village cannot enroll a fourth worker before any award.
    const refused = await enroll(0, 8);
    expect([refused.status, refused.body.code]).toEqual([409, 'quota-exhausted']);

    const quotaScheme = await staff.officer.post('/v1/incentives', {
      commitmentId,
      name: 'Desa peduli pekerja rentan: kuota tambahan',
      period: period(6),
      threshold: '100',
      award: { kind: 'quota', workerYears: 1 },
    });
    const moneyScheme = await staff.officer.post('/v1/incentives', {
      commitmentId,
      name: 'Desa peduli pekerja rentan: dana insentif',
      period: period(7),
      regions: VILLAGES,
      threshold: '100',
      award: { kind: 'money', amount: MONEY },
    });
    expect([quotaScheme.status, moneyScheme.status], JSON.stringify(quotaScheme.body)).toEqual([201, 201]);
    expect(quotaScheme.body).toMatchObject({
      status: 'pending',
      regions: VILLAGES,
      awardCost: YEARLY,
      threshold: 100,
    });
    const outside = await staff.officer.post('/v1/incentives', {
      commitmentId,
      name: 'Di luar wilayah',
      period: period(6),
      regions: ['15.01'],
      threshold: '50',
      award: { kind: 'money', amount: MONEY },
    });
    expect([outside.status, outside.body.code]).toEqual([422, 'validation-failed']);

    const rollThrough = async (month: number, times: number) => {
      const answers = await Promise.all(
        Array.from({ length: times }, () => admin.post(`/v1/periods/${period(month)}/roll`, {})),
      );
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 202));
      await eventually(
        async () => {
          const allocations = await repos.commitments.allAllocations(commitmentId);
          return (
            allocations.every((a) => (a as { rolledThrough?: string }).rolledThrough === period(month)) ||
            undefined
          );
        },
        { timeoutMs: 60_000, what: `every village rolled through ${period(month)}` },
      );
      return answers;
    };
    const schemes = [quotaScheme.body.id as string, moneyScheme.body.id as string];
    const read = () => Promise.all(schemes.map((id) => staff.officer.get(`/v1/incentives/${id}`)));

    // Act 1: June rolled twice: its end has not come, so nothing is evaluated.
    await rollThrough(6, 2);
    const beforeEnd = await read();

    // Assess 1 (the rolls' own counts include other test files' schemes on the shared stack: not asserted)
    expect(beforeEnd.map((s) => [s.body.status, s.body.awards])).toEqual([
      ['pending', []],
      ['pending', []],
    ]);

    // Act 2: July rolled three times at once, beside the administrator's evaluation of the June scheme twice.
    const [, ...evaluations] = await Promise.all([
      rollThrough(7, 3),
      admin.post(`/v1/incentives/${schemes[0]}/evaluate`, {}),
      admin.post(`/v1/incentives/${schemes[0]}/evaluate`, {}),
    ]);
    const [quota, moneyInJuly] = await read();
    // Act 3: August (the money scheme's end) rolled twice at once, with its evaluation twice beside them.
    const [, ...moneyEvaluations] = await Promise.all([
      rollThrough(8, 2),
      admin.post(`/v1/incentives/${schemes[1]}/evaluate`, {}),
      admin.post(`/v1/incentives/${schemes[1]}/evaluate`, {}),
    ]);
    const [quotaLater, money] = await read();
    await rollThrough(8, 1);
    const [, moneyLater] = await read();

    // Assess 2: exactly 4 quota awards, for the 4 villages that had 3 covered workers in June; nothing twice.
    expect([...evaluations, ...moneyEvaluations].map((e) => e.status)).toEqual([200, 200, 200, 200]);
    const reached = VILLAGES.slice(0, 4);
    expect(quota?.body.status).toBe('evaluated');
    expect(quota?.body.outcome).toMatchObject({ reached: 4, awarded: 4, unfunded: 0 });
    expect(quota?.body.awards.map((a: { regionCode: string }) => a.regionCode)).toEqual(reached);
    for (const award of quota?.body.awards ?? []) {
      expect(award).toMatchObject({
        status: 'awarded',
        kind: 'quota',
        workerYears: 1,
        amount: YEARLY,
        covered: 3,
        target: 3,
      });
    }
    expect(quotaLater?.body).toEqual(quota?.body);
    // The July money scheme waited for July's end; then 5 reached it and the budget paid the first 3.
    expect([moneyInJuly?.body.status, moneyInJuly?.body.awards]).toEqual(['pending', []]);
    expect(money?.body.outcome).toMatchObject({ reached: 5, awarded: 3, unfunded: 2 });
    expect(
      money?.body.awards.map((a: { regionCode: string; status: string; reason?: string }) => [
        a.regionCode,
        a.status,
        a.reason,
      ]),
    ).toEqual([
      [VILLAGES[0], 'awarded', undefined],
      [VILLAGES[1], 'awarded', undefined],
      [VILLAGES[2], 'awarded', undefined],
      [VILLAGES[3], 'unfunded', 'budget-exceeded'],
      [VILLAGES[5], 'unfunded', 'budget-exceeded'],
    ]);
    expect(moneyLater?.body).toEqual(money?.body);

    // Assess 3: the counters and the ledger agree; I1 holds; the extra quota enrolls a fourth worker.
    const commitment = await repos.commitments.require(commitmentId);
    const allocations = await repos.commitments.allAllocations(commitmentId);
    expect(commitment.allocated).toBe(10 * QUOTA + 4 * YEARLY + 3 * MONEY);
    expect(commitment.awarded).toBe(3 * MONEY);
    expect(commitment.allocated).toBeLessThanOrEqual(commitment.budget);
    expect((await repos.ledger.reconcileCommitment(commitment, allocations)).problems).toEqual([]);
    for (const allocation of allocations) {
      expect((await repos.ledger.reconcile(allocation)).problems, allocation.villageCode).toEqual([]);
      expect(allocation.budget).toBe(reached.includes(allocation.villageCode) ? QUOTA + YEARLY : QUOTA);
    }
    const totals = await staff.officer.get(`/v1/commitments/${commitmentId}`);
    expect(totals.body.totals).toMatchObject({ awarded: 3 * MONEY, unallocated: 500_000 });
    const fourth = await enroll(0, 9);
    expect(fourth.status, JSON.stringify(fourth.body)).toBe(201);
    const budget = await staff.officer.get(`/v1/reports/budget?commitmentId=${commitmentId}`);
    expect(budget.body.awarded).toEqual({ money: 3 * MONEY, quota: 4 * YEARLY });
    const coverage = await eventually(
      async () => {
        const { body } = await staff.officer.get(
          `/v1/reports/coverage?sponsorId=${staff.sponsorId}&fiscalYear=${YEAR}&region=15.06.02`,
        );
        return body?.children?.some((c: { code: string }) => c.code === VILLAGES[0]) ? body : undefined;
      },
      { timeoutMs: 60_000, what: 'the coverage report of the district with its villages' },
    );
    expect(coverage.region.awarded).toEqual({ money: 3 * MONEY, quota: 4 * YEARLY });
    expect(coverage.children.find((c: { code: string }) => c.code === VILLAGES[0]).awarded).toEqual({
      money: MONEY,
      quota: YEARLY,
    });
    const shown = await lindung(['incentives', 'show', '--scheme', schemes[0] as string]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('4 reached it: 4 awarded, 0 unfunded');
    expect(shown.stdout).toContain(`${VILLAGES[0]}  `);
    expect(shown.stdout).toContain('3 of 3 covered; awarded Rp 201.600');
    const listed = await staff.approver.get(`/v1/sponsors/${staff.sponsorId}/incentives`);
    expect(listed.body.items.map((s: { id: string }) => s.id)).toEqual([...schemes].reverse());
  });
});
