/**
 * Every key of the ledger table, in one place. See the access-pattern table in packages/store/README.md.
 * Keys never contain a NIK: a worker is keyed by a keyed hash of it (see nik-key.ts).
 */

export const sponsorKey = (sponsorId: string) => ({ pk: `SPONSOR#${sponsorId}`, sk: 'SPONSOR' });

export const commitmentKey = (commitmentId: string) => ({
  pk: `COMMITMENT#${commitmentId}`,
  sk: 'COMMITMENT',
});

/** Commitments of a sponsor, by fiscal year (gsi1). */
export const commitmentBySponsor = (sponsorId: string, fiscalYear: number, commitmentId: string) => ({
  gsi1pk: `SPONSOR#${sponsorId}#COMMITMENTS`,
  gsi1sk: `${fiscalYear}#${commitmentId}`,
});

/** Active commitments of a fiscal year, for the period roll (gsi2, sparse: only while active). */
export const activeCommitmentIndex = (fiscalYear: number, commitmentId: string) => ({
  gsi2pk: `ACTIVE-COMMITMENTS#${fiscalYear}`,
  gsi2sk: commitmentId,
});

/** A village's quota within a commitment; listed by querying the commitment's partition. */
export const allocationKey = (commitmentId: string, villageCode: string) => ({
  pk: `COMMITMENT#${commitmentId}`,
  sk: `ALLOCATION#${villageCode}`,
});
export const ALLOCATION_SK_PREFIX = 'ALLOCATION#';

export const workerKey = (nikKey: string) => ({ pk: `WORKER#${nikKey}`, sk: 'WORKER' });

/**
 * The worker's subsidised months of one year across every sponsor and village (invariant I3): one item whose
 * `months` number set must not already hold a month being claimed.
 */
export const coverageClaimKey = (nikKey: string, year: number) => ({
  pk: `WORKER#${nikKey}`,
  sk: `CLAIM#${year}`,
});

export const enrollmentKey = (commitmentId: string, villageCode: string, enrollmentId: string) => ({
  pk: `ENROLLMENTS#${commitmentId}#${villageCode}`,
  sk: `ENROLLMENT#${enrollmentId}`,
});
export const enrollmentsOfAllocation = (commitmentId: string, villageCode: string) =>
  `ENROLLMENTS#${commitmentId}#${villageCode}`;

/** An enrollment found by its id alone (gsi1), and a village's enrollments over all commitments (gsi2). */
export const enrollmentIndexes = (enrollmentId: string, villageCode: string, startPeriod: string) => ({
  gsi1pk: `ENROLLMENT#${enrollmentId}`,
  gsi1sk: 'ENROLLMENT',
  gsi2pk: `VILLAGE#${villageCode}#ENROLLMENTS`,
  gsi2sk: `${startPeriod}#${enrollmentId}`,
});

/** Append-only ledger entries of one allocation (or of the commitment itself when `villageCode` is absent). */
export const ledgerEntryKey = (commitmentId: string, villageCode: string | undefined, entryId: string) => ({
  pk: `LEDGER#${commitmentId}${villageCode ? `#${villageCode}` : ''}`,
  sk: `ENTRY#${entryId}`,
});
export const ledgerPartition = (commitmentId: string, villageCode?: string) =>
  `LEDGER#${commitmentId}${villageCode ? `#${villageCode}` : ''}`;
