/**
 * Incentive awards against DynamoDB Local (issue 19): an award is one transaction keyed by scheme + region, so
 * twelve concurrent attempts write it once; the commitment's `allocated` stays within its budget (I1) — an award
 * it cannot pay is recorded as unfunded and moves nothing; the counters reconcile with the ledger (I2, I5); and
 * the covered workers of a village in a period count every sponsor's enrollments that cover it.
 */
import {
  allocate,
  type BasisPoints,
  benefitPackage,
  type IncentiveAward,
  type Period,
  periodRange,
  type Rupiah,
  rupiah,
} from '@lindung/core';
import {
  CommitmentRepository,
  documentClient,
  EnrollmentRepository,
  IncentiveRepository,
  LedgerRepository,
} from '@lindung/store';
import { describe, expect, it } from 'vitest';
import { localClients, localStack } from '../../support/local-stack.js';

const stack = localStack();
const db = documentClient(localClients(stack).dynamodb);
const tableName = stack.tables.ledger?.name ?? '';
const commitments = new CommitmentRepository(db, tableName);
const enrollments = new EnrollmentRepository(db, tableName);
const incentives = new IncentiveRepository(db, tableName);
const ledger = new LedgerRepository(db, tableName);
const YEAR = 2039; // no other integration test uses it
const PREMIUM = 16_800;
const benefit = benefitPackage({ programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 });
const p = (month: number) => `${YEAR}-${String(month).padStart(2, '0')}` as Period;

let serial = 0;
/** An active commitment of `YEAR` over one village of its own: a quota of `quota`, a budget of `budget`. */
const commitment = async (budget: number, quota: number, village = `15.71.04.${2001 + serial++}`) => {
  const sponsor = await commitments.createSponsor({ name: 'Kota Uji', kind: 'city', regionCode: '15.71' });
  const amounts = { [village]: quota };
  const draft = await commitments.draft(
    {
      sponsorId: sponsor.id,
      fiscalYear: YEAR,
      budget: rupiah(budget),
      funding: { kind: 'fixed', amount: rupiah(budget) },
      benefit,
      reservation: 'fiscal-year',
      allocation: { kind: 'explicit', amounts },
      villageCodes: [village],
    },
    'officer',
  );
  await commitments.approve(
    draft.id,
    'approver',
    allocate(rupiah(budget), { kind: 'explicit', amounts }, [village]),
  );
  return { commitmentId: draft.id, sponsorId: sponsor.id, village };
};

const scheme = (c: Awaited<ReturnType<typeof commitment>>, award: IncentiveAward, cost: number) =>
  incentives.create(
    {
      sponsorId: c.sponsorId,
      commitmentId: c.commitmentId,
      fiscalYear: YEAR,
      name: 'Insentif uji',
      period: p(6),
      regions: [c.village],
      threshold: 10_000 as BasisPoints,
      award,
      awardCost: rupiah(cost),
    },
    'officer',
  );

describe('an incentive award', () => {
  it('is written once by twelve concurrent evaluations, within the budget, and reconciles', async () => {
    // Prepare: a quota of Rp 1.000.000 and Rp 500.000 unallocated; one worker-year of extra quota.
    const c = await commitment(1_500_000, 1_000_000);
    const s = await scheme(c, { kind: 'quota', workerYears: 1 }, 12 * PREMIUM);

    // Act
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        incentives.award(s, rupiah(1_500_000), c.village, { covered: 3, target: 3 }),
      ),
    );

    // Assess
    expect(results.filter((r) => r === 'awarded')).toHaveLength(1);
    expect(results.filter((r) => r === 'already')).toHaveLength(11);
    const allocation = await commitments.allocation(c.commitmentId, c.village);
    expect(allocation).toMatchObject({ budget: 1_201_600, available: 1_201_600 });
    const stored = await commitments.require(c.commitmentId);
    expect(stored).toMatchObject({ allocated: 1_201_600, awardedQuota: 201_600 });
    expect((await ledger.reconcile(allocation as NonNullable<typeof allocation>)).problems).toEqual([]);
    expect((await ledger.reconcileCommitment(stored, [allocation as { budget: number }])).problems).toEqual(
      [],
    );
    expect(await incentives.awards(s.id)).toEqual([
      expect.objectContaining({ regionCode: c.village, status: 'awarded', amount: 201_600, workerYears: 1 }),
    ]);
  });

  it('is recorded as unfunded when the budget cannot pay it, moving nothing, and not retried', async () => {
    // Prepare: Rp 400.000 unallocated; Rp 500.000 of money to award.
    const c = await commitment(1_400_000, 1_000_000);
    const s = await scheme(c, { kind: 'money', amount: 500_000 as Rupiah }, 500_000);

    // Act
    const first = await incentives.award(s, rupiah(1_400_000), c.village, { covered: 5, target: 4 });
    const again = await incentives.award(s, rupiah(1_400_000), c.village, { covered: 5, target: 4 });

    // Assess
    expect([first, again]).toEqual(['unfunded', 'already']);
    const stored = await commitments.require(c.commitmentId);
    expect(stored.allocated).toBe(1_000_000);
    expect(stored.awarded).toBeUndefined();
    expect(await ledger.entries(c.commitmentId, '')).toEqual([]);
    expect(await incentives.awards(s.id)).toEqual([
      expect.objectContaining({ status: 'unfunded', reason: 'budget-exceeded', covered: 5, target: 4 }),
    ]);
  });
});

describe('the covered workers of a village in a period', () => {
  it('counts every sponsor’s enrollments that cover it, and none that start later', async () => {
    // Prepare: two sponsors fund one village; workers from April and June of one, July of the other.
    const village = `15.71.04.${2001 + serial++}`;
    const first = await commitment(2_000_000, 2_000_000, village);
    const second = await commitment(2_000_000, 2_000_000, village);
    const enroll = (commitmentId: string, worker: number, month: number) => {
      const periods = periodRange(p(month), p(12));
      return enrollments.enroll({
        commitmentId,
        villageCode: village,
        nik: `157104010690${String(worker).padStart(4, '0')}`,
        birthDate: '1990-06-01',
        sex: 'M',
        startPeriod: p(month),
        periods,
        reservedAmount: rupiah(periods.length * PREMIUM),
        monthlyPremium: rupiah(PREMIUM),
        enrolledBy: 'operator',
        reservation: 'fiscal-year',
      });
    };
    await enroll(first.commitmentId, 1, 4);
    await enroll(second.commitmentId, 2, 6);
    await enroll(second.commitmentId, 3, 7);

    // Act
    const [may, june, july] = await Promise.all(
      [5, 6, 7].map((month) => incentives.coveredWorkers(village, p(month))),
    );

    // Assess
    expect([may, june, july]).toEqual([1, 2, 3]);
  });
});
