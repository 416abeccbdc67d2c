/**
 * A freed seat is a seat again (issue 19), against DynamoDB Local: a coverage ended early while the fiscal year
 * is open gives its unused reservation back to the village's available quota in the same transaction, with an
 * `unreserve` ledger entry, so the village can enroll a replacement; a lapse releases it for good, a closed year
 * moves nothing; the counters reconcile with the ledger throughout (I2, I5).
 */
import {
  allocate,
  benefitPackage,
  type EndReason,
  fiscalYearPeriods,
  type Period,
  periodRange,
  QuotaExhaustedError,
  releaseOnEnd,
  rupiah,
} from '@lindung/core';
import {
  type AllocationRecord,
  CommitmentRepository,
  documentClient,
  EnrollmentRepository,
  LedgerRepository,
  RollRepository,
  type StoredEnrollment,
} from '@lindung/store';
import { describe, expect, it } from 'vitest';
import { localClients, localStack } from '../../support/local-stack.js';

const stack = localStack();
const db = documentClient(localClients(stack).dynamodb);
const tableName = stack.tables.ledger?.name ?? '';
const commitments = new CommitmentRepository(db, tableName);
const enrollments = new EnrollmentRepository(db, tableName);
const ledger = new LedgerRepository(db, tableName);
const roll = new RollRepository(db, tableName);
const YEAR = 2038; // no other integration test uses it, so the workers' claims are this file's own
const PREMIUM = 16_800;
const FULL_YEAR = 12 * PREMIUM;
const benefit = benefitPackage({ programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 });
const p = (month: number) => `${YEAR}-${String(month).padStart(2, '0')}` as Period;

let serial = 0;
/** An active commitment of `YEAR` in fiscal-year mode over one village of its own, with `budget`. */
const quota = async (budget: number) => {
  const village = `15.71.03.${String(2001 + serial++).padStart(4, '0')}`;
  const sponsor = await commitments.createSponsor({ name: 'Kota Uji', kind: 'regency', regionCode: '15.71' });
  const draft = await commitments.draft(
    {
      sponsorId: sponsor.id,
      fiscalYear: YEAR,
      budget: rupiah(budget),
      funding: { kind: 'fixed', amount: rupiah(budget) },
      benefit,
      reservation: 'fiscal-year',
      allocation: { kind: 'equal' },
      villageCodes: [village],
    },
    'officer',
  );
  await commitments.approve(draft.id, 'approver', allocate(rupiah(budget), { kind: 'equal' }, [village]));
  return { commitmentId: draft.id, village };
};

