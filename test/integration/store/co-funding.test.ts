/**
 * Co-funded enrollments against DynamoDB Local (issue 18): a bulk import's batch reserves every payer's share
 * from its own quota in one transaction, or nothing when a co-funder's quota is short; an ended coverage gives
 * each payer its reserved share back; the counters of both allocations reconcile with their ledgers (I2, I5).
 * A primary paying 33,33 % shows the deterministic remainder: Rp 5.599 a month, the co-funder Rp 11.201.
 */
import {
  allocate,
  benefitPackage,
  type PayerShare,
  type PayerShares,
  type Period,
  parsePeriod,
  reservationSplit,
  rupiah,
  splitAt,
} from '@lindung/core';
import {
  type AllocationRecord,
  CommitmentRepository,
  coverageEndOf,
  documentClient,
  EnrollmentRepository,
  type EnrollmentRequest,
  LedgerRepository,
  type StoredEnrollment,
} from '@lindung/store';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { localClients, localStack } from '../../support/local-stack.js';

const stack = localStack();
const db = documentClient(localClients(stack).dynamodb);
const tableName = stack.tables.ledger?.name ?? '';
const commitments = new CommitmentRepository(db, tableName);
const enrollments = new EnrollmentRepository(db, tableName);
const ledger = new LedgerRepository(db, tableName);
const YEAR = 2063;
const JANUARY = parsePeriod(`${YEAR}-01`);
const benefit = benefitPackage({ programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 });
const THIRD: PayerShare = { kind: 'percent', basisPoints: 3_333 };
const SHARES: PayerShares = { primary: THIRD, coFunder: null };
/** A year from January: 12 × 5.599 for the primary, 12 × 11.201 for the co-funder. */
const YEAR_SPLIT = reservationSplit('fiscal-year', benefit, JANUARY, SHARES).split;

let serial = 0;
/**
 * A province paying 33,33 % and a regency co-funding it over one village of district 15.07.02 (no other test's),
 * with quotas for `primaryWorkers` and `coFunderWorkers` full years of their shares.
 */
const coFunded = async (primaryWorkers: number, coFunderWorkers: number) => {
  const village = `15.07.02.${String(2001 + serial++).padStart(4, '0')}`;
  const commitment = async (kind: 'province' | 'regency', budget: number, terms: object) => {
    const sponsor = await commitments.createSponsor({ name: `Uji ${kind}`, kind, regionCode: '15' });
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
        ...terms,
      },
      'officer',
    );
    return commitments.approve(draft.id, 'approver', allocate(rupiah(budget), { kind: 'equal' }, [village]));
  };
  const primary = await commitment('province', primaryWorkers * YEAR_SPLIT.primary, { share: THIRD });
  const coFunder = await commitment('regency', coFunderWorkers * YEAR_SPLIT.coFunder, {
    coFunds: primary.id,
  });
  return { primary, coFunder, village };
};

/** A worker of 1990 enrolled from January under `primary` with `coFunder` paying the rest, as the API asks. */
const request = (
  world: Awaited<ReturnType<typeof coFunded>>,
  worker: number,
): EnrollmentRequest & { readonly id: string } => {
  const { periods, split } = reservationSplit('fiscal-year', benefit, JANUARY, SHARES);
  const month = splitAt(benefit, JANUARY, SHARES);
  return {
    id: ulid(),
    commitmentId: world.primary.id,
    villageCode: world.village,
    nik: `150702010690${String(worker).padStart(4, '0')}`,
    birthDate: '1990-06-01',
    sex: 'M',
    startPeriod: JANUARY,
    periods,
    reservedAmount: split.primary,
    monthlyPremium: month.premium,
    enrolledBy: 'operator',
    reservation: 'fiscal-year',
    payers: [
      {
        commitmentId: world.primary.id,
        sponsorId: world.primary.sponsorId,
        role: 'primary',
        share: THIRD,
        monthlyShare: month.primary,
        reservedAmount: split.primary,
      },
      {
        commitmentId: world.coFunder.id,
        sponsorId: world.coFunder.sponsorId,
        role: 'co-funder',
        monthlyShare: month.coFunder,
        reservedAmount: split.coFunder,
      },
    ],
  };
};

const both = async (world: Awaited<ReturnType<typeof coFunded>>) =>
  (await Promise.all(
    [world.primary.id, world.coFunder.id].map((id) => commitments.allocation(id, world.village)),
  )) as AllocationRecord[];

const reconciled = async (allocations: readonly AllocationRecord[]) =>
  Promise.all(allocations.map(async (a) => (await ledger.reconcile(a)).problems));

describe('co-funded enrollments', () => {
  it('reserves a batch from both quotas at once: 33,33 % is 5.599 a month, the co-funder pays 11.201', async () => {
    // Prepare
    const world = await coFunded(3, 3);

    // Act
    const { enrolled, oneByOne } = await enrollments.enrollBatch(
      [1, 2, 3].map((w) => request(world, 100 + w)),
    );

    // Assess
    expect(YEAR_SPLIT).toEqual({ premium: 201_600, primary: 12 * 5_599, coFunder: 12 * 11_201, worker: 0 });
    expect(enrolled).toHaveLength(3);
    expect(oneByOne).toEqual([]);
    const [primary, coFunder] = await both(world);
    expect(primary).toMatchObject({ reserved: 3 * 12 * 5_599, available: 0, workers: 3 });
    expect(coFunder).toMatchObject({ reserved: 3 * 12 * 11_201, available: 0, workers: 3 });
    expect(await reconciled([primary as AllocationRecord, coFunder as AllocationRecord])).toEqual([[], []]);
  });

  it('enrolls none of a batch whose co-funder cannot take them all, and leaves both quotas as they were', async () => {
    // Prepare: room for three at the province, two at the regency
    const world = await coFunded(3, 2);
    const before = await both(world);

    // Act
    const batch = [1, 2, 3].map((w) => request(world, 200 + w));
    const { enrolled, oneByOne } = await enrollments.enrollBatch(batch);
    const third = batch[2] as EnrollmentRequest;

    // Assess
    expect(enrolled).toEqual([]);
    expect(oneByOne).toHaveLength(3);
    expect(await both(world)).toEqual(before);
    // One by one each gets its own answer: the regency's quota, named as the co-funder's.
    await enrollments.enroll(batch[0] as EnrollmentRequest);
    await enrollments.enroll(batch[1] as EnrollmentRequest);
    await expect(enrollments.enroll({ ...third, id: ulid() })).rejects.toMatchObject({
      code: 'quota-exhausted',
      details: { payer: 'co-funder', commitmentId: world.coFunder.id, required: 12 * 11_201 },
    });
    const [primary, coFunder] = await both(world);
    expect(primary).toMatchObject({ available: 12 * 5_599, reserved: 2 * 12 * 5_599 });
    expect(coFunder).toMatchObject({ available: 0, reserved: 2 * 12 * 11_201 });
  });

  it('gives each payer its share of the months after a termination back to its own quota', async () => {
    // Prepare
    const world = await coFunded(1, 1);
    const { enrolled } = await enrollments.enrollBatch([request(world, 300)]);
    const enrollment = (await enrollments.find(enrolled[0]?.id ?? '')) as StoredEnrollment;
    const from = parsePeriod(`${YEAR}-10`) as Period;

    // Act
    const ended = await enrollments.end(enrollment, {
      state: 'terminated',
      reason: 'terminated',
      ...coverageEndOf(world.primary, enrollment, from),
      requireOpenPeriod: true,
    });

    // Assess
    expect(ended).toBe(true);
    const [primary, coFunder] = await both(world);
    expect(primary).toMatchObject({ available: 3 * 5_599, reserved: 9 * 5_599 });
    expect(coFunder).toMatchObject({ available: 3 * 11_201, reserved: 9 * 11_201 });
    expect(await reconciled([primary as AllocationRecord, coFunder as AllocationRecord])).toEqual([[], []]);
  });
});