/** Enrolls a worker of 1990 from `month` to the end of the year, reserving every month. */
const enroll = (commitmentId: string, villageCode: string, worker: number, month: number) => {
  const periods = periodRange(p(month), p(12));
  return enrollments.enroll({
    commitmentId,
    villageCode,
    nik: `157103010690${String(worker).padStart(4, '0')}`,
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

const stored = async (id: string) => (await enrollments.find(id)) as StoredEnrollment;

/** Ends a coverage from `month` for `reason`, as the termination route or the roll does. */
const endFrom = async (
  id: string,
  month: number,
  reason: EndReason,
  state: 'terminated' | 'expired' | 'lapsed',
) => {
  const enrollment = await stored(id);
  const release = releaseOnEnd('fiscal-year', benefit, enrollment, p(month));
  return enrollments.end(enrollment, {
    state,
    reason,
    from: p(month),
    ...release,
    requireOpenPeriod: reason === 'terminated',
  });
};

const allocationOf = async (commitmentId: string, village: string) =>
  (await commitments.allocation(commitmentId, village)) as AllocationRecord;

describe('a coverage ended early while the fiscal year is open', () => {
  it('gives the unused months back to the available quota, and a replacement enrolls with them', async () => {
    // Prepare: a quota of exactly one worker-year, taken by one worker from January.
    const { commitmentId, village } = await quota(FULL_YEAR);
    const first = await enroll(commitmentId, village, 1, 1);
    await expect(enroll(commitmentId, village, 2, 4)).rejects.toBeInstanceOf(QuotaExhaustedError);

    // Act: the village terminates the first worker from April; a replacement starts in April.
    const ended = await endFrom(first.id, 4, 'terminated', 'terminated');
    const afterEnd = await allocationOf(commitmentId, village);
    const replacement = await enroll(commitmentId, village, 2, 4);

    // Assess
    expect(ended).toBe(true);
    expect(afterEnd).toMatchObject({
      available: 9 * PREMIUM,
      reserved: 3 * PREMIUM,
      released: 0,
      workers: 1,
    });
    expect(replacement.reservedAmount).toBe(9 * PREMIUM);
    const after = await allocationOf(commitmentId, village);
    expect(after).toMatchObject({
      budget: FULL_YEAR,
      available: 0,
      reserved: FULL_YEAR,
      released: 0,
      workers: 2,
    });
    const entries = await ledger.entries(commitmentId, village);
    expect(entries.map((e) => `${e.type} ${e.amount}`).sort()).toEqual([
      `allocate ${FULL_YEAR}`,
      `reserve ${9 * PREMIUM}`,
      `reserve ${FULL_YEAR}`,
      `unreserve ${9 * PREMIUM}`,
    ]);
    expect(entries.find((e) => e.type === 'unreserve')).toMatchObject({
      enrollmentId: first.id,
      reason: 'terminated',
      periods: periodRange(p(4), p(12)),
    });
    expect((await ledger.reconcile(after)).problems).toEqual([]);
    expect((await stored(first.id)).status).toBe('terminated');
  });

  it('changes nothing a second time when the same ending is retried', async () => {
    // Prepare
    const { commitmentId, village } = await quota(FULL_YEAR);
    const first = await enroll(commitmentId, village, 3, 1);
    await endFrom(first.id, 6, 'terminated', 'terminated');
    const once = await allocationOf(commitmentId, village);

    // Act
    const again = await enrollments.end(
      { ...(await stored(first.id)), status: 'active', endPeriod: undefined } as StoredEnrollment,
      {
        state: 'terminated',
        reason: 'terminated',
        from: p(6),
        periods: periodRange(p(6), p(12)),
        amount: rupiah(7 * PREMIUM),
        requireOpenPeriod: true,
      },
    );

    // Assess
    expect(again).toBe(false);
    expect(await allocationOf(commitmentId, village)).toEqual(once);
    expect(once).toMatchObject({ available: 7 * PREMIUM, reserved: 5 * PREMIUM });
    expect((await ledger.reconcile(once)).problems).toEqual([]);
  });

  it('returns an aged-out worker’s months too, but releases a lapsed worker’s for good', async () => {
    // Prepare: two villages' quotas of one worker-year each, each worker enrolled from January.
    const aged = await quota(FULL_YEAR);
    const lapsed = await quota(FULL_YEAR);
    const a = await enroll(aged.commitmentId, aged.village, 4, 1);
    const b = await enroll(lapsed.commitmentId, lapsed.village, 5, 1);

    // Act: as the roll of August ends them (the period closed for changes first).
    await roll.closeForChanges(aged.commitmentId, aged.village, p(8));
    await roll.closeForChanges(lapsed.commitmentId, lapsed.village, p(8));
    await endFrom(a.id, 8, 'age-limit', 'expired');
    await endFrom(b.id, 8, 'unpaid', 'lapsed');

    // Assess
    const agedAfter = await allocationOf(aged.commitmentId, aged.village);
    const lapsedAfter = await allocationOf(lapsed.commitmentId, lapsed.village);
    expect(agedAfter).toMatchObject({ available: 5 * PREMIUM, reserved: 7 * PREMIUM, released: 0 });
    expect(lapsedAfter).toMatchObject({ available: 0, reserved: 7 * PREMIUM, released: 5 * PREMIUM });
    const types = async (q: { commitmentId: string; village: string }) =>
      (await ledger.entries(q.commitmentId, q.village)).map((e) => e.type).sort();
    expect(await types(aged)).toEqual(['allocate', 'reserve', 'unreserve']);
    expect(await types(lapsed)).toEqual(['allocate', 'release', 'reserve']);
    expect((await ledger.reconcile(agedAfter)).problems).toEqual([]);
    expect((await ledger.reconcile(lapsedAfter)).problems).toEqual([]);
  });

  it('releases what the freed seat left unused at the year’s close', async () => {
    // Prepare: a worker terminated from October and no replacement (the months before it left reserved here).
    const { commitmentId, village } = await quota(FULL_YEAR);
    const first = await enroll(commitmentId, village, 6, 1);
    await endFrom(first.id, 10, 'terminated', 'terminated');
    const left = (await allocationOf(commitmentId, village)).available;

    // Act
    const closed = await roll.closeAllocation(
      commitmentId,
      village,
      left,
      fiscalYearPeriods(YEAR)[11] as Period,
    );

    // Assess
    expect(left).toBe(3 * PREMIUM);
    expect(closed).toBe(true);
    const after = await allocationOf(commitmentId, village);
    expect(after).toMatchObject({ status: 'closed', available: 0, released: 3 * PREMIUM });
    expect((await ledger.reconcile(after)).problems).toEqual([]);
  });
});
